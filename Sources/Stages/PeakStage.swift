import Foundation
import HDF5
import Physics
import PipelineEngine

/// `peak`: position of the finite-frequency maximum of σ(ω) per input curve.
struct PeakStage: HDF5StageKind {
    let name = "peak"
    // v2: a maximum whose prominence is within the errors is no peak (NaN), with the candidate kept.
    // v3: records each curve's label (attribute `curve_labels`), so a figure can say where each point comes from.
    let version = 3
    let summary = "position of the finite-frequency peak of σ(ω) per input curve (NaN where the maximum is within the errors): datasets omega0, peak, candidate, prominence"
    static let temperature = Parameter<Double>("temperature", .double(min: 0, exclusiveMin: true), unit: "t", help: "temperature")
    static let omegaMin = Parameter<Double>("omega_min", .double(min: 0), default: .double(0.02), unit: "t", help: "ignore maxima below this ω (the ω = 0 peak)")
    static let significance = Parameter<Double>("significance", .double(min: 0), default: .double(2),
                                                help: "a maximum is a peak when its prominence over the dip between ω = 0 and it exceeds this many times the errors there")
    let parameters: [ParameterSpec] = [Self.temperature.spec, Self.omegaMin.spec, Self.significance.spec]
    let inputs = [InputSpec("spectra", multiple: true, accepts: ["filter", "dmft", "rta"], help: "σ(ω) curves (filter, dmft, rta), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params[Self.temperature]
        let curves = try SweptCurve.load(context.inputs("spectra"))
        let peaks = try curves.map { c -> SpectraAnalysis.Peak in
            let row = try c.curve.row(T, path: c.path)
            return SpectraAnalysis.significantPeak(omega: c.curve.omega, sigma: row.sigma, error: row.error,
                                                   omegaMin: context.params[Self.omegaMin], significance: context.params[Self.significance])
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        try f.root.setAttribute("label", "peak position at T = \(JSONValue.format(T))")
        try f.root.write("omega0", curves.map(\.omega0), attributes: ["units": "t"])
        // One label per ω0, in the same order: which system (N, twists) each peak was read from.
        let labels = String(decoding: try JSONEncoder().encode(curves.map(\.curve.label)), as: UTF8.self)
        try f.root.setAttribute("curve_labels", labels)
        try f.root.write("peak", peaks.map { $0.position ?? .nan }, attributes: ["units": "t", "meaning": "ω of the finite-frequency peak (NaN: none beyond the errors)"])
        try f.root.write("candidate", peaks.map { $0.candidate ?? .nan }, attributes: ["units": "t", "meaning": "ω of the largest finite-frequency maximum, a peak or not"])
        try f.root.write("prominence", peaks.map(\.prominence), attributes: ["meaning": "σ at the maximum minus the lowest σ between ω = 0 and it"])
        try f.root.write("prominence_error", peaks.map(\.prominenceError), attributes: ["meaning": "error of σ at the maximum plus at that dip (statistical + resolution)"])
        return StageReport()
    }
}
