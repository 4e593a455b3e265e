import Foundation

/// Student's t distribution, for tests that judge deviations by error bars estimated from few
/// degrees of freedom (batch spreads, jackknives).
public enum StudentT {
    /// P(|t| ≤ k) for `dof` (real, > 0) degrees of freedom: the density integrated by Simpson's
    /// rule (ample for a test bound; checked against scipy in PaperClaimsTests).
    public static func central(_ k: Double, dof nu: Double) -> Double {
        let norm = exp(lgamma((nu + 1) / 2) - lgamma(nu / 2)) / (nu * Double.pi).squareRoot()
        func density(_ t: Double) -> Double { norm * exp(-(nu + 1) / 2 * log1p(t * t / nu)) }
        let n = 4000, h = k / Double(n)
        var sum = density(0) + density(k)
        for i in 1..<n { sum += density(Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
        return 2 * sum * h / 3
    }

    /// k with P(|t| ≤ k) = coverage: bisection on `central`.
    public static func quantile(coverage: Double, dof: Double) -> Double {
        var lo = 0.0, hi = 50.0
        for _ in 0..<60 { let mid = (lo + hi) / 2; if central(mid, dof: dof) < coverage { lo = mid } else { hi = mid } }
        return (lo + hi) / 2
    }
}
