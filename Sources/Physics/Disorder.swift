import Foundation

/// How a per-site quantity (ω0_i or g_i) is drawn.
public enum SiteDistribution: Sendable, Equatable {
    /// The same value on every site (no random number is drawn).
    case fixed(Double)
    /// Uniform in [min, max].
    case uniform(min: Double, max: Double)
    /// P(x) ∝ 1/x in [min, max] (the glass case for ω0), min > 0.
    case logUniform(min: Double, max: Double)
    /// min or max with probability 1/2 each.
    case binary(min: Double, max: Double)

    /// One value from a uniform variate u in [0, 1).
    func value(_ u: () -> Double) -> Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(let a, let b): return a + (b - a) * u()
        case .logUniform(let a, let b): return exp(log(a) + (log(b) - log(a)) * u())
        case .binary(let a, let b): return u() < 0.5 ? a : b
        }
    }

    /// The largest |value| it can give (for energy floors and ranges).
    public var bound: Double {
        switch self {
        case .fixed(let v): return abs(v)
        case .uniform(let a, let b), .logUniform(let a, let b), .binary(let a, let b): return max(abs(a), abs(b))
        }
    }

    /// The smallest |value| it can give.
    public var smallest: Double {
        switch self {
        case .fixed(let v): return abs(v)
        case .uniform(let a, let b), .logUniform(let a, let b), .binary(let a, let b): return min(abs(a), abs(b))
        }
    }

    public var isFixed: Bool { if case .fixed = self { return true } else { return false } }
}

/// Quenched on-site disorder ε_x: box-distributed in [−W/2, W/2], or ±W/2 with probability 1/2.
public enum OnSiteDisorder: String, Sendable { case box, binary }

/// A disordered electron–TLS chain's distribution: each realisation is drawn from the stream
/// `realization` of `seed`, in a fixed order (ε_0 … ε_{N−1}, then ω0_0 …, then g_0 …; a fixed
/// quantity draws nothing), so the same seed gives the same chain on every machine.
public struct DisorderSettings: Sendable, Equatable {
    public var sites: Int
    public var t: Double
    public var width: Double
    public var kind: OnSiteDisorder
    public var omega0: SiteDistribution
    public var g: SiteDistribution
    public var seed: UInt64
    public var boundary: ChainBoundary

    public init(sites: Int, t: Double = 1, width: Double = 0, kind: OnSiteDisorder = .box, omega0: SiteDistribution,
                g: SiteDistribution, seed: UInt64, boundary: ChainBoundary = .periodic) {
        self.sites = sites; self.t = t; self.width = width; self.kind = kind; self.omega0 = omega0; self.g = g
        self.seed = seed; self.boundary = boundary
    }

    public func realization(_ index: Int) -> DisorderedChain {
        var rng = Xoshiro256(seed: seed, stream: UInt64(index))
        let eps: [Double] = (0..<sites).map { _ in
            let u = rng.uniform()
            switch kind {
            case .box: return width * (u - 0.5)
            case .binary: return u < 0.5 ? -width / 2 : width / 2
            }
        }
        let w0 = (0..<sites).map { _ in omega0.value { rng.uniform() } }
        let gs = (0..<sites).map { _ in g.value { rng.uniform() } }
        return DisorderedChain(t: t, onsite: eps, omega0: w0, g: gs, boundary: boundary)
    }
}
