import Foundation
import HDF5
import Physics
import PipelineEngine

/// `rta`: relaxation time approximation (paper Eq. 3 and Eq. 4) on a static stick spectrum.
struct RTAStage: HDF5StageKind {
    let name = "rta"
    let version = 1
    let summary = "relaxation time approximation (paper Eq. 3, 4): sigma[T, ω], sigma_dc, rho"
    let parameters: [ParameterSpec] = [
        ParameterSpec("omega0", .double(min: 0, exclusiveMin: true), help: "TLS Rabi frequency ω0"),
        ParameterSpec("p", .double(min: 0, exclusiveMin: true), default: .null, help: "relaxation rate (default ω0, as in the paper)"),
        ParameterSpec("temperatures", .doubles(min: 0, exclusiveMin: true), default: .null, help: "temperatures (default: all of the input)"),
        ParameterSpec("omega_max", .double(min: 0, exclusiveMin: true), default: .double(4), help: "largest ω of the output grid"),
        ParameterSpec("omega_step", .double(min: 0, exclusiveMin: true), default: .double(0.005), help: "grid step"),
    ]
    let inputs = [InputSpec("static", accepts: ["static-disorder"], help: "a static-disorder stick spectrum")]

    func validate(_ p: Params) -> [(String, String)] {
        p.double("omega_max") / p.double("omega_step") > 2e6 ? [("omega_step", "gives more than 2 million grid points")] : []
    }

    func sizes(_ p: Params) -> [SizeEstimate] {
        let rows = Double(p.has("temperatures") ? p.doubles("temperatures").count : 100)
        return [Footprint.grid(range: p.double("omega_max"), step: p.double("omega_step"), rows: rows * 10, arrays: 2, blame: "omega_step")]
    }

    func run(_ context: StageContext) throws -> StageReport {
        let prm = context.params
        let input = context.input("static")!
        let art = try SpectrumArtifact.read(input.path)
        let p = prm.optionalDouble("p") ?? prm.double("omega0")
        let temps = prm.has("temperatures") ? prm.doubles("temperatures") : art.spectrum.temperatures
        let step = prm.double("omega_step")
        let n = Int((prm.double("omega_max") / step).rounded(.down)) + 1
        let omegas = (0..<n).map { Double($0) * step }
        var sigma: [Double] = [], sigmaErr: [Double] = [], dc: [Double] = [], dcErr: [Double] = []
        for (k, T) in temps.enumerated() {
            let row = try art.row(of: T, path: input.path)
            let sticks = art.spectrum.sticks(row: row)
            sigma += RelaxationTime.conductivity(sticks, temperature: T, p: p, at: omegas)
            dc.append(RelaxationTime.dcConductivity(sticks, temperature: T, p: p))
            if art.batches.count > 1 {
                let bs = art.batches.map { $0.sticks(row: row) }
                let per = bs.map { RelaxationTime.conductivity($0, temperature: T, p: p, at: omegas) }
                sigmaErr += (0..<n).map { i in BatchStatistics.standardError(per.map { $0[i] }) }
                dcErr.append(BatchStatistics.standardError(bs.map { RelaxationTime.dcConductivity($0, temperature: T, p: p) }))
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
        try r.write("sigma_dc", dc, attributes: ["meaning": "σ_dc^RTA(T), paper Eq. 4"])
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
