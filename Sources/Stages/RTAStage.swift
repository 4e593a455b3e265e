import Foundation
import HDF5
import Physics
import PipelineEngine

/// `rta`: relaxation time approximation (paper Eq. 3 and Eq. 4) on a static stick spectrum.
struct RTAStage: HDF5StageKind {
    let name = "rta"
    let version = 1
    // dc_delta (absent: Eq. 4 as before, so the key of an rta stage without it is unchanged).
    let summary = "relaxation time approximation (paper Eq. 3, 4): sigma[T, ω], sigma_dc, rho"
    static let omega0 = Parameter<Double>("omega0", .double(min: 0, exclusiveMin: true), unit: "t", help: "TLS Rabi frequency ω0")
    static let rate = Parameter<Double?>("p", .double(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "relaxation rate (default ω0, as in the paper)")
    static let temperatures = Parameter<[Double]?>("temperatures", .doubles(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "temperatures (default: all of the input)")
    static let omegaMax = Parameter<Double>("omega_max", .double(min: 0, exclusiveMin: true), default: .double(4), unit: "t", help: "largest ω of the output grid")
    static let omegaStep = Parameter<Double>("omega_step", .double(min: 0, exclusiveMin: true), default: .double(0.005), unit: "t", help: "grid step")
    static let dcDelta = Parameter<Double?>("dc_delta", .double(min: 0, exclusiveMin: true), default: .null, unit: "t",
                                            help: "sigma_dc as the Gaussian-filtered σ_RTA(ω = 0) of width δ, as the FTLM points of Fig. 3b (default: unfiltered, Eq. 4)")
    let parameters: [ParameterSpec] = [Self.omega0.spec, Self.rate.spec, Self.temperatures.spec, Self.omegaMax.spec, Self.omegaStep.spec, Self.dcDelta.spec]
    let inputs = [InputSpec("static", accepts: ["static-disorder"], help: "a static-disorder stick spectrum")]

    func validate(_ p: Params) -> [(String, String)] {
        p[Self.omegaMax] / p[Self.omegaStep] > 2e6 ? [(Self.omegaStep.name, "gives more than 2 million grid points")] : []
    }

    func sizes(_ p: Params) -> [SizeEstimate] {
        let rows = Double(p[Self.temperatures]?.count ?? 100)
        return [Footprint.grid(range: p[Self.omegaMax], step: p[Self.omegaStep], rows: rows * 10, arrays: 2, blame: Self.omegaStep.name)]
    }

    func run(_ context: StageContext) throws -> StageReport {
        let prm = context.params
        let input = context.input("static")!
        let art = try SpectrumArtifact.read(input.path)
        let p = prm[Self.rate] ?? prm[Self.omega0]
        let temps = prm[Self.temperatures] ?? art.spectrum.temperatures
        let step = prm[Self.omegaStep]
        let n = Int((prm[Self.omegaMax] / step).rounded(.down)) + 1
        let omegas = (0..<n).map { Double($0) * step }
        var sigma: [Double] = [], sigmaErr: [Double] = [], dc: [Double] = [], dcErr: [Double] = []
        let dcDelta = prm[Self.dcDelta]
        func sigmaDC(_ sticks: Sticks, _ T: Double) -> Double {
            dcDelta.map { RelaxationTime.filteredDC(sticks, temperature: T, p: p, delta: $0) } ?? RelaxationTime.dcConductivity(sticks, temperature: T, p: p)
        }
        for (k, T) in temps.enumerated() {
            let row = try art.row(of: T, path: input.path)
            let sticks = art.spectrum.sticks(row: row)
            sigma += RelaxationTime.conductivity(sticks, temperature: T, p: p, at: omegas)
            dc.append(sigmaDC(sticks, T))
            if art.batches.count > 1 {
                let bs = art.batches.map { $0.sticks(row: row) }
                let per = bs.map { RelaxationTime.conductivity($0, temperature: T, p: p, at: omegas) }
                sigmaErr += (0..<n).map { i in BatchStatistics.standardError(per.map { $0[i] }) }
                dcErr.append(BatchStatistics.standardError(bs.map { sigmaDC($0, T) }))
            }
            context.progress(Double(k + 1) / Double(temps.count), "temperatures")
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        let r = f.root
        try r.setAttribute("label", "RTA (p = \(JSONValue.format(p)))")
        try r.setAttribute("content", "curve")
        try r.write("omega", omegas, attributes: Units.omega)
        try r.write("temperature", temps, attributes: Units.temperature)
        try r.write("sigma", sigma, shape: [temps.count, n], attributes: Units.sigma)
        try r.write("sigma_dc", dc, attributes: ["meaning": dcDelta.map { "σ_RTA(ω = 0) Gaussian-filtered, δ = \(JSONValue.format($0))" } ?? "σ_dc^RTA(T), paper Eq. 4"])
        try r.write("rho", dc.map { 1 / $0 }, attributes: Units.rho)
        if !dcErr.isEmpty {
            try r.write("sigma_error", sigmaErr, shape: [temps.count, n], attributes: ["meaning": "standard error from batches"])
            try r.write("sigma_dc_error", dcErr, attributes: ["meaning": "standard error from batches"])
            try r.write("rho_error", zip(dc, dcErr).map { $1 / ($0 * $0) }, attributes: ["meaning": "standard error of ρ"])
        }
        try r.write("p", scalar: p, attributes: ["meaning": "relaxation rate p"])
        return StageReport()
    }
}
