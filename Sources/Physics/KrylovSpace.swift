import Foundation
import LinearAlgebra

/// What the Lanczos and FTLM code runs on: a momentum sector of the translation-invariant ring,
/// or a whole disordered chain in real space. Operators act on vectors of `dimension` complex
/// numbers.
public protocol KrylovSpace: Sendable {
    var dimension: Int { get }
    /// Below every eigenvalue: the reference of the Boltzmann factors.
    var energyFloor: Double { get }
    /// A real space: its vectors are real, 2·`dimension` of them stored two per complex number,
    /// and its operators real (H and K symmetric, `.current` the antisymmetric A of j = i·A).
    /// Lanczos then projects with the real inner product Re⟨x|y⟩, which makes the complex code
    /// real arithmetic on half the memory; every FTLM formula reads the same (they take Re of
    /// the overlaps, and A in place of j gives the same pole amplitudes, `FTLM.addRandomVector`).
    var storesRealPairs: Bool { get }
    func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>)
}

extension KrylovSpace {
    /// The most Lanczos steps the space allows: its dimension over its own field.
    public var krylovDimension: Int { storesRealPairs ? 2 * dimension : dimension }
}

extension Sector: KrylovSpace {
    public var energyFloor: Double { model.energyFloor }
    public var storesRealPairs: Bool { false }
}

/// A disordered chain as a real Krylov space (`storesRealPairs`) with a shared energy floor
/// (every realisation of one distribution uses the same floor, so that their sums could pool).
/// Its N·2^N real amplitudes, in `DisorderedChain`'s order, fill N·2^(N−1) complex numbers.
public struct RealSpaceChain: KrylovSpace {
    public let chain: DisorderedChain
    public let energyFloor: Double
    public init(_ chain: DisorderedChain, floor: Double) { self.chain = chain; energyFloor = floor }
    public var dimension: Int { chain.dimension / 2 }
    public var storesRealPairs: Bool { true }

    /// How many complex numbers hold one vector of an N-site chain.
    public static func storedDimension(sites n: Int) -> Int { (n << n) / 2 }

    /// The real operators (H, K, and A for the current) on the real amplitudes, one block of 2^N
    /// rows per electron site, the blocks spread over cores for large chains. Each row is one
    /// fixed-order sum, so the bits do not depend on the cores.
    public func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>) {
        let vv = SendablePointer(UnsafeRawPointer(v).assumingMemoryBound(to: Double.self))
        let oo = SendableMutablePointer(UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self))
        let c = chain, n = chain.sites
        if chain.dimension < 1 << 14 {
            for x in 0..<n { c.apply(op, block: x, vv.p, into: oo.p) }
        } else {
            DispatchQueue.concurrentPerform(iterations: n) { c.apply(op, block: $0, vv.p, into: oo.p) }
        }
    }
}
