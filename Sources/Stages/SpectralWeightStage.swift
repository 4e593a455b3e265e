import Foundation
import HDF5
import Physics
import PipelineEngine

/// `spectral-weight`: SW(Λ) (paper Eq. 2) at one temperature for every input curve.
struct SpectralWeightStage: HDF5StageKind {
    let name = "spectral-weight"
    let version = 1
    let summary = "SW(Λ) = ∫_0^Λ σ dω (paper Eq. 2) per input curve and cutoff: datasets omega0, cutoff, sw[omega0, cutoff]"
    static let temperature = Parameter<Double>("temperature", .double(min: 0, exclusiveMin: true), unit: "t", help: "temperature")
    static let cutoffs = Parameter<[Double]>("cutoffs", .doubles(min: 0, exclusiveMin: true), unit: "t", help: "cutoffs Λ (a value beyond the grid integrates to its end: SW(∞))")
    let parameters: [ParameterSpec] = [Self.temperature.spec, Self.cutoffs.spec]
    let inputs = [InputSpec("spectra", multiple: true, accepts: ["filter", "dmft", "rta"], help: "σ(ω) curves (filter, dmft, rta), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params[Self.temperature], cuts = context.params[Self.cutoffs]
        let curves = try SweptCurve.load(context.inputs("spectra"))
        var sw: [Double] = [], err: [Double] = []
        for c in curves {
            let row = try c.curve.row(T, path: c.path)
            for cut in cuts {
                sw.append(SpectraAnalysis.spectralWeight(omega: c.curve.omega, sigma: row.sigma, cutoff: cut))
                err.append(row.error.map { SpectraAnalysis.spectralWeight(omega: c.curve.omega, sigma: $0, cutoff: cut) } ?? 0)
            }
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        try f.root.setAttribute("label", "spectral weight at T = \(JSONValue.format(T))")
        try f.root.write("omega0", curves.map(\.omega0), attributes: ["units": "t", "meaning": "ω0 of each input"])
        try f.root.write("cutoff", cuts, attributes: ["units": "t", "meaning": "Λ"])
        try f.root.write("sw", sw, shape: [curves.count, cuts.count], attributes: ["meaning": "SW(Λ), [omega0, cutoff]"])
        try f.root.write("sw_error", err, shape: [curves.count, cuts.count], attributes: ["meaning": "bound from integrating σ's error (fully correlated)"])
        return StageReport()
    }
}
