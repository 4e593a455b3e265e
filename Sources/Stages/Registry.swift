import Foundation
import PipelineEngine

/// Every stage kind the product knows, registered at the edge of the engine.
public enum StageKinds {
    /// The figure recipes: name and what it draws from which inputs.
    public static var figureRecipes: [(name: String, draws: String)] { FigureRecipes.descriptions }

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
