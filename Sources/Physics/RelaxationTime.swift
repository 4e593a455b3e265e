import Foundation

/// The relaxation time approximation of paper Eq. 3 and Eq. 4, evaluated exactly on a stick
/// spectrum (the Lorentzian convolution of sticks needs no quadrature).
///
/// With f(x) = x / tanh(x/2T) (f(0) = 2T) and L(x) = p/(x² + p²):
///   σ_RTA(ω) = (1/π) tanh(ω/2T)/ω · [Σ_s w_s f(ω_s)(L(ω − ω_s) + L(ω + ω_s)) + D·2T·L(ω)]
/// where each positive stick w_s stands for the pair ±ω_s and D is the ω = 0 weight.
public enum RelaxationTime {
    @inline(__always) static func f(_ x: Double, _ temperature: Double) -> Double {
        let y = x / (2 * temperature)
        return abs(y) < 1e-8 ? 2 * temperature * (1 + y * y / 3) : x / tanh(y)
    }

    /// σ_RTA(ω, T) on the given frequencies.
    public static func conductivity(_ sticks: Sticks, temperature T: Double, p: Double, at omegas: [Double]) -> [Double] {
        let fw = zip(sticks.positions, sticks.weights).map { f($0, T) * $1 }
        let pos = sticks.positions
        let p2 = p * p
        return omegas.map { omega in
            var s = sticks.drude * 2 * T * p / (omega * omega + p2)
            for k in 0..<pos.count {
                let a = omega - pos[k], b = omega + pos[k]
                s += fw[k] * (p / (a * a + p2) + p / (b * b + p2))
            }
            let pref = abs(omega) < 1e-12 ? 1 / (2 * T) : tanh(omega / (2 * T)) / omega
            return s * pref / Double.pi
        }
    }

    /// σ_dc^RTA(T) (paper Eq. 4): (p/πT) ∫_0^∞ ω/tanh(ω/2T) σ_static(ω)/(ω² + p²) dω,
    /// with the ω = 0 weight D (counted half on ω ≥ 0) contributing D/(πp).
    public static func dcConductivity(_ sticks: Sticks, temperature T: Double, p: Double) -> Double {
        var s = 0.0
        for (pos, w) in zip(sticks.positions, sticks.weights) {
            s += f(pos, T) * w / (pos * pos + p * p)
        }
        return p / (Double.pi * T) * s + sticks.drude / (Double.pi * p)
    }

    /// σ_RTA filtered as the FTLM spectra are, σ_δ(0) = ∫ σ_RTA(ω) e^{−ω²/2δ²}/(√(2π)δ) dω (σ is
    /// even): the Fig. 3b caption's δ. Trapezoid on ω ≤ 8δ at step δ/64; σ_RTA varies on the scale
    /// of p and of the sticks' spacing, both resolved by the step for δ ≥ p/10.
    public static func filteredDC(_ sticks: Sticks, temperature T: Double, p: Double, delta: Double) -> Double {
        let steps = 512
        let h = 8 * delta / Double(steps)
        let omegas = (0...steps).map { Double($0) * h }
        let sigma = conductivity(sticks, temperature: T, p: p, at: omegas)
        var s = 0.0
        for (k, w) in omegas.enumerated() {
            s += (k == 0 || k == steps ? 0.5 : 1) * sigma[k] * GaussianFilter.kernel(w, delta: delta)
        }
        return 2 * s * h
    }

    /// Paper Eq. 5: σ_dc ≈ A ω0 log(ω̄/ω0)/(1 − (ω0/ω̄)²) for σ_static = (π/2)A|ω|/(1 + ω²/ω̄²).
    public static func toyModelDC(amplitude a: Double, omegaBar: Double, omega0: Double) -> Double {
        let r = omega0 / omegaBar
        return a * omega0 * log(omegaBar / omega0) / (1 - r * r)
    }
}
