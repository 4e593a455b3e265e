import Foundation
import HDF5
import LinearAlgebra
import Physics
import PipelineEngine

/// `static-disorder`: Kubo σ_static(ω; T) of one electron in ±g binary disorder.
struct StaticDisorderStage: HDF5StageKind {
    let name = "static-disorder"
    let version = 1
    let summary = "σ(ω; T) of one electron on a chain with ±g binary disorder (plus optional on-site disorder W), dense ED, Kubo, as a stick histogram"
    static let sites = Parameter<Int>("sites", .int(min: 4, max: 20000), help: "chain length N")
    static let t = Parameter<Double>("t", .double(min: 0, exclusiveMin: true), default: .double(1), unit: "t", help: "hopping t")
    static let g = Parameter<Double>("g", .double(min: 0), default: .double(1), unit: "t", help: "disorder strength: site energies ±g")
    static let realizations = Parameter<Int>("realizations", .int(min: 1), help: "number of disorder realisations")
    static let batches = Parameter<Int>("batches", .int(min: 1, max: 1000), default: .int(4), help: "independent batches of realisations for error bars")
    static let seed = Parameter<Int>("seed", .int(min: 0), help: "random seed")
    static let temperatures = Parameter<[Double]>("temperatures", .doubles(min: 0, exclusiveMin: true), unit: "t", help: "temperatures T")
    static let binWidth = Parameter<Double>("bin_width", .double(min: 0, exclusiveMin: true), default: .double(2e-4), unit: "t", help: "histogram bin width in ω")
    static let omegaMax = Parameter<Double?>("omega_max", .double(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "histogram range (default 4t + 2g + W + 0.5)")
    static let boundary = Parameter<String>("boundary", .string(allowed: ["periodic", "open"]), default: .string("periodic"), help: "ring or open chain")
    let parameters: [ParameterSpec] = [Self.sites.spec, Self.t.spec, Self.g.spec, Self.realizations.spec, Self.batches.spec, Self.seed.spec, Self.temperatures.spec, Self.binWidth.spec, Self.omegaMax.spec, Self.boundary.spec,
                                       DisorderParameters.width.spec, DisorderParameters.kind.spec]
    let inputs: [InputSpec] = []

    func validate(_ p: Params) -> [(String, String)] {
        let range = settings(p).omegaMax
        if range / p[Self.binWidth] > 5e6 {
            return [(Footprint.rangeBlame(p, omegaMax: Self.omegaMax, binWidth: Self.binWidth, scales: [Self.g, Self.t]), "gives more than 5 million histogram bins (range \(JSONValue.format(range)) / bin_width \(JSONValue.format(p[Self.binWidth])))")]
        }
        return []
    }

    func sizes(_ p: Params) -> [SizeEstimate] {
        let n = Double(p[Self.sites])
        let concurrent = min(Footprint.cores, Double(p[Self.batches]))
        return [
            SizeEstimate(parameter: Self.sites.name, bytes: concurrent * 6 * n * n * Footprint.double,
                         what: "dense \(p[Self.sites]) × \(p[Self.sites]) eigenvectors and current matrix per running batch"),
            Footprint.histogram(range: settings(p).omegaMax, binWidth: Self.binWidth, temperatures: Self.temperatures, p, copies: Double(p[Self.batches]) + 2),
        ]
    }

    func settings(_ p: Params) -> StaticDisorderSettings {
        let w = p[DisorderParameters.width]
        var s = StaticDisorderSettings(sites: p[Self.sites], t: p[Self.t], g: p[Self.g],
                                       realizations: p[Self.realizations], batches: p[Self.batches], seed: UInt64(p[Self.seed]),
                                       temperatures: p[Self.temperatures], binWidth: p[Self.binWidth],
                                       omegaMax: p[Self.omegaMax] ?? (4 * p[Self.t] + 2 * p[Self.g] + w + 0.5),
                                       boundary: ChainBoundary(rawValue: p[Self.boundary])!)
        s.width = w
        s.kind = OnSiteDisorder(rawValue: p[DisorderParameters.kind]) ?? .box
        return s
    }

    func run(_ context: StageContext) throws -> StageReport {
        let s = settings(context.params)
        // Realisations run in parallel batches over the stage's cores (BLAS itself stays on one
        // thread, set once by the executable).
        let result = try StaticDisorder.compute(s, threads: context.threads) { f in context.progress(f, "realisations") }
        let label = "static disorder (N = \(s.sites)\(s.width > 0 ? ", W = \(JSONValue.format(s.width))" : ""), \(s.realizations) realisations)"
        try SpectrumArtifact(spectrum: result.spectrum, batches: result.batchSpectra, kineticEnergy: result.kineticEnergy,
                             batchKineticEnergy: result.batchKineticEnergy, label: label).write(to: context.outputPaths[0])
        return StageReport([("blas", .object([("threads", .int(BLAS.threads)), ("core", .string(BLAS.coreName))]))])
    }
}
