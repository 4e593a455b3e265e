import Foundation
import HDF5
import Physics
import PipelineEngine

/// `dmft`: real-axis DMFT spectra, optical conductivity and resistivity, one solve per temperature.
struct DMFTStage: HDF5StageKind {
    let name = "dmft"
    // v3: total_weight integrates the Drude peak in closed form (f-sum to ~2% at T ≥ 0.05, was off by up to 1e15).
    // v4: σ(ω > 0) pairs the refined edge points too and the window resolves the edge's Γ (f-sum
    // to 1e−3); e0 exact (bisection on the off-grid T = 0 Σ), was the grid point below it.
    let version = 4
    let summary = "DMFT (paper App. A), DMFT+CPA with local disorder: G, Σ, DOS, Γ per temperature (T = 0 allowed); sigma[T, ω], sigma_dc, rho, kinetic energy"
    static let t = Parameter<Double>("t", .double(min: 0, exclusiveMin: true), default: .double(1), unit: "t", help: "hopping t")
    static let g = Parameter<Double>("g", .double(min: 0), unit: "t", help: "electron–TLS coupling g")
    static let omega0 = Parameter<Double>("omega0", .double(min: 0, exclusiveMin: true), unit: "t", help: "TLS Rabi frequency ω0")
    static let temperatures = Parameter<[Double]>("temperatures", .doubles(min: 0), unit: "t", help: "temperatures (0 gives spectra only)")
    static let maxStep = Parameter<Double>("max_step", .double(min: 0, exclusiveMin: true), default: .double(0.002), unit: "t", help: "largest frequency step (the step divides ω0)")
    static let eta = Parameter<Double>("eta", .double(min: 0), default: .double(0), unit: "t", help: "final broadening η (continued down from 1e-2)")
    static let tolerance = Parameter<Double>("tolerance", .double(min: 0, exclusiveMin: true), default: .double(1e-11), help: "self-consistency tolerance")
    static let maxIterations = Parameter<Int>("max_iterations", .int(min: 1), default: .int(20000), help: "iteration cap per η stage")
    static let omegaMax = Parameter<Double>("omega_max", .double(min: 0, exclusiveMin: true), default: .double(4), unit: "t", help: "largest ω of sigma")
    static let omegaStep = Parameter<Double>("omega_step", .double(min: 0, exclusiveMin: true), default: .double(0.01), unit: "t", help: "ω step of sigma (rounded to a multiple of the grid step)")
    static let disorderNodes = Parameter<Int>("disorder_nodes", .int(min: 1, max: 256), default: .int(32),
                                              help: "Gauss–Legendre nodes of the DMFT+CPA average over a box ε or a uniform / log-uniform g")
    let parameters: [ParameterSpec] = [Self.t.spec, Self.g.spec, Self.omega0.spec, Self.temperatures.spec, Self.maxStep.spec, Self.eta.spec, Self.tolerance.spec, Self.maxIterations.spec, Self.omegaMax.spec, Self.omegaStep.spec,
                                       DisorderParameters.width.spec, DisorderParameters.kind.spec, DisorderParameters.g.spec, DisorderParameters.omega0.spec, Self.disorderNodes.spec]
    let inputs: [InputSpec] = []

    func validate(_ p: Params) -> [(String, String)] {
        var problems: [(String, String)] = p[Self.omega0] / p[Self.maxStep] > 1e6 ? [(Self.maxStep.name, "gives more than 10⁶ points per ω0")] : []
        problems += DisorderParameters.distributionProblems(p)
        let w0 = omega0Distribution(p)
        if problems.isEmpty && !w0.isFixed {
            if w0.smallest < 5 * p[Self.maxStep] {
                problems.append((DisorderParameters.omega0.name, "min must be at least 5 × max_step (site ω0's are rounded to whole grid steps); lower max_step"))
            } else if w0.bound / p[Self.maxStep] > 1e6 {
                problems.append((Self.maxStep.name, "gives more than 10⁶ points per ω0"))
            }
        }
        if problems.isEmpty && siteAverage(p).nodes.count > 1024 {
            problems.append((Self.disorderNodes.name, "gives more than 1024 (ε, g, ω0) nodes per impurity solve; use fewer"))
        }
        return problems
    }

    /// The local distribution averaged by DMFT+CPA (one clean node without disorder).
    func siteAverage(_ p: Params) -> DMFTSiteAverage {
        DMFTSiteAverage.product(width: p[DisorderParameters.width], kind: OnSiteDisorder(rawValue: p[DisorderParameters.kind]) ?? .box,
                                g: DisorderParameters.site(p[DisorderParameters.g], fixed: p[Self.g]), omega0: omega0Distribution(p),
                                points: p[Self.disorderNodes])
    }

    func omega0Distribution(_ p: Params) -> SiteDistribution { DisorderParameters.site(p[DisorderParameters.omega0], fixed: p[Self.omega0]) }

    /// The ω0 that sets the grid: the fixed one, or the largest a site can have.
    func gridOmega0(_ p: Params) -> Double {
        let d = omega0Distribution(p)
        if case .fixed(let v) = d { return v }
        return d.bound
    }

    func sizes(_ p: Params) -> [SizeEstimate] {
        // The real-frequency grid spans the band, the coupling and the thermal replicas at a step
        // of at most max_step (and at most ω0); σ(ω) is sampled up to omega_max.
        let w0 = gridOmega0(p), h = min(p[Self.maxStep], w0)
        let gBound = max(abs(p[Self.g]), DisorderParameters.site(p[DisorderParameters.g], fixed: p[Self.g]).bound)
        let span = 4 * abs(p[Self.t]) + gBound * 2 + p[DisorderParameters.width] + Double(DMFTControls().replicas + 2) * w0 + 4
        let nu = Footprint.points(span, h)
        let rows = Double(p[Self.temperatures].count + 1)
        // The parameter that makes the span large, else the step.
        let blame = p[DisorderParameters.width] > 1e3 ? DisorderParameters.width.name
            : span / w0 > 1e6 ? "omega0" : (abs(p[Self.t]) > 1e3 ? "t" : (gBound > 1e3 ? (abs(p[Self.g]) > 1e3 ? Self.g.name : DisorderParameters.g.name) : Self.maxStep.name))
        return [
            SizeEstimate(parameter: blame, bytes: nu * rows * 64 * 2,
                         what: "\(Footprint.format(nu)) real frequencies × \(Int(rows)) temperatures of G, Σ, DOS and Γ (twice with the transport grid)"),
            Footprint.grid(range: p[Self.omegaMax], step: min(p[Self.omegaStep], p[Self.omegaMax]), rows: rows, arrays: 1, blame: Self.omegaMax.name),
        ]
    }

    func run(_ context: StageContext) throws -> StageReport {
        let p = context.params
        var c = DMFTControls()
        c.maxStep = p[Self.maxStep]; c.eta = p[Self.eta]
        c.tolerance = p[Self.tolerance]; c.maxIterations = p[Self.maxIterations]
        let sites = siteAverage(p)
        let dmft = DMFT(t: p[Self.t], sites: sites, omega0: gridOmega0(p), controls: c)
        let temps = p[Self.temperatures]
        // T = 0 gives E0. With disorder (DMFT+CPA) it is solved only when asked for: the discrete
        // nodes' bound states below the band can keep the η = 0 iteration at T = 0 from converging
        // (seen at ω0 = 0.05, W = 0.5, 24 000 iterations), and E0 would be a grid estimate anyway.
        let zeroT: DMFTSolution? = sites.isClean || temps.contains(0) ? try dmft.solve(temperature: 0) : nil
        let e0 = zeroT.map { dmft.groundStateEnergy(near: dmft.gridBandBottom($0)) } ?? .nan
        var green: [ComplexValue] = [], selfE: [ComplexValue] = [], dos: [Double] = [], gamma: [Double] = []
        var sigma: [Double] = [], dc: [Double] = [], kin: [Double] = [], total: [Double] = [], iters: [Int] = [], res: [Double] = []
        var omegas: [Double] = []
        // Temperatures are independent solves: run them on the cores this stage was given.
        let omegaMax = p[Self.omegaMax], omegaStep = p[Self.omegaStep]
        let solved = TemperatureResults(count: temps.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(context.threads, temps.count))) { _ in
            while let k = solved.next() {
                let T = temps[k]
                solved.set(k, Result {
                    let s = T == 0 ? zeroT! : try dmft.solve(temperature: T)
                    let cond = T > 0 ? try dmft.conductivity(temperature: T, base: s, omegaMax: omegaMax, omegaStep: omegaStep) : nil
                    return (s, cond)
                })
                context.progress(Double(solved.finished) / Double(temps.count), "temperatures")
            }
        }
        for (k, T) in temps.enumerated() {
            let (s, conductivity) = try solved.value(k)
            green += s.green.map { ComplexValue($0.real, $0.imaginary) }
            selfE += s.selfEnergy.map { ComplexValue($0.real, $0.imaginary) }
            dos += s.dos
            gamma += s.scatteringRate
            iters.append(s.iterations); res.append(s.residual)
            if T > 0 {
                let cond = conductivity!
                omegas = cond.omega
                sigma += cond.sigma
                dc.append(cond.sigmaDC); kin.append(cond.kineticEnergy); total.append(cond.totalWeight)
            } else {
                dc.append(.infinity); kin.append(.nan); total.append(.nan)
                sigma += [Double](repeating: .nan, count: 0)
            }
        }
        // T = 0 rows of sigma are NaN (σ_dc is infinite there).
        let nw = omegas.count
        if nw > 0 {
            var full: [Double] = []
            var cursor = 0
            for T in temps {
                if T > 0 { full += sigma[cursor..<cursor + nw]; cursor += nw } else { full += [Double](repeating: .nan, count: nw) }
            }
            sigma = full
        }
        let f = try HDF5File.create(context.outputPaths[0])
        defer { f.close() }
        let r = f.root
        let n = dmft.omega.count
        let disorder = p[DisorderParameters.width] > 0 ? ", W = \(JSONValue.format(p[DisorderParameters.width]))" : ""
        let w0Text: String
        switch omega0Distribution(p) {
        case .fixed(let v): w0Text = "ω0 = \(JSONValue.format(v))"
        case .uniform(let a, let b): w0Text = "ω0 uniform [\(JSONValue.format(a)), \(JSONValue.format(b))]"
        case .logUniform(let a, let b): w0Text = "ω0 log-uniform [\(JSONValue.format(a)), \(JSONValue.format(b))]"
        case .binary(let a, let b): w0Text = "ω0 = \(JSONValue.format(a)) or \(JSONValue.format(b))"
        }
        try r.setAttribute("label", sites.isClean ? "DMFT (\(w0Text))" : "DMFT+CPA (\(w0Text)\(disorder))")
        try r.setAttribute("content", "curve")
        try r.write("temperature", temps, attributes: Units.temperature)
        try r.write("nu", dmft.omega, attributes: ["units": "t", "meaning": "real frequency grid of the spectra (step divides ω0)"])
        try r.write("green", green, shape: [temps.count, n], attributes: ["meaning": "local Green function G(ν), [temperature, nu]"])
        try r.write("self_energy", selfE, shape: [temps.count, n], attributes: ["meaning": "self-energy Σ(ν), [temperature, nu]"])
        try r.write("dos", dos, shape: [temps.count, n], attributes: ["meaning": "N*(ν) = −Im G/π, [temperature, nu]"])
        try r.write("gamma", gamma, shape: [temps.count, n], attributes: ["meaning": "Γ(ν) = −Im Σ, [temperature, nu]"])
        try r.write("e0", scalar: e0, attributes: ["meaning": sites.isClean
            ? "ground-state energy E0: where ν − Σ(ν) reaches −2t at T = 0 (to roundoff, not to the grid step)"
            : "bottom of the T = 0 DMFT+CPA spectrum on the grid (to the grid step); NaN unless T = 0 is among the temperatures"])
        try r.write("omega", omegas, attributes: Units.omega)
        try r.write("sigma", sigma, shape: [temps.count, nw], attributes: Units.sigma)
        try r.write("sigma_dc", dc, attributes: ["meaning": "σ(ω → 0) (infinite at T = 0)"])
        try r.write("rho", dc.map { 1 / $0 }, attributes: Units.rho)
        try r.write("kinetic_energy", kin, attributes: ["units": "t", "meaning": "⟨K⟩"])
        try r.write("total_weight", total, attributes: ["meaning": "∫_{−∞}^{∞} σ dω over the whole spectrum, the Drude peak in closed form (f-sum: π⟨−K⟩ to 1e−3 at T ≥ 0.05)"])
        try r.write("iterations", iters, attributes: ["meaning": "self-consistency iterations (all η stages)"])
        try r.write("residual", res, attributes: ["meaning": "final relative residual"])
        return StageReport()
    }
}

/// Per-temperature results filled by parallel workers, handed out in index order.
private final class TemperatureResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<(DMFTSolution, DMFTConductivity?), Error>?]
    private var cursor = 0
    private(set) var finished = 0
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func next() -> Int? { lock.lock(); defer { lock.unlock() }; guard cursor < slots.count else { return nil }; cursor += 1; return cursor - 1 }
    func set(_ k: Int, _ r: Result<(DMFTSolution, DMFTConductivity?), Error>) { lock.lock(); slots[k] = r; finished += 1; lock.unlock() }
    func value(_ k: Int) throws -> (DMFTSolution, DMFTConductivity?) { try slots[k]!.get() }
}
