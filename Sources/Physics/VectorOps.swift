import Foundation
import LinearAlgebra

/// Streaming kernels of the Lanczos recurrence on complex vectors viewed as 2D doubles, with
/// four SIMD accumulators (Swift does not reassociate floating-point sums on its own, so a
/// plain loop would not vectorise the reductions).
enum VectorOps {
    typealias V4 = SIMD4<Double>

    @inline(__always)
    static func load(_ p: UnsafePointer<Double>, _ i: Int) -> V4 {
        UnsafeRawPointer(p + i).loadUnaligned(as: V4.self)
    }

    @inline(__always)
    static func store(_ p: UnsafeMutablePointer<Double>, _ i: Int, _ x: V4) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: V4.self)
    }

    /// Re⟨x|y⟩ for complex x, y of length d.
    static func realDot(_ x: UnsafePointer<ComplexDouble>, _ y: UnsafePointer<ComplexDouble>, _ d: Int) -> Double {
        doubles(x) { a in doubles(y) { b in
            let n = 2 * d
            var acc0 = V4(), acc1 = V4()
            var i = 0
            while i + 8 <= n {
                acc0 += load(a, i) * load(b, i)
                acc1 += load(a, i + 4) * load(b, i + 4)
                i += 8
            }
            var s = (acc0 + acc1).sum()
            while i < n { s += a[i] * b[i]; i += 1 }
            return s
        } }
    }

    /// w ← w − α·x − β·y (y may be nil), returning ‖w‖² of the result.
    static func subtractAndNorm(_ w: UnsafeMutablePointer<ComplexDouble>, _ alpha: Double, _ x: UnsafePointer<ComplexDouble>,
                                _ beta: Double, _ y: UnsafePointer<ComplexDouble>?, _ d: Int) -> Double {
        let n = 2 * d
        let wd = UnsafeMutableRawPointer(w).assumingMemoryBound(to: Double.self)
        let xd = UnsafeRawPointer(x).assumingMemoryBound(to: Double.self)
        let yd = UnsafeRawPointer(y ?? x).assumingMemoryBound(to: Double.self)
        let b = y == nil ? 0 : beta
        let va = V4(repeating: alpha), vb = V4(repeating: b)
        var acc = V4()
        var i = 0
        while i + 4 <= n {
            let r = load(UnsafePointer(wd), i) - va * load(xd, i) - vb * load(yd, i)
            store(wd, i, r)
            acc += r * r
            i += 4
        }
        var s = acc.sum()
        while i < n { let r = wd[i] - alpha * xd[i] - b * yd[i]; wd[i] = r; s += r * r; i += 1 }
        return s
    }

    /// out ← c·x.
    static func scale(_ x: UnsafePointer<ComplexDouble>, _ c: Double, into out: UnsafeMutablePointer<ComplexDouble>, _ d: Int) {
        let n = 2 * d
        let xd = UnsafeRawPointer(x).assumingMemoryBound(to: Double.self)
        let od = UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self)
        let vc = V4(repeating: c)
        var i = 0
        while i + 4 <= n { store(od, i, vc * load(xd, i)); i += 4 }
        while i < n { od[i] = c * xd[i]; i += 1 }
    }

    @inline(__always)
    static func doubles<R>(_ p: UnsafePointer<ComplexDouble>, _ body: (UnsafePointer<Double>) -> R) -> R {
        body(UnsafeRawPointer(p).assumingMemoryBound(to: Double.self))
    }
}

extension VectorOps {
    /// w ← w − V (V† w) for the d × k column-major V (classical Gram–Schmidt, one pass) on
    /// `threads` threads: the overlaps split by columns, the update by rows, each piece one
    /// single-threaded zgemv. Every overlap and every row of w is then one kernel's sum in a
    /// fixed order, so the bits do not depend on `threads` (OpenBLAS's own threading gives
    /// no such guarantee for GEMM: measured 4e-13 relative between 1 and 2 threads).
    /// Returns ‖V† w‖, the norm of the removed part.
    @discardableResult
    static func orthogonalise(_ w: UnsafeMutablePointer<ComplexDouble>, against v: UnsafePointer<ComplexDouble>,
                              columns k: Int, _ d: Int, threads: Int, scratch h: UnsafeMutablePointer<ComplexDouble>) -> Double {
        let wp = SendableMutablePointer(w), vp = SendablePointer(v), hp = SendableMutablePointer(h)
        let colParts = max(1, min(threads, k / 16))
        DispatchQueue.concurrentPerform(iterations: colParts) { t in
            let lo = k * t / colParts, hi = k * (t + 1) / colParts
            complexMatrixVector(vp.p + lo * d, rows: d, cols: hi - lo, .adjoint, UnsafePointer(wp.p),
                                alpha: .one, beta: .zero, into: hp.p + lo)
        }
        let rowParts = d >= 1 << 12 ? threads : 1
        DispatchQueue.concurrentPerform(iterations: rowParts) { t in
            let lo = d * t / rowParts, hi = d * (t + 1) / rowParts
            complexMatrixVector(vp.p + lo, rows: hi - lo, cols: k, leadingDimension: d, .none, UnsafePointer(hp.p),
                                alpha: ComplexDouble(-1, 0), beta: .one, into: wp.p + lo)
        }
        var norm = 0.0
        for j in 0..<k { norm += h[j].lengthSquared }
        return norm.squareRoot()
    }
}
