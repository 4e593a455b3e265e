import Foundation
import HDF5
import Physics
import PipelineEngine

/// `peak`: position of the finite-frequency maximum of σ(ω) per input curve.
struct PeakStage: HDF5StageKind {
    let name = "peak"
    let version = 1
    let summary = "position of the finite-frequency maximum of σ(ω) per input curve: datasets omega0, peak"
    static let temperature = Parameter<Double>("temperature", .double(min: 0, exclusiveMin: true), unit: "t", help: "temperature")
    static let omegaMin = Parameter<Double>("omega_min", .double(min: 0), default: .double(0.02), unit: "t", help: "ignore maxima below this ω (the ω = 0 peak)")
    let parameters: [ParameterSpec] = [Self.temperature.spec, Self.omegaMin.spec]
    let inputs = [InputSpec("spectra", multiple: true, accepts: ["filter", "dmft", "rta"], help: "σ(ω) curves (filter, dmft, rta), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params[Self.temperature]
        let curves = try SweptCurve.load(context.inputs("spectra"))
        let peaks = try curves.map { c -> Double in
            let row = try c.curve.row(T, path: c.path)
            return SpectraAnalysis.peak(omega: c.curve.omega, sigma: row.sigma, omegaMin: context.params[Self.omegaMin]) ?? .nan
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        try f.root.setAttribute("label", "peak position at T = \(JSONValue.format(T))")
        try f.root.write("omega0", curves.map(\.omega0), attributes: ["units": "t"])
        try f.root.write("peak", peaks, attributes: ["units": "t", "meaning": "ω of the finite-frequency maximum (NaN: none)"])
        return StageReport()
    }
}
