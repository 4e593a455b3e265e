import Foundation
import LinearAlgebra

/// What the Lanczos and FTLM code runs on: a momentum sector of the translation-invariant ring,
/// or a whole disordered chain in real space. Operators act on complex vectors.
public protocol KrylovSpace: Sendable {
    var dimension: Int { get }
    /// Below every eigenvalue: the reference of the Boltzmann factors.
    var energyFloor: Double { get }
    func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>)
}

extension Sector: KrylovSpace {
    public var energyFloor: Double { model.energyFloor }
}

/// A disordered chain as a Krylov space with a shared energy floor (every realisation of one
/// distribution uses the same floor, so that their sums could pool).
public struct RealSpaceChain: KrylovSpace {
    public let chain: DisorderedChain
    public let energyFloor: Double
    public init(_ chain: DisorderedChain, floor: Double) { self.chain = chain; energyFloor = floor }
    public var dimension: Int { chain.dimension }

    /// The real operators on complex vectors (the current is j = i·A), one block of 2^N rows per
    /// electron site, the blocks spread over cores for large chains. Rows stream through the
    /// vectors: block x reads blocks x and x ± 1.
    public func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>) {
        let n = chain.sites, configs = 1 << n
        let vv = SendablePointer(v), oo = SendableMutablePointer(out)
        let t = chain.t
        let c = self.chain
        @Sendable func block(_ x: Int) {
            let v = vv.p, out = oo.p
            let (right, left) = c.neighbours(x)
            let base = x * configs, flip = 1 << x
            let eps = c.onsite[x], gx = c.g[x]
            c.tlsEnergy.withUnsafeBufferPointer { tls in
                for s in 0..<configs {
                    var re = 0.0, im = 0.0
                    let r = right >= 0 ? v[right * configs + s] : ComplexDouble(0, 0)
                    let l = left >= 0 ? v[left * configs + s] : ComplexDouble(0, 0)
                    switch op {
                    case .hamiltonian:
                        let here = v[base + s], flipped = v[base + (s ^ flip)], d = eps + tls[s]
                        re = d * here.real - gx * flipped.real - t * (r.real + l.real)
                        im = d * here.imaginary - gx * flipped.imaginary - t * (r.imaginary + l.imaginary)
                    case .kinetic:
                        re = -t * (r.real + l.real); im = -t * (r.imaginary + l.imaginary)
                    case .current:
                        // i·t (v(x+1) − v(x−1))
                        re = -t * (r.imaginary - l.imaginary); im = t * (r.real - l.real)
                    }
                    out[base + s] = ComplexDouble(re, im)
                }
            }
        }
        if configs * n < 1 << 14 {
            for x in 0..<n { block(x) }
        } else {
            DispatchQueue.concurrentPerform(iterations: n) { block($0) }
        }
    }
}
