import Foundation
import PipelineEngine

/// Every stage kind the product knows, registered at the edge of the engine.
public enum StageKinds {
    public static func registry(environment: [String: String] = ProcessInfo.processInfo.environment) -> StageRegistry {
        var r = StageRegistry([
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
        if environment["TLSPIPE_DEBUG_KINDS"] == "1" {
            r.register(DebugSleepStage())
            r.register(DebugShardsStage())
        }
        return r
    }
}
