import Foundation
import HDF5
import LinearAlgebra
import Physics
import PipelineEngine

/// `ed`: full diagonalisation of every momentum sector (and twist): the exact reference. With
/// disorder or per-site TLS parameters, of the whole real-space chain (N·2^N states, real
/// arithmetic) for each realisation, averaged.
struct EDStage: HDF5StageKind {
    let name = "ed"
    // v3: disorder parameters (real-space path); the momentum-sector path is unchanged.
    let version = 3
    let summary = "exact diagonalisation of every sector (N ≤ 12), or of the disordered chain in real space (N ≤ 9): exact stick spectrum of σ(ω), ⟨K⟩ per temperature"
    let parameters = ModelParameters.specs(maxSites: 12) + DisorderParameters.specs
    let inputs: [InputSpec] = []

    func validate(_ p: Params) -> [(String, String)] {
        var problems = ModelParameters.validateRange(p) + DisorderParameters.validate(p)
        if DisorderParameters.realSpace(p) && p[ModelParameters.sites] > 9 {
            problems.append((ModelParameters.sites.name, "the real-space ED (disorder) diagonalises N·2^N states densely: at most 9 sites"))
        }
        return problems
    }

    func sizes(_ p: Params) -> [SizeEstimate] {
        let d = pow(2.0, Double(p[ModelParameters.sites]))
        let range = p[ModelParameters.omegaMax] ?? DisorderParameters.omegaMax(p)
        if DisorderParameters.realSpace(p) {
            let n = Double(p[ModelParameters.sites]) * d
            return [
                SizeEstimate(parameter: ModelParameters.sites.name, bytes: 5 * n * n * Footprint.double,
                             what: "dense real-space matrices of N·2^N = \(Int(n)) squared (H, U, AU, KU, J)"),
                Footprint.histogram(range: range, binWidth: ModelParameters.binWidth, temperatures: ModelParameters.temperatures, p,
                                    copies: Double(p[DisorderParameters.realizations] ?? 1) + 2),
            ]
        }
        return [
            SizeEstimate(parameter: ModelParameters.sites.name, bytes: Footprint.cores * 4 * d * d * Footprint.complex,
                         what: "dense sector matrices of 2^\(p[ModelParameters.sites]) × 2^\(p[ModelParameters.sites]) complex numbers per core"),
            Footprint.histogram(range: range, binWidth: ModelParameters.binWidth, temperatures: ModelParameters.temperatures, p, copies: Footprint.cores + 1),
        ]
    }

    func run(_ context: StageContext) throws -> StageReport {
        let p = context.params
        if DisorderParameters.realSpace(p) { return try runRealSpace(context) }
        let s = EDSettings(model: ModelParameters.model(p), temperatures: p[ModelParameters.temperatures], twists: p[ModelParameters.twists],
                           binWidth: p[ModelParameters.binWidth], omegaMax: p[ModelParameters.omegaMax])
        let r = try ExactDiagonalization.compute(s) { context.progress($0, "sectors") }
        try SpectrumArtifact(spectrum: r.spectrum, batches: [], kineticEnergy: r.kinetic, batchKineticEnergy: [],
                             label: ModelParameters.label("ED", p)).write(to: context.outputPaths[0])
        return StageReport([("blas", .object([("threads", .int(BLAS.threads)), ("core", .string(BLAS.coreName))]))])
    }

    func runRealSpace(_ context: StageContext) throws -> StageReport {
        let p = context.params
        let s = DisorderParameters.settings(p)
        let count = p[DisorderParameters.realizations] ?? 1
        let samples = try RealSpaceED.realizations(s, 0..<count, temperatures: p[ModelParameters.temperatures],
                                                   binWidth: p[ModelParameters.binWidth],
                                                   omegaMax: p[ModelParameters.omegaMax] ?? DisorderParameters.omegaMax(p)) {
            context.progress($0, "realisations")
        }
        let mean = RealSpaceED.average(samples)
        var label = "ED real space (N = \(p[ModelParameters.sites])"
        if s.width > 0 { label += ", W = \(JSONValue.format(s.width))" }
        label += count > 1 ? ", \(count) realisations)" : ")"
        // Each realisation is a complete estimate: their spread gives the error bars, as batches do.
        try SpectrumArtifact(spectrum: mean.sigma, batches: count > 1 ? samples.map(\.sigma) : [], kineticEnergy: mean.kinetic,
                             batchKineticEnergy: count > 1 ? samples.map(\.kinetic) : [], label: label).write(to: context.outputPaths[0])
        return StageReport([("blas", .object([("threads", .int(BLAS.threads)), ("core", .string(BLAS.coreName))])),
                            ("real_space", .object([("states", .int(s.sites << s.sites)), ("realizations", .int(count)),
                                                    ("average", .string("quenched: each realisation normalised by its own Z, then averaged"))]))])
    }
}
