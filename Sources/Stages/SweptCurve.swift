import Foundation
import HDF5
import Physics
import PipelineEngine

/// A curve artifact (σ on a grid) with the sweep value of its instance.
struct SweptCurve {
    let omega0: Double
    let curve: CurveArtifact
    let path: String

    static func load(_ inputs: [InputArtifact]) throws -> [SweptCurve] {
        try inputs.map { input in
            guard let w0 = input.parameter(ModelParameters.omega0.name) else {
                throw StageError("\(input.stage): cannot tell its ω0 (expected a stage swept over omega0 or with an omega0 parameter)")
            }
            return SweptCurve(omega0: w0, curve: try CurveArtifact.read(input.path), path: input.path)
        }.sorted { $0.omega0 < $1.omega0 }
    }
}
