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
    /// ⟨x|y⟩ for complex x, y of length d.
    static func dot(_ x: UnsafePointer<ComplexDouble>, _ y: UnsafePointer<ComplexDouble>, _ d: Int) -> ComplexDouble {
        var re = 0.0, im = 0.0
        for s in 0..<d {
            re += x[s].real * y[s].real + x[s].imaginary * y[s].imaginary
            im += x[s].real * y[s].imaginary - x[s].imaginary * y[s].real
        }
        return ComplexDouble(re, im)
    }

    /// y ← y − c·x.
    static func subtract(_ c: ComplexDouble, _ x: UnsafePointer<ComplexDouble>, from y: UnsafeMutablePointer<ComplexDouble>, _ d: Int) {
        for s in 0..<d { y[s] = y[s] - c * x[s] }
    }
}
