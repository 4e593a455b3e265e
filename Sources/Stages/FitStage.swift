import Foundation
import HDF5
import Physics
import PipelineEngine

/// `fit`: ω̄ and A of paper Eq. 5 fitted to σ_dc(ω0) at one temperature.
struct FitStage: HDF5StageKind {
    let name = "fit"
    // v2: ω̄ free (no bound at max ω0), weighted by the points' errors, with its standard error.
    // v3: the label names the method fitted ("Eq. 5 fit to RTA").
    let version = 3
    let summary = "least-squares fit of paper Eq. 5 to σ_dc(ω0): datasets omega_bar, amplitude, curve"
    static let temperature = Parameter<Double>("temperature", .double(min: 0, exclusiveMin: true), unit: "t", help: "temperature")
    let parameters: [ParameterSpec] = [Self.temperature.spec]
    let inputs = [InputSpec("dc", multiple: true, accepts: ["dc", "rta", "dmft"], help: "artifacts with temperature and sigma_dc (dc, rta, dmft), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params[Self.temperature]
        var pts: [(w0: Double, dc: Double, error: Double?)] = []
        var sources: Set<String> = []
        for input in context.inputs("dc") {
            guard let w0 = input.parameter(ModelParameters.omega0.name) else { throw StageError("\(input.stage): no ω0 in its lineage") }
            let f = try HDF5File.open(input.path)
            defer { f.close() }
            let temps = try f.root.readDoubles("temperature").values
            let dc = try f.root.readDoubles("sigma_dc").values
            let err = f.root.exists("sigma_dc_error") ? try f.root.readDoubles("sigma_dc_error").values : nil
            // The method the points come from, the first word of their label ("FTLM", "RTA", "DMFT").
            if let label = try f.root.attribute("label"), let word = label.split(separator: " ").first { sources.insert(String(word)) }
            guard let i = temps.firstIndex(where: { abs($0 - T) < 1e-9 * max(1, T) }) else { throw StageError("\(input.path): no T = \(T)") }
            pts.append((w0, dc[i], err.map { $0[i] }))
        }
        pts.sort { $0.w0 < $1.w0 }
        // Weighted by the points' statistical errors when every point has one (> 0).
        let errors = pts.allSatisfy({ ($0.error ?? 0) > 0 }) ? pts.map { $0.error! } : nil
        let fit = SpectraAnalysis.fitEquationFive(omega0: pts.map(\.w0), sigmaDC: pts.map(\.dc), errors: errors)
        let grid = (0...200).map { 0.005 * pow(2.0 / 0.005, Double($0) / 200) }
        let out = try HDF5File.create(context.outputPaths[0])
        defer { out.close() }
        let source = sources.count == 1 ? " to " + sources.first! : ""
        try out.root.setAttribute("label", "Eq. 5 fit\(source) (ω̄ = \(String(format: "%.3f", fit.omegaBar)) ± \(String(format: "%.3f", fit.omegaBarError)))")
        try out.root.write("omega0", pts.map(\.w0))
        try out.root.write("sigma_dc", pts.map(\.dc), attributes: ["meaning": "the data fitted"])
        try out.root.write("omega_bar", scalar: fit.omegaBar, attributes: ["meaning": "ω̄ of Eq. 5 (free: no bound at max ω0)"])
        try out.root.write("omega_bar_error", scalar: fit.omegaBarError,
                           attributes: ["units": "t", "meaning": errors == nil ? "standard error of ω̄ (residual scatter, n − 2 degrees of freedom)" : "standard error of ω̄ (weighted by the points' errors, Δχ² = 1)"])
        try out.root.write("amplitude", scalar: fit.amplitude, attributes: ["meaning": "A of Eq. 5"])
        try out.root.write("rms", scalar: fit.rms)
        try out.root.write("curve_omega0", grid)
        try out.root.write("curve", SpectraAnalysis.equationFive(amplitude: fit.amplitude, omegaBar: fit.omegaBar, omega0: grid).map { $0.isFinite && $0 > 0 ? $0 : .nan })
        return StageReport()
    }
}
