import Foundation
import HDF5
import LinearAlgebra
import Physics
import PipelineEngine

/// `static-disorder`: Kubo σ_static(ω; T) of one electron in ±g binary disorder.
struct StaticDisorderStage: HDF5StageKind {
    let name = "static-disorder"
    let version = 1
    let summary = "σ(ω; T) of one electron on a chain with ±g binary disorder (dense ED, Kubo), as a stick histogram"
    let parameters: [ParameterSpec] = [
        ParameterSpec("sites", .int(min: 4, max: 20000), help: "chain length N"),
        ParameterSpec("t", .double(min: 0, exclusiveMin: true), default: .double(1), help: "hopping t"),
        ParameterSpec("g", .double(min: 0), default: .double(1), help: "disorder strength: site energies ±g"),
        ParameterSpec("realizations", .int(min: 1), help: "number of disorder realisations"),
        ParameterSpec("batches", .int(min: 1, max: 1000), default: .int(4), help: "independent batches of realisations for error bars"),
        ParameterSpec("seed", .int(min: 0), help: "random seed"),
        ParameterSpec("temperatures", .doubles(min: 0, exclusiveMin: true), help: "temperatures T"),
        ParameterSpec("bin_width", .double(min: 0, exclusiveMin: true), default: .double(2e-4), help: "histogram bin width in ω"),
        ParameterSpec("omega_max", .double(min: 0, exclusiveMin: true), default: .null, help: "histogram range (default 4t + 2g + 0.5)"),
        ParameterSpec("boundary", .string(allowed: ["periodic", "open"]), default: .string("periodic"), help: "ring or open chain"),
    ]
    let inputs: [InputSpec] = []

    func validate(_ p: Params) -> [(String, String)] {
        let range = settings(p).omegaMax
        if range / p.double("bin_width") > 5e6 {
            return [(Footprint.rangeBlame(p), "gives more than 5 million histogram bins (range \(JSONValue.format(range)) / bin_width \(JSONValue.format(p.double("bin_width"))))")]
        }
        return []
    }

    func sizes(_ p: Params) -> [SizeEstimate] {
        let n = Double(p.int("sites"))
        let concurrent = min(Footprint.cores, Double(p.int("batches")))
        return [
            SizeEstimate(parameter: "sites", bytes: concurrent * 6 * n * n * Footprint.double,
                         what: "dense \(p.int("sites")) × \(p.int("sites")) eigenvectors and current matrix per running batch"),
            Footprint.histogram(p, range: settings(p).omegaMax, copies: Double(p.int("batches")) + 2),
        ]
    }

    func settings(_ p: Params) -> StaticDisorderSettings {
        StaticDisorderSettings(sites: p.int("sites"), t: p.double("t"), g: p.double("g"),
                               realizations: p.int("realizations"), batches: p.int("batches"), seed: p.seed(),
                               temperatures: p.doubles("temperatures"), binWidth: p.double("bin_width"),
                               omegaMax: p.optionalDouble("omega_max"),
                               boundary: ChainBoundary(rawValue: p.string("boundary"))!)
    }

    func run(_ context: StageContext) throws -> StageReport {
        let s = settings(context.params)
        // Realisations run in parallel batches over the stage's cores (BLAS itself stays on one
        // thread, set once by the executable).
        let result = try StaticDisorder.compute(s, threads: context.threads) { f in context.progress(f, "realisations") }
        let label = "static disorder (N = \(s.sites), \(s.realizations) realisations)"
        try SpectrumArtifact(spectrum: result.spectrum, batches: result.batchSpectra, kineticEnergy: result.kineticEnergy,
                             batchKineticEnergy: result.batchKineticEnergy, label: label).write(to: context.outputPaths[0])
        return StageReport([("blas", .object([("threads", .int(BLAS.threads)), ("core", .string(BLAS.coreName))]))])
    }
}
