import Foundation
import LinearAlgebra
import Numerics

/// Numerical controls of the real-axis DMFT solution (paper Appendix A).
public struct DMFTControls: Sendable, Equatable {
    /// Largest frequency step; the actual step divides ω0 exactly, so ±ω0 shifts are grid shifts.
    public var maxStep: Double = 0.002
    /// Final broadening η; the solution is continued from 1e−2 down to this value. The default 0
    /// is exact: any finite η leaks Lorentzian tails below the band bottom that the Boltzmann
    /// factor e^{−βν} amplifies at low T.
    public var eta: Double = 0
    public var tolerance: Double = 1e-11
    public var maxIterations: Int = 20000
    /// Thermal replicas of the band bottom kept below it (at E0 − kω0).
    public var replicas: Int = 6
    public var continuation = true
    public init() {}
}

/// One temperature's DMFT solution on the frequency grid.
public struct DMFTSolution: Sendable {
    public let temperature: Double
    public let omega: [Double]
    public let green: [ComplexDouble]
    public let selfEnergy: [ComplexDouble]
    public let iterations: Int
    public let residual: Double

    public init(temperature: Double, omega: [Double], green: [ComplexDouble], selfEnergy: [ComplexDouble], iterations: Int, residual: Double) {
        self.temperature = temperature; self.omega = omega; self.green = green; self.selfEnergy = selfEnergy
        self.iterations = iterations; self.residual = residual
    }

    public var dos: [Double] { green.map { -$0.imaginary / Double.pi } }
    public var scatteringRate: [Double] { selfEnergy.map { -$0.imaginary } }
}

public struct DMFTError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// DMFT for one electron coupled to a TLS on every site of the 1D chain: the impurity problem has
/// the closed form of paper Eq. A6; the lattice enters through the 1D Hilbert transform
/// G_loc(z) = 1/√((z − Σ)² − 4t²).
public struct DMFT: Sendable {
    public let t: Double
    /// The coupling (the largest one when g is distributed).
    public let g: Double
    public let omega0: Double
    public let controls: DMFTControls
    /// Local disorder averaged in the impurity problem (DMFT+CPA); clean: one node, ε = 0.
    public let sites: DMFTSiteAverage
    /// The base step h = ω0/p.
    public let step: Double
    /// Grid points per ω0: the grid repeats a set of residues u ∈ [0, ω0) every ω0, so ν ± ω0
    /// is always the grid point `shift` away and each chain {u + kω0} is solved exactly
    /// (the self-consistency couples only ν and ν ± ω0).
    public let shift: Int
    /// The residues, ascending: the uniform ones q·h and, in a transport grid, a window refined
    /// around the residue of a band edge (see `DMFTGrid`).
    public let residues: [Double]
    public let omega: [Double]
    /// Indices of the uniform points n·h, ascending: σ(ω > 0) pairs them by index shifts.
    public let uniformIndices: [Int]
    /// ∫ F(ν) dν ≈ Σ_i quadratureWeights[i] F(ν_i) (exact for smooth F to O(h²); with a refined
    /// window, also for the inverse-square-root edges at its centre).
    public let quadratureWeights: [Double]
    /// Per site node: the index shift of its ν ± ω0 and its ω0 (a site ω0 is rounded to a whole
    /// number of steps on the uniform grid that distributed ω0's need).
    let nodeShifts: [Int]
    let nodeOmega0: [Double]

    public init(t: Double = 1, g: Double, omega0: Double, controls: DMFTControls = DMFTControls()) {
        self.init(t: t, sites: .clean(g: g), omega0: omega0, controls: controls, refinedAround: nil, edgeWidth: 0)
    }

    /// DMFT+CPA: on-site energies and couplings distributed as `sites`.
    public init(t: Double = 1, sites: DMFTSiteAverage, omega0: Double, controls: DMFTControls = DMFTControls()) {
        self.init(t: t, sites: sites, omega0: omega0, controls: controls, refinedAround: nil, edgeWidth: 0)
    }

    /// A grid with a window of extra residues around the residue of `edge` (nil: uniform), fine
    /// enough to resolve an edge rounded over `edgeWidth` (its Γ).
    init(t: Double, sites: DMFTSiteAverage, omega0: Double, controls: DMFTControls, refinedAround edge: Double?, edgeWidth: Double) {
        precondition(omega0 > 0, "DMFT needs ω0 > 0")
        self.t = t; self.sites = sites; self.g = sites.largestG; self.omega0 = omega0; self.controls = controls
        let p = max(1, Int((omega0 / controls.maxStep).rounded(.up)))
        let h = omega0 / Double(p)
        step = h
        let grid = DMFTGrid(omega0: omega0, basePoints: p, edge: edge, edgeWidth: edgeWidth)
        residues = grid.residues
        shift = residues.count
        let lo = -2 * abs(t) - abs(g) - sites.largestEpsilon - Double(controls.replicas) * omega0 - 2
        let hi = 2 * abs(t) + abs(g) + sites.largestEpsilon + 2 * omega0 + 2
        let k0 = Int((lo / omega0).rounded(.down)), k1 = Int((hi / omega0).rounded(.up))
        var w: [Double] = [], u: [Int] = [], q: [Double] = []
        for k in k0...k1 {
            for (r, x) in residues.enumerated() {
                if grid.isUniform[r] { u.append(w.count) }
                w.append(x + Double(k) * omega0)
                q.append(grid.weights[r])
            }
        }
        omega = w
        uniformIndices = u
        quadratureWeights = q
        precondition(edge == nil || !sites.hasDistributedOmega0, "distributed ω0 needs the uniform grid")
        let shift = self.shift
        nodeShifts = sites.nodes.map { node in node.omega0.map { max(1, Int(($0 / h).rounded())) } ?? shift }
        nodeOmega0 = zip(sites.nodes, nodeShifts).map { node, m in node.omega0 == nil ? omega0 : Double(m) * h }
    }

    /// The grid for transport at temperature T: refined around the band bottom's residue when
    /// the base solution shows an edge sharper than the step (Γ there below 10h), since an
    /// inverse-square-root edge off the grid makes a Riemann sum converge only as √h
    /// (measured: ρ moved 3.5% when h was halved at ω0 = 2, T = 0.1).
    public func transportGrid(_ base: DMFTSolution) -> DMFT {
        // Site ω0's of their own shift by their own number of steps: the grid stays uniform.
        guard !sites.hasDistributedOmega0, let edge = bandBottom(base) else { return self }
        return DMFT(t: t, sites: sites, omega0: omega0, controls: controls, refinedAround: edge.position, edgeWidth: edge.gamma)
    }

    /// Σ of `s` (solved on a uniform grid of this DMFT's step) interpolated linearly onto this
    /// grid: the warm start of a transport-grid solve.
    public func interpolatedSelfEnergy(from s: DMFTSolution) -> [ComplexDouble] {
        let w0 = s.omega[0], n = s.omega.count
        return omega.map { w in
            let x = (w - w0) / step
            let i = min(max(0, Int(x.rounded(.down))), n - 2)
            let f = min(max(0, x - Double(i)), 1)
            let a = s.selfEnergy[i], b = s.selfEnergy[i + 1]
            return ComplexDouble(a.real + f * (b.real - a.real), a.imaginary + f * (b.imaginary - a.imaginary))
        }
    }

    /// Where ν − Re Σ(ν) first crosses −2t upwards with Γ < 10h there, if it does, and Γ there.
    func bandBottom(_ s: DMFTSolution) -> (position: Double, gamma: Double)? {
        let edge = -2 * abs(t)
        for i in 0..<(s.omega.count - 1) {
            let xa = s.omega[i] - s.selfEnergy[i].real, xb = s.omega[i + 1] - s.selfEnergy[i + 1].real
            guard xa < edge && xb >= edge else { continue }
            let f = (edge - xa) / (xb - xa)
            let gamma = -(s.selfEnergy[i].imaginary * (1 - f) + s.selfEnergy[i + 1].imaginary * f)
            return gamma < 10 * step ? (s.omega[i] + f * (s.omega[i + 1] - s.omega[i]), max(gamma, 0)) : nil
        }
        return nil
    }

    /// √(z − 2t)·√(z + 2t): analytic off [−2t, 2t], ~z at infinity, in both half planes.
    @inline(__always) func root(_ z: ComplexDouble) -> ComplexDouble {
        ComplexDouble.sqrt(z - ComplexDouble(2 * t, 0)) * ComplexDouble.sqrt(z + ComplexDouble(2 * t, 0))
    }

    /// Local lattice Green function for z − Σ.
    /// (Im w = −0 is read as +0: the retarded branch.)
    @inline(__always) func localGreen(_ w: ComplexDouble) -> ComplexDouble {
        1 / root(ComplexDouble(w.real, abs(w.imaginary)))
    }

    /// Thermal occupation of the TLS excited state, n = e^{−βω0}/(1 + e^{−βω0}).
    func excited(_ temperature: Double, omega0: Double? = nil) -> Double {
        temperature <= 0 ? 0 : 1 / (exp((omega0 ?? self.omega0) / temperature) + 1)
    }

    /// The impurity self-energy of paper Eq. A6 for Weiss field 1/a and its shifts ga = G0(ν − ω0),
    /// gb = G0(ν + ω0), written as Σ = s_a + n(s_b − s_a)(a − s_a)/((a − s_a) − (1 − n)(s_b − s_a))
    /// without the cancellation in G0⁻¹ − G⁻¹ (accurate down to n ~ 1e−35).
    @inline(__always) func impuritySelfEnergy(a: ComplexDouble, ga: ComplexDouble, gb: ComplexDouble, g: Double, excited n: Double) -> ComplexDouble {
        let sa = g * g * ga, sb = g * g * gb
        guard n > 0 else { return sa }
        let d = sb - sa, am = a - sa
        return sa + n * d * am / (am - (1 - n) * d)
    }

    /// Solves the self-consistency at one temperature (T = 0 allowed), continuing η downwards.
    /// `initial`: a starting Σ on this grid (a warm start: the η continuation is skipped).
    public func solve(temperature: Double, initial: [ComplexDouble]? = nil) throws -> DMFTSolution {
        let n = omega.count
        let nExc = excited(temperature)
        let clean = sites.isClean
        let excitedByNode = nodeOmega0.map { excited(temperature, omega0: $0) }
        var sigma = initial ?? [ComplexDouble](repeating: .zero, count: n)
        precondition(sigma.count == n, "initial Σ is not on this grid")
        var g0 = [ComplexDouble](repeating: .zero, count: n)
        var iterations = 0
        var residual = 0.0
        var etas: [Double] = []
        var e = 1e-2
        while e > max(controls.eta, 1e-9) { etas.append(e); e /= 10 }
        etas.append(controls.eta)
        if !controls.continuation || initial != nil { etas = [controls.eta] }
        for (stage, eta) in etas.enumerated() {
            let final = stage == etas.count - 1
            var converged = false
            // Roundoff floor: Γ relative to itself cannot beat the rounding of the terms it is
            // computed from, and on the refined transport grid (points within ~1e−2 h of a band
            // edge) the relative residual stalls near 3e−11 (measured). A residual that stays
            // within 1000× the tolerance without improving for 500 iterations is that floor.
            var best = Double.infinity, sinceBest = 0
            for _ in 0..<controls.maxIterations {
                iterations += 1
                // Weiss field from the current Σ.
                // η = 1e−300 stands for 0: it keeps √ off its branch point at the band edges.
                let eta = max(eta, 1e-300)
                for i in 0..<n {
                    let z = ComplexDouble(omega[i], eta)
                    let gl = localGreen(z - sigma[i])
                    g0[i] = 1 / (1 / gl + sigma[i])
                }
                residual = 0
                for i in 0..<n {
                    let z = ComplexDouble(omega[i], eta)
                    let a = 1 / g0[i]
                    // Shifted Weiss fields; outside the grid the electron is free (G0 ≈ 1/z).
                    let lo = i - shift, hi = i + shift
                    let ga = lo >= 0 ? g0[lo] : 1 / (z - ComplexDouble(omega0, 0))
                    let gb = hi < n ? g0[hi] : 1 / (z + ComplexDouble(omega0, 0))
                    var new: ComplexDouble
                    if clean {
                        new = impuritySelfEnergy(a: a, ga: ga, gb: gb, g: g, excited: nExc)
                    } else {
                        // DMFT+CPA: each node's impurity sees the Weiss field shifted by its ε (at ν
                        // and at ν ± ω0: the electron stays on the site); G averaged over the nodes.
                        // A site with its own ω0 flips by its own shift, with its own occupation.
                        var average = ComplexDouble.zero
                        for (k, node) in sites.nodes.enumerated() {
                            let e = ComplexDouble(node.epsilon, 0)
                            let ae = a - e
                            var gak = ga, gbk = gb, nk = nExc
                            if node.omega0 != nil {
                                let m = nodeShifts[k], w0 = ComplexDouble(nodeOmega0[k], 0)
                                gak = i - m >= 0 ? g0[i - m] : 1 / (z - w0)
                                gbk = i + m < n ? g0[i + m] : 1 / (z + w0)
                                nk = excitedByNode[k]
                            }
                            let se = impuritySelfEnergy(a: ae, ga: 1 / (1 / gak - e), gb: 1 / (1 / gbk - e), g: node.g, excited: nk)
                            average = average + ComplexDouble(node.weight, 0) / (ae - se)
                        }
                        new = a - 1 / average
                    }
                    if new.imaginary > 0 { new = ComplexDouble(new.real, 0) }
                    let change = (new - sigma[i]).magnitude
                    residual = max(residual, change / max(1, new.magnitude))
                    if final {
                        // Γ must converge relatively wherever it is non-zero: the Boltzmann factor
                        // amplifies tiny Γ below the band (thermal replicas, or leftovers of the
                        // finite-η stages, which decay here to exact zeros).
                        let dIm = abs(new.imaginary - sigma[i].imaginary)
                        residual = max(residual, dIm / max(abs(new.imaginary), 1e-250))
                    }
                    sigma[i] = ComplexDouble(0.5 * (sigma[i].real + new.real), 0.5 * (sigma[i].imaginary + new.imaginary))
                }
                if residual < controls.tolerance { converged = true; break }
                if residual < best * 0.999 { best = residual; sinceBest = 0 } else { sinceBest += 1 }
                if final && sinceBest >= 500 && best < 1000 * controls.tolerance { converged = true; break }
            }
            if !converged {
                throw DMFTError(description: "DMFT did not converge at T = \(temperature) (η = \(eta), residual \(residual) after \(iterations) iterations)")
            }
        }
        let z = omega.map { ComplexDouble($0, max(controls.eta, 1e-300)) }
        let green = (0..<n).map { localGreen(z[$0] - sigma[$0]) }
        return DMFTSolution(temperature: temperature, omega: omega, green: green, selfEnergy: sigma,
                            iterations: iterations, residual: residual)
    }

    /// Bottom of the spectrum on the grid: the lowest frequency where the T = 0 density of states
    /// exceeds `threshold` (relative to its maximum). Good to a grid step; `groundStateEnergy(near:)`
    /// is exact.
    public func gridBandBottom(_ zeroT: DMFTSolution, threshold: Double = 1e-8) -> Double {
        let dos = zeroT.dos
        let top = dos.max() ?? 1
        return omega[dos.firstIndex { $0 > threshold * top } ?? 0]
}
}
