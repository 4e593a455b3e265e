import Foundation

/// Analysis of σ(ω) curves on a grid: spectral weight (paper Eq. 2), peak position, Eq. 5 fit.
public enum SpectraAnalysis {
    /// SW(Λ) = ∫_0^Λ σ dω by the trapezoid rule on the curve's grid (Λ beyond the grid: up to its end).
    public static func spectralWeight(omega: [Double], sigma: [Double], cutoff: Double) -> Double {
        var s = 0.0
        for k in 1..<omega.count {
            let a = omega[k - 1], b = omega[k]
            if a >= cutoff { break }
            if b <= cutoff {
                s += 0.5 * (sigma[k] + sigma[k - 1]) * (b - a)
            } else {
                let f = (cutoff - a) / (b - a)
                let mid = sigma[k - 1] + f * (sigma[k] - sigma[k - 1])
                s += 0.5 * (sigma[k - 1] + mid) * (cutoff - a)
            }
        }
        return s
    }

    /// Position of the largest local maximum at ω ≥ ωmin (the finite-frequency peak), refined by a
    /// parabola through the three highest grid points; nil if σ only falls.
    public static func peak(omega: [Double], sigma: [Double], omegaMin: Double) -> Double? {
        var best: Int? = nil
        for k in 1..<(omega.count - 1) where omega[k] >= omegaMin && sigma[k] >= sigma[k - 1] && sigma[k] > sigma[k + 1] {
            if best == nil || sigma[k] > sigma[best!] { best = k }
        }
        guard let k = best else { return nil }
        let y0 = sigma[k - 1], y1 = sigma[k], y2 = sigma[k + 1]
        let denom = y0 - 2 * y1 + y2
        let shift = denom == 0 ? 0 : 0.5 * (y0 - y2) / denom
        return omega[k] + shift * (omega[k + 1] - omega[k])
    }

    /// The largest finite-frequency maximum above `omegaMin` and whether it is a peak at all: its
    /// prominence over the lowest σ between ω = 0 and it must exceed `significance` times the
    /// errors there (the error at the maximum plus the error at that dip; without errors, 1e−3 of
    /// the maximum), else it is a wiggle within the error band (finite size, resolution).
    public struct Peak: Sendable, Equatable {
        public let candidate: Double?
        public let prominence: Double
        public let prominenceError: Double
        public let significant: Bool
        public var position: Double? { significant ? candidate : nil }
    }

    public static func significantPeak(omega: [Double], sigma: [Double], error: [Double]?, omegaMin: Double, significance: Double) -> Peak {
        guard let position = peak(omega: omega, sigma: sigma, omegaMin: omegaMin) else {
            return Peak(candidate: nil, prominence: 0, prominenceError: 0, significant: false)
        }
        // The grid point of the maximum, and the dip: the lowest σ from ω = 0 up to it.
        let k = omega.indices.min { abs(omega[$0] - position) < abs(omega[$1] - position) }!
        let dip = (0...k).min { sigma[$0] < sigma[$1] }!
        let prominence = sigma[k] - sigma[dip]
        let scale = error.map { $0[k] + $0[dip] } ?? 1e-3 * abs(sigma[k])
        return Peak(candidate: position, prominence: prominence, prominenceError: scale, significant: prominence > significance * scale)
    }

    /// The result of an Eq. 5 fit: A, ω̄, the standard error of ω̄, and the rms residual.
    public struct EquationFiveFit: Sendable {
        public let amplitude: Double
        public let omegaBar: Double
        /// One standard error of ω̄ from the curvature of χ²(ω̄) with A profiled out (Δχ² = 1);
        /// without data errors the residual variance RSS/(n − 2) stands in for them.
        public let omegaBarError: Double
        public let rms: Double
    }

    /// Least-squares fit of Eq. 5, σ_dc = A ω0 log(ω̄/ω0)/(1 − (ω0/ω̄)²), over (A, ω̄), weighted
    /// by 1/error² when errors are given. A is linear (closed form for each ω̄); ω̄ is free: Eq. 5
    /// is continuous at ω0 = ω̄ (value ω0/2 there) and valid on both sides, so no bound at max ω0.
    /// Scan on a log grid from 1e-4 to 1e3, then golden-section refinement.
    public static func fitEquationFive(omega0: [Double], sigmaDC: [Double], errors: [Double]? = nil) -> EquationFiveFit {
        let w = (errors ?? []).count == omega0.count ? errors!.map { $0 > 0 && $0.isFinite ? 1 / ($0 * $0) : 0 } : omega0.map { _ in 1.0 }
        func shape(_ w0: Double, _ wb: Double) -> Double {
            let r = w0 / wb
            return abs(1 - r * r) < 1e-9 ? w0 / 2 : w0 * log(wb / w0) / (1 - r * r)
        }
        func cost(_ wb: Double) -> (Double, Double) {
            let f = omega0.map { shape($0, wb) }
            let ff = zip(f, w).reduce(0) { $0 + $1.0 * $1.0 * $1.1 }
            let a = ff > 0 ? zip(zip(f, sigmaDC), w).reduce(0) { $0 + $1.0.0 * $1.0.1 * $1.1 } / ff : 0
            let r = zip(zip(f, sigmaDC), w).reduce(0) { $0 + $1.1 * pow(a * $1.0.0 - $1.0.1, 2) }
            return (r, a)
        }
        var bestWB = 1.0, bestCost = Double.infinity
        var wb = 1e-4
        while wb < 1e3 {
            let c = cost(wb).0
            if c < bestCost { bestCost = c; bestWB = wb }
            wb *= 1.01
        }
        var a = bestWB / 1.01, b = bestWB * 1.01
        let g = (sqrt(5.0) - 1) / 2
        for _ in 0..<100 {
            let c = b - g * (b - a), d = a + g * (b - a)
            if cost(c).0 < cost(d).0 { b = d } else { a = c }
        }
        let wbFit = (a + b) / 2
        let (r, amp) = cost(wbFit)
        // Curvature of the profiled χ² at the minimum, by a central difference in ω̄.
        let h = 1e-3 * wbFit
        let curvature = (cost(wbFit + h).0 - 2 * r + cost(wbFit - h).0) / (h * h)
        let dof = max(1, omega0.count - 2)
        let scale = errors == nil ? r / Double(dof) : 1
        let err = curvature > 0 ? (2 * scale / curvature).squareRoot() : .infinity
        let unweighted = zip(omega0.map { amp * shape($0, wbFit) }, sigmaDC).reduce(0) { $0 + pow($1.0 - $1.1, 2) }
        return EquationFiveFit(amplitude: amp, omegaBar: wbFit, omegaBarError: err,
                               rms: (unweighted / Double(omega0.count)).squareRoot())
    }

    /// The curve of Eq. 5 for given A and ω̄ at the frequencies ω0.
    public static func equationFive(amplitude: Double, omegaBar: Double, omega0: [Double]) -> [Double] {
        omega0.map { RelaxationTime.toyModelDC(amplitude: amplitude, omegaBar: omegaBar, omega0: $0) }
    }
}
