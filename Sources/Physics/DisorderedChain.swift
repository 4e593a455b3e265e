import Foundation

/// One electron on a chain with a TLS on every site, in real space (no translation symmetry):
///
///     H = −t Σ_x (c†_{x+1} c_x + h.c.) + Σ_x ε_x n_x + Σ_i (ω0_i/2) σ^z_i − Σ_i g_i n_i σ^x_i
///
/// Basis |x, c⟩ at index x·2^N + c: electron on site x, c an N-bit integer, bit i = TLS i
/// (1 = σ^z up). Everything is real at zero twist: the current is j = i·A with A real
/// antisymmetric, (A v)(x) = t [v(x+1) − v(x−1)] (j = N ∂H/∂φ), so |⟨n|j|m⟩|² = ⟨n|A|m⟩².
public struct DisorderedChain: Sendable, Equatable {
    public let t: Double
    public let onsite: [Double]
    public let omega0: [Double]
    public let g: [Double]
    public let boundary: ChainBoundary

    /// Σ_i (ω0_i/2)(2c_i − 1) for every TLS configuration c (2^N numbers, built once).
    let tlsEnergy: [Double]

    public init(t: Double, onsite: [Double], omega0: [Double], g: [Double], boundary: ChainBoundary) {
        precondition(onsite.count == omega0.count && onsite.count == g.count && onsite.count >= 2)
        self.t = t; self.onsite = onsite; self.omega0 = omega0; self.g = g; self.boundary = boundary
        let n = onsite.count
        var e = [Double](repeating: 0, count: 1 << n)
        for c in 0..<(1 << n) {
            var d = 0.0
            for i in 0..<n { d += omega0[i] * ((c >> i) & 1 == 1 ? 0.5 : -0.5) }
            e[c] = d
        }
        tlsEnergy = e
    }

    /// The neighbours of site x (−1: none, on the open chain).
    @inline(__always) func neighbours(_ x: Int) -> (right: Int, left: Int) {
        let n = sites, periodic = boundary == .periodic
        return (x + 1 < n ? x + 1 : (periodic ? 0 : -1), x > 0 ? x - 1 : (periodic ? n - 1 : -1))
    }

    public var sites: Int { onsite.count }
    public var dimension: Int { sites << sites }

    /// Below every eigenvalue: a common reference for the Boltzmann factors of all realisations
    /// drawn from the same bounds (`DisorderSettings.energyFloor`), so that sums pool.
    public var energyFloor: Double {
        -2 * abs(t) - (onsite.map(abs).max() ?? 0) - (g.map(abs).max() ?? 0) - omega0.reduce(0) { $0 + abs($1) } / 2
    }

    /// H, the current's A (j = i·A), or the hopping part K: the sectors' operators.
    public typealias Operator = Sector.Operator

    /// out = Op · v (Op = H, A with j = i·A, or the hopping part K).
    public func apply(_ op: Operator, _ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        for x in 0..<sites { apply(op, block: x, v, into: out) }
    }

    /// Rows x·2^N ..< (x + 1)·2^N of out = Op · v: electron on site x. The ops switch outside
    /// the row loop; a missing neighbour (open chain) reads this block with weight 0.
    @inline(__always)
    public func apply(_ op: Operator, block x: Int, _ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let configs = 1 << sites
        let (right, left) = neighbours(x)
        let r = v + (right >= 0 ? right : x) * configs, l = v + (left >= 0 ? left : x) * configs
        let tr = right >= 0 ? t : 0, tl = left >= 0 ? t : 0
        let here = v + x * configs, o = out + x * configs
        // A ring of 2 sites has one bond counted twice: as on the TLS-model ring, both hops are kept.
        switch op {
        case .kinetic:
            for c in 0..<configs { o[c] = -(tr * r[c]) - tl * l[c] }
        case .current:
            for c in 0..<configs { o[c] = tr * r[c] - tl * l[c] }
        case .hamiltonian:
            let eps = onsite[x], gx = g[x], flip = 1 << x
            tlsEnergy.withUnsafeBufferPointer { tls in
                for c in 0..<configs {
                    let hop = -(tr * r[c]) - tl * l[c]
                    o[c] = hop + ((eps + tls[c]) * here[c] - gx * here[c ^ flip])
                }
            }
        }
    }

    /// The dense matrix of an operator (column-major), for exact diagonalisation.
    public func dense(_ op: Operator) -> [Double] {
        let d = dimension
        var m = [Double](repeating: 0, count: d * d)
        var e = [Double](repeating: 0, count: d)
        m.withUnsafeMutableBufferPointer { mp in
            for col in 0..<d {
                e[col] = 1
                e.withUnsafeBufferPointer { apply(op, $0.baseAddress!, into: mp.baseAddress! + col * d) }
                e[col] = 0
            }
        }
        return m
    }
}

extension DisorderSettings {
    /// Below every eigenvalue of every realisation (from the distributions' bounds).
    public var energyFloor: Double {
        -2 * abs(t) - width / 2 - g.bound - Double(sites) * omega0.bound / 2
    }
}
