import Foundation
import LinearAlgebra

/// A momentum sector at κ = 0 or π, where H, K and the A of j = i·A are real: the sector as a
/// real Krylov space (`storesRealPairs`), its 2^N real amplitudes stored in 2^(N−1) complex
/// numbers. Half the memory and flops of a complex vector; a real random vector's trace estimate
/// has twice the variance of a complex one's (2 Tr O² against Tr O²), so per unit of work the two
/// estimate equally well. `tlspipe-bench` measures both; the stages run complex sectors.
public struct RealSector: KrylovSpace {
    public let sector: Sector
    /// Nil unless κ is 0 or π (to rounding).
    public init?(_ sector: Sector) {
        guard abs(sin(sector.kappa)) < 1e-12 else { return nil }
        self.sector = sector
    }
    public var dimension: Int { sector.dimension / 2 }
    public var energyFloor: Double { sector.energyFloor }
    public var storesRealPairs: Bool { true }

    public func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>) {
        let c = sector.coefficients(op)
        // The hops are real for H and K; for the current they are i times A's (j = i·A).
        let right = op == .current ? c.right.imaginary : c.right.real
        let left = op == .current ? c.left.imaginary : c.left.real
        let x = SendablePointer(UnsafeRawPointer(v).assumingMemoryBound(to: Double.self))
        let o = SendableMutablePointer(UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self))
        let pairs = sector.dimension / 2
        let chunks = sector.dimension >= 1 << 14 ? ProcessInfo.processInfo.activeProcessorCount * 4 : 1
        let me = self
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            me.applyPairs(diag: c.diag, g: c.g, right: right, left: left, (pairs * k / chunks)..<(pairs * (k + 1) / chunks), x.p, o.p)
        }
    }

    /// Rows s = 2m and 2m + 1 for m in `pairs`, indexed as in `Sector.applyPairs`: L(2m) = m,
    /// L(2m+1) = m + D/2, R(2m) = 4m (m < D/4) or 4m − D + 1, R(2m+1) = R(2m) + 2.
    @inline(__always)
    func applyPairs(diag w: Double, g: Double, right a: Double, left b: Double, _ pairs: Range<Int>,
                    _ x: UnsafePointer<Double>, _ o: UnsafeMutablePointer<Double>) {
        let n = sector.model.sites, d = 1 << n, half = d / 2, quarter = d / 4, nd = Double(n)
        @inline(__always) func run(_ lo: Int, _ hi: Int, _ shift: Int) {
            guard lo < hi else { return }
            for m in lo..<hi {
                let s0 = 2 * m, r0 = 4 * m + shift
                let d0 = w * (2 * Double(s0.nonzeroBitCount) - nd), d1 = d0 + 2 * w
                let y0 = x[s0], y1 = x[s0 + 1]
                o[s0] = d0 * y0 - g * y1 + a * x[r0] + b * x[m]
                o[s0 + 1] = d1 * y1 - g * y0 + a * x[r0 + 2] + b * x[m + half]
            }
        }
        run(pairs.lowerBound, min(pairs.upperBound, quarter), 0)
        run(max(pairs.lowerBound, quarter), pairs.upperBound, 1 - d)
    }
}
