import Foundation
import LinearAlgebra
import Numerics

extension DMFT {
    /// Σ(ν) at T = 0 for ν below the band bottom, off the grid: there everything is real and
    /// Σ(ν) = g² G0(ν − ω0), G0(ν)⁻¹ = G_loc(ν − Σ(ν))⁻¹ + Σ(ν) (Eq. A6 with no excited TLS), a
    /// chain down in steps of ω0 that ends where the electron is free (Σ ~ g²/ν → 0).
    /// `extraDepth`: how far below the band the chain starts (each level further down changes Σ
    /// by a factor ~ (g/|ν − kω0|)² less, so a few band widths reach roundoff; a test doubles it).
    func zeroTemperatureSelfEnergy(_ nu: Double, extraDepth: Double = 0) -> Double {
        let depth = abs(nu) + 8 * (abs(t) + abs(g)) + 20 + extraDepth
        let levels = min(10_000_000, Int((depth / omega0).rounded(.up)) + 8)
        var sigma = 0.0
        for k in stride(from: levels, through: 1, by: -1) {
            let x = nu - Double(k) * omega0
            let gl = localGreen(ComplexDouble(x - sigma, 0)).real
            sigma = g * g / (1 / gl + sigma)
        }
        return sigma
    }

    /// The ground-state energy E0: where ν − Σ(ν) reaches the band bottom −2t at T = 0, found by
    /// bisection on the off-grid Σ of `zeroTemperatureSelfEnergy` (to roundoff, not to the grid
    /// step). `near`: a grid estimate (see `gridBandBottom`); the root is bracketed around it.
    /// With local disorder (DMFT+CPA) there is no such closed chain: the grid estimate is returned.
    public func groundStateEnergy(near estimate: Double) -> Double {
        guard sites.isClean else { return estimate }
        let edge = -2 * abs(t)
        func gap(_ nu: Double) -> Double { nu - zeroTemperatureSelfEnergy(nu) - edge }
        var width = 2 * step
        var lo = estimate - width, hi = estimate + width
        while !(gap(lo) < 0 && gap(hi) >= 0) {
            width *= 2
            lo = estimate - width; hi = estimate + width
            if width > 4 * (abs(t) + abs(g) + omega0) { return estimate }
        }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }
            if gap(mid) < 0 { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }
}
