import Foundation
import LinearAlgebra
import Numerics

/// The electron–TLS chain (physics.md §1).
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
    let diagonal: [Double]
    let hopRight: ComplexDouble  // −t e^{−iκ}, multiplies v[R(s)]
    let hopLeft: ComplexDouble   // −t e^{+iκ}, multiplies v[L(s)]

    public init(model: TLSModel, kappa: Double) {
        self.model = model
        self.kappa = kappa
        let n = model.sites
        diagonal = (0..<(1 << n)).map { s in model.omega0 / 2 * Double(2 * s.nonzeroBitCount - n) }
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
        let chunks = d >= 1 << 14 ? ProcessInfo.processInfo.activeProcessorCount * 4 : 1
        let vv = SendablePointer(v), oo = SendableMutablePointer(out)
        if chunks == 1 {
            applyRows(op, 0..<d, vv.p, oo.p)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = d * c / chunks, hi = d * (c + 1) / chunks
                applyRows(op, lo..<hi, vv.p, oo.p)
            }
        }
    }

    @inline(__always)
    func applyRows(_ op: Operator, _ rows: Range<Int>, _ v: UnsafePointer<ComplexDouble>, _ out: UnsafeMutablePointer<ComplexDouble>) {
        let n = model.sites
        let mask = (1 << n) - 1
        let hr = hopRight, hl = hopLeft
        let g = model.g
        switch op {
        case .hamiltonian:
            diagonal.withUnsafeBufferPointer { diag in
                for s in rows {
                    let l = (s >> 1) | ((s & 1) << (n - 1))
                    let r = ((s << 1) & mask) | (s >> (n - 1))
                    let a = v[r], b = v[l], x = v[s ^ 1], y = v[s]
                    let re = diag[s] * y.real - g * x.real + hr.real * a.real - hr.imaginary * a.imaginary + hl.real * b.real - hl.imaginary * b.imaginary
                    let im = diag[s] * y.imaginary - g * x.imaginary + hr.real * a.imaginary + hr.imaginary * a.real + hl.real * b.imaginary + hl.imaginary * b.real
                    out[s] = ComplexDouble(re, im)
                }
            }
        case .kinetic:
            for s in rows {
                let l = (s >> 1) | ((s & 1) << (n - 1))
                let r = ((s << 1) & mask) | (s >> (n - 1))
                out[s] = hr * v[r] + hl * v[l]
            }
        case .current:
            // ∂/∂κ of −t e^{−iκ} is i t e^{−iκ} = −i·hopRight; of −t e^{iκ} is −i t e^{iκ} = i·hopLeft.
            let cr = ComplexDouble(hr.imaginary, -hr.real), cl = ComplexDouble(-hl.imaginary, hl.real)
            for s in rows {
                let l = (s >> 1) | ((s & 1) << (n - 1))
                let r = ((s << 1) & mask) | (s >> (n - 1))
                out[s] = cr * v[r] + cl * v[l]
            }
        }
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
