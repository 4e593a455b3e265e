import Foundation
import HDF5
import Physics
import PipelineEngine

/// A curve artifact (σ on a grid) with the sweep value of its instance.
struct SweptCurve {
    let omega0: Double
    let curve: CurveArtifact
    let path: String

    static func load(_ inputs: [InputArtifact]) throws -> [SweptCurve] {
        try inputs.map { input in
            guard let w0 = input.parameter("omega0") else {
                throw StageError("\(input.stage): cannot tell its ω0 (expected a stage swept over omega0 or with an omega0 parameter)")
            }
            return SweptCurve(omega0: w0, curve: try CurveArtifact.read(input.path), path: input.path)
        }.sorted { $0.omega0 < $1.omega0 }
    }
}

/// `spectral-weight`: SW(Λ) (paper Eq. 2) at one temperature for every input curve.
struct SpectralWeightStage: HDF5StageKind {
    let name = "spectral-weight"
    let version = 1
    let summary = "SW(Λ) = ∫_0^Λ σ dω (paper Eq. 2) per input curve and cutoff: datasets omega0, cutoff, sw[omega0, cutoff]"
    let parameters = [
        ParameterSpec("temperature", .double(min: 0, exclusiveMin: true), help: "temperature"),
        ParameterSpec("cutoffs", .doubles(min: 0, exclusiveMin: true), help: "cutoffs Λ (a value beyond the grid integrates to its end: SW(∞))"),
    ]
    let inputs = [InputSpec("spectra", multiple: true, accepts: ["filter", "dmft", "rta"], help: "σ(ω) curves (filter, dmft, rta), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params.double("temperature"), cuts = context.params.doubles("cutoffs")
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

/// `peak`: position of the finite-frequency maximum of σ(ω) per input curve.
struct PeakStage: HDF5StageKind {
    let name = "peak"
    let version = 1
    let summary = "position of the finite-frequency maximum of σ(ω) per input curve: datasets omega0, peak"
    let parameters = [
        ParameterSpec("temperature", .double(min: 0, exclusiveMin: true), help: "temperature"),
        ParameterSpec("omega_min", .double(min: 0), default: .double(0.02), help: "ignore maxima below this ω (the ω = 0 peak)"),
    ]
    let inputs = [InputSpec("spectra", multiple: true, accepts: ["filter", "dmft", "rta"], help: "σ(ω) curves (filter, dmft, rta), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params.double("temperature")
        let curves = try SweptCurve.load(context.inputs("spectra"))
        let peaks = try curves.map { c -> Double in
            let row = try c.curve.row(T, path: c.path)
            return SpectraAnalysis.peak(omega: c.curve.omega, sigma: row.sigma, omegaMin: context.params.double("omega_min")) ?? .nan
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        try f.root.setAttribute("label", "peak position at T = \(JSONValue.format(T))")
        try f.root.write("omega0", curves.map(\.omega0), attributes: ["units": "t"])
        try f.root.write("peak", peaks, attributes: ["units": "t", "meaning": "ω of the finite-frequency maximum (NaN: none)"])
        return StageReport()
    }
}

/// `fit`: ω̄ and A of paper Eq. 5 fitted to σ_dc(ω0) at one temperature.
struct FitStage: HDF5StageKind {
    let name = "fit"
    let version = 1
    let summary = "least-squares fit of paper Eq. 5 to σ_dc(ω0): datasets omega_bar, amplitude, curve"
    let parameters = [ParameterSpec("temperature", .double(min: 0, exclusiveMin: true), help: "temperature")]
    let inputs = [InputSpec("dc", multiple: true, accepts: ["dc", "rta", "dmft"], help: "artifacts with temperature and sigma_dc (dc, rta, dmft), one per ω0")]

    func run(_ context: StageContext) throws -> StageReport {
        let T = context.params.double("temperature")
        var pts: [(Double, Double)] = []
        for input in context.inputs("dc") {
            guard let w0 = input.parameter("omega0") else { throw StageError("\(input.stage): no ω0") }
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
