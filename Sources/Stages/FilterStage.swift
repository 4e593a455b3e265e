import Foundation
import HDF5
import Physics
import PipelineEngine

/// `filter`: Gaussian filter of width δ of any stick spectrum → σ(ω) on a grid, with the
/// statistical error from the spread of the independent batches.
struct FilterStage: HDF5StageKind {
    let name = "filter"
    // v2: sigma_resolution_error from the FTLM input's coarse (M/2) spectrum.
    let version = 2
    let summary = "Gaussian filter (width δ) of a stick spectrum: datasets omega, temperature, sigma[T, ω], sigma_error"
    static let delta = Parameter<Double>("delta", .double(min: 0, exclusiveMin: true), unit: "t", help: "Gaussian width δ")
    static let omegaMax = Parameter<Double>("omega_max", .double(min: 0, exclusiveMin: true), default: .double(4), unit: "t", help: "largest ω of the output grid")
    static let omegaStep = Parameter<Double?>("omega_step", .double(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "grid step (default δ/4, at most 0.01)")
    let parameters: [ParameterSpec] = [Self.delta.spec, Self.omegaMax.spec, Self.omegaStep.spec]
    let inputs = [InputSpec("spectrum", accepts: ["static-disorder", "ed", "ftlm"], help: "a stick spectrum (static-disorder, ed, ftlm)")]

    /// The output grid step: `omega_step`, else δ/4 (at most 0.01).
    static func step(_ p: Params) -> Double { p[Self.omegaStep] ?? min(p[Self.delta] / 4, 0.01) }

    func validate(_ p: Params) -> [(String, String)] {
        if p[Self.omegaMax] / Self.step(p) > 2e6 { return [(p.has(Self.omegaStep) ? Self.omegaStep.name : Self.omegaMax.name, "gives more than 2 million grid points")] }
        return []
    }

    func sizes(_ p: Params) -> [SizeEstimate] {
        // Rows: the input's temperatures and batches, unknown here; 100 is generous.
        [Footprint.grid(range: p[Self.omegaMax], step: Self.step(p), rows: 100, arrays: 2, blame: p.has(Self.omegaStep) ? Self.omegaStep.name : Self.omegaMax.name)]
    }

    func run(_ context: StageContext) throws -> StageReport {
        let p = context.params
        let input = context.input("spectrum")!
        let art = try SpectrumArtifact.read(input.path)
        let delta = p[Self.delta]
        let step = Self.step(p)
        let n = Int((p[Self.omegaMax] / step).rounded(.down)) + 1
        let omegas = (0..<n).map { Double($0) * step }
        let temps = art.spectrum.temperatures
        var sigma: [Double] = []
        var error: [Double] = []
        var resolution: [Double] = []
        for row in temps.indices {
            let full = GaussianFilter.apply(art.spectrum.sticks(row: row), delta: delta, at: omegas)
            sigma += full
            if let c = art.coarse {
                resolution += zip(full, GaussianFilter.apply(c.sticks(row: row), delta: delta, at: omegas)).map { StatisticalError.resolution(full: $0, half: $1) }
            }
            if art.batches.count > 1 {
                let per = art.batches.map { GaussianFilter.apply($0.sticks(row: row), delta: delta, at: omegas) }
                error += (0..<n).map { k in BatchStatistics.standardError(per.map { $0[k] }) }
            }
            context.progress(Double(row + 1) / Double(temps.count), "temperatures")
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        let r = f.root
        try r.setAttribute("label", art.label + ", δ = \(JSONValue.format(delta))")
        try r.setAttribute("content", "curve")
        try r.write("omega", omegas, attributes: Units.omega)
        try r.write("temperature", temps, attributes: Units.temperature)
        try r.write("sigma", sigma, shape: [temps.count, n], attributes: Units.sigma)
        if !error.isEmpty {
            try r.write("sigma_error", error, shape: [temps.count, n],
                        attributes: ["meaning": "standard error of σ from the spread of independent batches"])
        }
        if !resolution.isEmpty {
            try r.write("sigma_resolution_error", resolution, shape: [temps.count, n], attributes: [
                "meaning": "resolution (finite Lanczos steps) error of σ: 2 |σ at M − σ at M/2| from the same runs; error bands add it to sigma_error"])
        }
        try r.write("delta", scalar: delta, attributes: ["units": "t", "meaning": "Gaussian filter width δ"])
        try r.write("kinetic_energy", art.kineticEnergy, attributes: ["units": "t", "meaning": "⟨K⟩ of the input spectrum"])
        return StageReport()
    }
}
