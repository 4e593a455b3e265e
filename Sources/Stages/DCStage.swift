import Foundation
import HDF5
import Physics
import PipelineEngine

/// `dc`: σ_dc(T) = σ_δ(ω = 0) and ρ = 1/σ_dc, with the paper's band from a variation of δ.
struct DCStage: HDF5StageKind {
    let name = "dc"
    // v2: the FTLM input's resolution error (same runs at M/2 steps) widens the band.
    let version = 2
    let summary = "d.c. extrapolation: sigma_dc(T), rho(T) with rho_low/rho_high from δ ∈ [delta_min, delta_max]"
    static let deltaMin = Parameter<Double?>("delta_min", .double(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "smallest filter width (or use paper_band)")
    static let deltaMax = Parameter<Double?>("delta_max", .double(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "largest filter width (the paper: 5 × delta_min)")
    static let paperBand = Parameter<Bool>("paper_band", .bool, default: .bool(false), help: "the paper's widths from the input's ω0: [0.003, 0.015] for ω0 ≤ 0.05, [0.008, 0.04] above")
    static let points = Parameter<Int>("points", .int(min: 2, max: 200), default: .int(9), help: "δ values on a log grid between the two")
    let parameters: [ParameterSpec] = [Self.deltaMin.spec, Self.deltaMax.spec, Self.paperBand.spec, Self.points.spec]
    let inputs = [InputSpec("spectrum", accepts: ["ftlm", "ed", "static-disorder"], help: "a stick spectrum (ftlm, ed, static-disorder)")]

    func validate(_ p: Params) -> [(String, String)] {
        if p[Self.paperBand] {
            return p.has(Self.deltaMin) || p.has(Self.deltaMax) ? [(Self.paperBand.name, "set either paper_band or delta_min/delta_max")] : []
        }
        guard let lo = p[Self.deltaMin], let hi = p[Self.deltaMax] else { return [(Self.deltaMin.name, "required (with delta_max) unless paper_band is true")] }
        return hi < lo ? [(Self.deltaMax.name, "must be ≥ delta_min")] : []
    }

    func run(_ context: StageContext) throws -> StageReport {
        let p = context.params
        let input = context.input("spectrum")!
        let art = try SpectrumArtifact.read(input.path)
        var lo = 0.0, hi = 0.0
        if p[Self.paperBand] {
            guard let w0 = input.parameter(ModelParameters.omega0.name) else { throw StageError("\(input.path): paper_band needs an input whose lineage has an omega0 parameter") }
            (lo, hi) = w0 <= 0.05 + 1e-12 ? (0.003, 0.015) : (0.008, 0.04)
        } else if let a = p[Self.deltaMin], let b = p[Self.deltaMax] {
            lo = a; hi = b
        }
        let n = p[Self.points]
        let deltas = (0..<n).map { lo * pow(hi / lo, Double($0) / Double(n - 1)) }
        let central = (lo * hi).squareRoot()
        let temps = art.spectrum.temperatures
        var sdc: [Double] = [], err: [Double] = [], rho: [Double] = [], rlo: [Double] = [], rhi: [Double] = [], rerr: [Double] = []
        var byDelta: [Double] = [], resDC: [Double] = [], resRho: [Double] = []
        var worse: [(Double, Double, Double)] = []
        for row in temps.indices {
            let sticks = art.spectrum.sticks(row: row)
            let values = deltas.map { GaussianFilter.apply(sticks, delta: $0, at: [0])[0] }
            // Resolution error at each δ: the same runs read at M/2 steps (FTLM inputs only).
            let res = art.coarse.map { c in deltas.indices.map { k in StatisticalError.resolution(full: values[k], half: GaussianFilter.apply(c.sticks(row: row), delta: deltas[k], at: [0])[0]) } }
                ?? deltas.map { _ in 0 }
            byDelta += values
            let c = GaussianFilter.apply(sticks, delta: central, at: [0])[0]
            let e = art.batches.count > 1
                ? BatchStatistics.standardError(art.batches.map { GaussianFilter.apply($0.sticks(row: row), delta: central, at: [0])[0] }) : 0
            let rc = art.coarse.map { StatisticalError.resolution(full: c, half: GaussianFilter.apply($0.sticks(row: row), delta: central, at: [0])[0]) } ?? 0
            sdc.append(c); err.append(e); rho.append(1 / c); rerr.append(e / (c * c))
            resDC.append(rc); resRho.append(rc / (c * c))
            if rc > e { worse.append((temps[row], rc / c, e / c)) }
            // The band: the paper's δ variation, widened by the resolution error at each δ (a
            // σ that could be as low as zero is capped at a tenth of its value).
            rlo.append(zip(values, res).map { 1 / ($0 + $1) }.min()!)
            rhi.append(zip(values, res).map { 1 / max($0 - $1, 0.1 * $0) }.max()!)
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        let r = f.root
        try r.setAttribute("label", art.label + " d.c.")
        try r.setAttribute("content", "resistivity")
        try r.write("temperature", temps, attributes: Units.temperature)
        try r.write("sigma_dc", sdc, attributes: ["meaning": "σ_δ(0) at the central δ = √(δ_min δ_max)"])
        try r.write("sigma_dc_error", err, attributes: ["meaning": "statistical error (batches) of sigma_dc"])
        try r.write("rho", rho, attributes: Units.rho)
        try r.write("rho_error", rerr, attributes: ["meaning": "statistical error of rho"])
        try r.write("rho_low", rlo, attributes: ["meaning": "lowest 1/(σ_δ(0) + its resolution error) over δ ∈ [δ_min, δ_max]"])
        try r.write("rho_high", rhi, attributes: ["meaning": "highest 1/(σ_δ(0) − its resolution error) over δ ∈ [δ_min, δ_max] (σ capped below at 0.1 σ)"])
        if art.coarse != nil {
            try r.write("sigma_dc_resolution_error", resDC, attributes: ["meaning": "resolution (finite Lanczos steps) error of sigma_dc: 2 |σ at M − σ at M/2|, same runs"])
            try r.write("rho_resolution_error", resRho, attributes: ["meaning": "resolution error of rho"])
        }
        try r.write("delta", deltas, attributes: ["meaning": "filter widths of sigma_dc_by_delta"])
        try r.write("sigma_dc_by_delta", byDelta, shape: [temps.count, n], attributes: ["meaning": "σ_δ(0), [temperature, delta]"])
        try r.write("delta_central", scalar: central)
        guard !worse.isEmpty else { return StageReport() }
        let list = worse.map { String(format: "T = %@ (%.1f%% against %.1f%%)", JSONValue.format($0.0), 100 * $0.1, 100 * $0.2) }
        return StageReport([("resolution_exceeds_statistical", .array(worse.map { .double($0.0) }))],
                           warnings: ["resolution error of σ_dc exceeds its statistical error at " + list.joined(separator: ", ")
                                      + "; the input needs more lanczos_steps for δ = " + String(format: "%.3g", central)])
    }
}
