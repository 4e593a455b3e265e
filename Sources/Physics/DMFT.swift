import Foundation
import LinearAlgebra
import Numerics

/// Numerical controls of the real-axis DMFT solution (physics.md §5, paper Appendix A).
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
    public let g: Double
    public let omega0: Double
    public let controls: DMFTControls
    /// Grid step and frequencies (uniform, ω0 = p·h).
    public let step: Double
    public let shift: Int
    public let omega: [Double]

    public init(t: Double = 1, g: Double, omega0: Double, controls: DMFTControls = DMFTControls()) {
        precondition(omega0 > 0, "DMFT needs ω0 > 0")
        self.t = t; self.g = g; self.omega0 = omega0; self.controls = controls
        let p = max(1, Int((omega0 / controls.maxStep).rounded(.up)))
        let h = omega0 / Double(p)
        step = h
        shift = p
        let lo = -2 * abs(t) - abs(g) - Double(controls.replicas) * omega0 - 2
        let hi = 2 * abs(t) + abs(g) + 2 * omega0 + 2
        let n0 = Int((lo / h).rounded(.down)), n1 = Int((hi / h).rounded(.up))
        omega = (n0...n1).map { Double($0) * h }
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
    func excited(_ temperature: Double) -> Double {
        temperature <= 0 ? 0 : 1 / (exp(omega0 / temperature) + 1)
    }

    /// Solves the self-consistency at one temperature (T = 0 allowed), continuing η downwards.
    public func solve(temperature: Double) throws -> DMFTSolution {
        let n = omega.count
        let nExc = excited(temperature)
        var sigma = [ComplexDouble](repeating: .zero, count: n)
        var g0 = [ComplexDouble](repeating: .zero, count: n)
        var iterations = 0
        var residual = 0.0
        var etas: [Double] = []
        var e = 1e-2
        while e > max(controls.eta, 1e-9) { etas.append(e); e /= 10 }
        etas.append(controls.eta)
        if !controls.continuation { etas = [controls.eta] }
        for (stage, eta) in etas.enumerated() {
            let final = stage == etas.count - 1
            var converged = false
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
                    let sa = g * g * ga, sb = g * g * gb
                    // Σ = s_a + n(s_b − s_a)(a − s_a)/((a − s_a) − (1 − n)(s_b − s_a)): Eq. A6 without
                    // the cancellation in G0⁻¹ − G⁻¹ (accurate down to n ~ 1e−35).
                    var new = sa
                    if nExc > 0 {
                        let d = sb - sa, am = a - sa
                        new = sa + nExc * d * am / (am - (1 - nExc) * d)
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

    /// Bottom of the spectrum: the lowest frequency where the T = 0 density of states exceeds
    /// `threshold` (relative to its maximum).
    public func groundStateEnergy(_ zeroT: DMFTSolution, threshold: Double = 1e-8) -> Double {
        let dos = zeroT.dos
        let top = dos.max() ?? 1
        return omega[dos.firstIndex { $0 > threshold * top } ?? 0]
    }
}
