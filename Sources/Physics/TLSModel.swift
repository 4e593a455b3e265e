import Foundation
import LinearAlgebra
import Numerics

/// The electron–TLS chain.
public struct TLSModel: Sendable, Equatable {
    public var sites: Int
    public var t: Double
    public var g: Double
    public var omega0: Double

    public init(sites: Int, t: Double = 1, g: Double, omega0: Double) {
        precondition(sites >= 2 && sites <= 24, "sites must be in 2…24")
        self.sites = sites; self.t = t; self.g = g; self.omega0 = omega0
    }

    /// Every sector has dimension 2^N.
    public var sectorDimension: Int { 1 << sites }

    /// An energy below the whole spectrum: E ≥ −N|ω0|/2 − 2|t| − |g|, and the ground state lies
    /// within |g| of it (the all-down state with a k = 0 electron has −Nω0/2 − 2t). Boltzmann factors
    /// of every sector, twist and random vector are taken relative to it, so they can be pooled.
    public var energyFloor: Double { -Double(sites) * abs(omega0) / 2 - 2 * abs(t) - abs(g) }

    /// The momenta κ = K − φ/N of N_φ evenly spaced twists: all multiples of 2π/(N·N_φ).
    /// κ and −κ have equal spectra and |j| matrix elements (conjugation plus mirroring), so only
    /// 0 ≤ n ≤ N·N_φ/2 are returned, each with its multiplicity (1 or 2).
    public func momenta(twists: Int) -> [(kappa: Double, multiplicity: Double)] {
        let total = sites * twists
        return (0...(total / 2)).map { n in
            let self_conjugate = n == 0 || 2 * n == total
            return (2 * Double.pi * Double(n) / Double(total), self_conjugate ? 1 : 2)
        }
    }
}

/// One momentum sector H_K in the electron's co-moving frame, applied without a stored matrix.
/// Basis: N-bit integers s, bit j = TLS j sites to the right of the electron (1 = σ^z up).
public struct Sector: Sendable {
    public let model: TLSModel
    /// κ = K − φ/N.
    public let kappa: Double
    let hopRight: ComplexDouble  // −t e^{−iκ}, multiplies v[R(s)]
    let hopLeft: ComplexDouble   // −t e^{+iκ}, multiplies v[L(s)]

    public init(model: TLSModel, kappa: Double) {
        self.model = model
        self.kappa = kappa
        hopRight = ComplexDouble(-model.t * cos(kappa), model.t * sin(kappa))
        hopLeft = ComplexDouble(-model.t * cos(kappa), -model.t * sin(kappa))
    }

    public var dimension: Int { 1 << model.sites }

    /// Which operator to apply.
    public enum Operator: Sendable { case hamiltonian, current, kinetic }

    /// out = Op · v. H: (Hv)[s] = d_s v[s] − g v[s ⊕ 1] − t e^{−iκ} v[R(s)] − t e^{iκ} v[L(s)], with the
    /// rotations L(s) (bit j ← bit j+1) and R = L⁻¹; j = ∂H/∂κ; K = the hopping part alone.
    /// Rows are split over threads for large sectors.
    public func apply(_ op: Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>) {
        let d = dimension
        let c = coefficients(op)
        let vv = SendablePointer(v), oo = SendableMutablePointer(out)
        let pairs = d / 2
        let chunks = d >= 1 << 14 ? ProcessInfo.processInfo.activeProcessorCount * 4 : 1
        if chunks == 1 {
            applyPairs(c, 0..<pairs, vv.p, oo.p)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks) { k in
                applyPairs(c, (pairs * k / chunks)..<(pairs * (k + 1) / chunks), vv.p, oo.p)
            }
        }
    }

    /// The operator as out[s] = diag·(2·popcount(s) − N)·v[s] − g·v[s ⊕ 1] + right·v[R(s)] + left·v[L(s)].
    struct Coefficients { var diag: Double; var g: Double; var right: ComplexDouble; var left: ComplexDouble }

    func coefficients(_ op: Operator) -> Coefficients {
        switch op {
        case .hamiltonian: return Coefficients(diag: model.omega0 / 2, g: model.g, right: hopRight, left: hopLeft)
        case .kinetic: return Coefficients(diag: 0, g: 0, right: hopRight, left: hopLeft)
        case .current:
            // ∂/∂κ of −t e^{−iκ} is i t e^{−iκ} = −i·hopRight; of −t e^{iκ} is −i t e^{iκ} = i·hopLeft.
            return Coefficients(diag: 0, g: 0, right: ComplexDouble(hopRight.imaginary, -hopRight.real),
                                left: ComplexDouble(-hopLeft.imaginary, hopLeft.real))
        }
    }

    /// Rows s = 2m and 2m + 1 for m in `pairs`. Pairing makes every index affine in m, so the
    /// loop streams: L(2m) = m, L(2m+1) = m + D/2, R(s) = 2s for s < D/2 and 2s − D + 1 above,
    /// and the g-flip partner of one row is the other. The diagonal is recomputed from the
    /// popcount rather than read (one less stream).
    @inline(__always)
    func applyPairs(_ c: Coefficients, _ pairs: Range<Int>, _ vc: UnsafePointer<ComplexDouble>, _ oc: UnsafeMutablePointer<ComplexDouble>) {
        let n = model.sites, d = 1 << n, half = d / 2, quarter = d / 4
        // Complex numbers as SIMD2 (re, im): z·c = z·(c.re, c.re) + (−z.im, z.re)·(c.im, c.im).
        // Unaligned access: Swift guarantees ComplexDouble storage only 8-byte alignment.
        let vr = UnsafeRawPointer(vc), outr = UnsafeMutableRawPointer(oc)
        @inline(__always) func v(_ i: Int) -> SIMD2<Double> { vr.loadUnaligned(fromByteOffset: 16 * i, as: SIMD2<Double>.self) }
        @inline(__always) func store(_ i: Int, _ z: SIMD2<Double>) { outr.storeBytes(of: z, toByteOffset: 16 * i, as: SIMD2<Double>.self) }
        let w = c.diag, g = SIMD2(repeating: c.g)
        let ar = SIMD2(repeating: c.right.real), ai = SIMD2(c.right.imaginary, c.right.imaginary) * SIMD2(-1, 1)
        let br = SIMD2(repeating: c.left.real), bi = SIMD2(c.left.imaginary, c.left.imaginary) * SIMD2(-1, 1)
        let nd = Double(n)
        @inline(__always) func swap(_ z: SIMD2<Double>) -> SIMD2<Double> { SIMD2(z.y, z.x) }
        // m < D/4: R(2m) = 4m; above: R(2m) = 4m − D + 1. R(2m+1) = R(2m) + 2.
        @inline(__always) func run(_ lo: Int, _ hi: Int, _ shift: Int) {
            guard lo < hi else { return }
            for m in lo..<hi {
                let s0 = 2 * m
                let r0 = 4 * m + shift
                let d0 = w * (2 * Double(s0.nonzeroBitCount) - nd), d1 = d0 + 2 * w
                let y0 = v(s0), y1 = v(s0 + 1)
                let a0 = v(r0), a1 = v(r0 + 2), b0 = v(m), b1 = v(m + half)
                store(s0, d0 * y0 - g * y1 + ar * a0 + ai * swap(a0) + br * b0 + bi * swap(b0))
                store(s0 + 1, d1 * y1 - g * y0 + ar * a1 + ai * swap(a1) + br * b1 + bi * swap(b1))
            }
        }
        run(pairs.lowerBound, min(pairs.upperBound, quarter), 0)
        run(max(pairs.lowerBound, quarter), pairs.upperBound, 1 - d)
    }

    /// The dense matrix of an operator (column-major), for exact diagonalisation.
    public func dense(_ op: Operator) -> [ComplexDouble] {
        let d = dimension
        var m = [ComplexDouble](repeating: .zero, count: d * d)
        var e = [ComplexDouble](repeating: .zero, count: d)
        m.withUnsafeMutableBufferPointer { mp in
            for col in 0..<d {
                e[col] = .one
                e.withUnsafeBufferPointer { apply(op, $0.baseAddress!, into: mp.baseAddress! + col * d) }
                e[col] = .zero
            }
        }
        return m
    }
}

struct SendablePointer<T>: @unchecked Sendable { let p: UnsafePointer<T>; init(_ p: UnsafePointer<T>) { self.p = p } }
struct SendableMutablePointer<T>: @unchecked Sendable { let p: UnsafeMutablePointer<T>; init(_ p: UnsafeMutablePointer<T>) { self.p = p } }
