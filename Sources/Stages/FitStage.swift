import Foundation
import HDF5
import Physics
import PipelineEngine

/// `fit`: ω̄ and A of paper Eq. 5 fitted to σ_dc(ω0) at one temperature.
struct FitStage: HDF5StageKind {
    let name = "fit"
    let version = 1
    let summary = "least-squares fit of paper Eq. 5 to σ_dc(ω0): datasets omega_bar, amplitude, curve"
    static let temperature = Parameter<Double>("temperature", .double(min: 0, exclusiveMin: true), unit: "t", help: "temperature")
    let parameters: [ParameterSpec] = [Self.temperature.spec]
    let inputs = [InputSpec("dc", multiple: true, accepts: ["dc", "rta", "dmft"], help: "artifacts with temperature and sigma_dc (dc, rta, dmft), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params[Self.temperature]
        var pts: [(Double, Double)] = []
        for input in context.inputs("dc") {
            guard let w0 = input.parameter(ModelParameters.omega0.name) else { throw StageError("\(input.stage): no ω0") }
            let f = try HDF5File.open(input.path)
            let temps = try f.root.readDoubles("temperature").values
            let dc = try f.root.readDoubles("sigma_dc").values
            f.close()
            guard let i = temps.firstIndex(where: { abs($0 - T) < 1e-9 * max(1, T) }) else { throw StageError("\(input.path): no T = \(T)") }
            pts.append((w0, dc[i]))
        }
        pts.sort { $0.0 < $1.0 }
        let fit = SpectraAnalysis.fitEquationFive(omega0: pts.map(\.0), sigmaDC: pts.map(\.1))
        let grid = (0...200).map { 0.005 * pow(2.0 / 0.005, Double($0) / 200) }
        let out = try HDF5File.create(context.outputPaths[0])
        defer { out.close() }
        try out.root.setAttribute("label", "Eq. 5 fit (ω̄ = \(String(format: "%.3f", fit.omegaBar)))")
        try out.root.write("omega0", pts.map(\.0))
        try out.root.write("sigma_dc", pts.map(\.1), attributes: ["meaning": "the data fitted"])
        try out.root.write("omega_bar", scalar: fit.omegaBar, attributes: ["meaning": "ω̄ of Eq. 5"])
        try out.root.write("amplitude", scalar: fit.amplitude, attributes: ["meaning": "A of Eq. 5"])
        try out.root.write("rms", scalar: fit.rms)
        try out.root.write("curve_omega0", grid)
        try out.root.write("curve", SpectraAnalysis.equationFive(amplitude: fit.amplitude, omegaBar: fit.omegaBar, omega0: grid).map { $0.isFinite && $0 > 0 ? $0 : .nan })
        return StageReport()
    }
}
