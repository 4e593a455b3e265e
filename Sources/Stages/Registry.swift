import Foundation
import PipelineEngine

/// Every stage kind the product knows, registered at the edge of the engine.
public enum StageKinds {
    public static func registry() -> StageRegistry {
        StageRegistry([
            StaticDisorderStage(),
            FilterStage(),
            RTAStage(),
            EDStage(),
            FTLMStage(),
            DCStage(),
            DMFTStage(),
            SpectralWeightStage(),
            PeakStage(),
            FitStage(),
            FigureStage(),
        ])
    }
}
