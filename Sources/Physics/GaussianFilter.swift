import Foundation

/// Gaussian filter of a stick spectrum: every δ-function becomes
/// exp(−x²/2δ²)/(√(2π)δ). σ is even, so each stick at ω_s contributes at ±ω_s.
public enum GaussianFilter {
    /// Gaussians are cut at this many widths (relative weight lost < 1e−15).
    static let reach = 8.3

    /// The filter's kernel exp(−x²/2δ²)/(√(2π)δ).
    @inline(__always) public static func kernel(_ x: Double, delta: Double) -> Double {
        exp(-x * x / (2 * delta * delta)) / ((2 * Double.pi).squareRoot() * delta)
    }

    public static func apply(_ sticks: Sticks, delta: Double, at omegas: [Double]) -> [Double] {
        let norm = 1 / ((2 * Double.pi).squareRoot() * delta)
        let inv2d2 = 1 / (2 * delta * delta)
        let cut = reach * delta
        let p = sticks.positions, w = sticks.weights
        return omegas.map { omega in
            var s = sticks.drude * norm * exp(-omega * omega * inv2d2)
            // +ω_s sticks within reach of ω
            var k = lowerBound(p, omega - cut)
            while k < p.count && p[k] <= omega + cut {
                let x = omega - p[k]
                s += w[k] * norm * exp(-x * x * inv2d2)
                k += 1
            }
            // mirrored −ω_s sticks reach ω only when ω is within `cut` of zero
            if omega - cut < 0 {
                var k = 0
                while k < p.count && p[k] <= cut - omega {
                    let x = omega + p[k]
                    s += w[k] * norm * exp(-x * x * inv2d2)
                    k += 1
                }
            }
            return s
        }
    }

    /// First index with a[i] ≥ x in a sorted array.
    static func lowerBound(_ a: [Double], _ x: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Mean and standard error of independent batch estimates.
public enum BatchStatistics {
    /// Standard error of the mean of `samples` (nil-free; 0 for fewer than two samples).
    public static func standardError(_ samples: [Double]) -> Double {
        let n = Double(samples.count)
        guard samples.count > 1 else { return 0 }
        let mean = samples.reduce(0, +) / n
        let v = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (v / n).squareRoot()
    }
}
