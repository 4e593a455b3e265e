import Foundation
import HDF5
import LinearAlgebra
import Physics
import PipelineEngine

/// `ed`: full diagonalisation of every momentum sector (and twist): the exact reference.
struct EDStage: HDF5StageKind {
    let name = "ed"
    let version = 2
    let summary = "exact diagonalisation of every sector (N ≤ 12): exact stick spectrum of σ(ω), ⟨K⟩ per temperature"
    let parameters = ModelParameters.specs(maxSites: 12)
    let inputs: [InputSpec] = []

    func validate(_ p: Params) -> [(String, String)] { ModelParameters.validateRange(p) }

    func sizes(_ p: Params) -> [SizeEstimate] {
        let d = pow(2.0, Double(p[ModelParameters.sites]))
        let range = p[ModelParameters.omegaMax] ?? TLSSpectrumRange.defaultOmegaMax(ModelParameters.model(p))
        return [
            SizeEstimate(parameter: ModelParameters.sites.name, bytes: Footprint.cores * 4 * d * d * Footprint.complex,
                         what: "dense sector matrices of 2^\(p[ModelParameters.sites]) × 2^\(p[ModelParameters.sites]) complex numbers per core"),
            Footprint.histogram(range: range, binWidth: ModelParameters.binWidth, temperatures: ModelParameters.temperatures, p, copies: Footprint.cores + 1),
        ]
    }

    func run(_ context: StageContext) throws -> StageReport {
        let p = context.params
        let s = EDSettings(model: ModelParameters.model(p), temperatures: p[ModelParameters.temperatures], twists: p[ModelParameters.twists],
                           binWidth: p[ModelParameters.binWidth], omegaMax: p[ModelParameters.omegaMax])
        let r = try ExactDiagonalization.compute(s) { context.progress($0, "sectors") }
        try SpectrumArtifact(spectrum: r.spectrum, batches: [], kineticEnergy: r.kinetic, batchKineticEnergy: [],
                             label: ModelParameters.label("ED", p)).write(to: context.outputPaths[0])
        return StageReport([("blas", .object([("threads", .int(BLAS.threads)), ("core", .string(BLAS.coreName))]))])
    }
}
