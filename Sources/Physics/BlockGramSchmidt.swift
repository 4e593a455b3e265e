import Foundation
import LinearAlgebra

/// Classical Gram–Schmidt of two vectors at once against a stored basis, for the Lanczos
/// reorthogonalisation. Both passes (overlaps H = V†[a b], update [a b] −= V H) stream V from
/// memory once for the two vectors together, which is the whole cost: OpenBLAS's zgemm with two
/// right-hand sides ran at half its zgemv bandwidth here (10 against 19 GB/s on one thread,
/// measured at D = 2^16, k = 600), so the two-vector pass would have cost what two single ones do.
enum BlockGramSchmidt {
    typealias V4 = SIMD4<Double>

    @inline(__always) static func load(_ p: UnsafePointer<Double>, _ i: Int) -> V4 {
        UnsafeRawPointer(p + i).loadUnaligned(as: V4.self)
    }
    @inline(__always) static func store(_ p: UnsafeMutablePointer<Double>, _ i: Int, _ x: V4) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: V4.self)
    }
    /// (re, im) pairs swapped: multiplying by it gives the cross terms of a complex product.
    @inline(__always) static func swapPairs(_ x: V4) -> V4 { V4(x[1], x[0], x[3], x[2]) }

    /// [a b] ← [a b] − V (V† [a b]) for two vectors a, b against the d × k column-major V
    /// (classical Gram–Schmidt, one pass), on `threads` threads: the overlaps split by columns
    /// of V, the update by rows. Every overlap and every element of a and b is one fixed-order
    /// sum whatever the split, so the bits do not depend on `threads` (OpenBLAS's own threading
    /// gives no such guarantee: measured 4e-13 relative between 1 and 2 threads). `scratch`
    /// holds 2k overlaps. Returns ‖V† a‖ and ‖V† b‖, the norms of the removed parts. `real`:
    /// the vectors are real pairs (`KrylovSpace.storesRealPairs`), projected with Re⟨v|a⟩ only.
    static func orthogonalise(_ a: UnsafeMutablePointer<ComplexDouble>, _ b: UnsafeMutablePointer<ComplexDouble>,
                              against v: UnsafePointer<ComplexDouble>, columns k: Int, _ d: Int, real: Bool = false, threads: Int,
                              scratch h: UnsafeMutablePointer<ComplexDouble>) -> (Double, Double) {
        guard k > 0 else { return (0, 0) }
        let ap = SendableMutablePointer(a), bp = SendableMutablePointer(b), vp = SendablePointer(v), hp = SendableMutablePointer(h)
        let colParts = max(1, min(threads, k / 16))
        DispatchQueue.concurrentPerform(iterations: colParts) { t in
            BlockGramSchmidt.overlaps(vp.p, columns: k * t / colParts ..< k * (t + 1) / colParts, k: k, d,
                                      UnsafePointer(ap.p), UnsafePointer(bp.p), into: hp.p)
        }
        if real { for j in 0..<2 * k { h[j] = ComplexDouble(h[j].real, 0) } }
        let rowParts = d >= 1 << 12 ? threads : 1
        DispatchQueue.concurrentPerform(iterations: rowParts) { t in
            BlockGramSchmidt.update(vp.p, k: k, d, rows: d * t / rowParts ..< d * (t + 1) / rowParts, h: UnsafePointer(hp.p), ap.p, bp.p)
        }
        var na = 0.0, nb = 0.0
        for j in 0..<k { na += h[j].lengthSquared; nb += h[k + j].lengthSquared }
        return (na.squareRoot(), nb.squareRoot())
    }

    /// h[j] = ⟨v_j|a⟩, h[k + j] = ⟨v_j|b⟩ for the columns j in `columns` of the d × k column-major V.
    static func overlaps(_ v: UnsafePointer<ComplexDouble>, columns: Range<Int>, k: Int, _ d: Int,
                         _ a: UnsafePointer<ComplexDouble>, _ b: UnsafePointer<ComplexDouble>,
                         into h: UnsafeMutablePointer<ComplexDouble>) {
        let n = 2 * d
        let ad = UnsafeRawPointer(a).assumingMemoryBound(to: Double.self)
        let bd = UnsafeRawPointer(b).assumingMemoryBound(to: Double.self)
        // Two columns of V per sweep, so a and b (from cache) are loaded once per two.
        var j = columns.lowerBound
        while j < columns.upperBound {
            let pair = j + 1 < columns.upperBound
            let c0 = UnsafeRawPointer(v + j * d).assumingMemoryBound(to: Double.self)
            let c1 = pair ? c0 + 2 * d : c0
            // Σ v·a (re·re, im·im) gives Re⟨v|a⟩; Σ swap(v)·a gives (im·ar, re·ai), whose
            // odd minus even lanes are Im⟨v|a⟩.
            var ra0 = V4(), ia0 = V4(), rb0 = V4(), ib0 = V4()
            var ra1 = V4(), ia1 = V4(), rb1 = V4(), ib1 = V4()
            var i = 0
            while i + 4 <= n {
                let x0 = load(c0, i), x1 = load(c1, i)
                let s0 = swapPairs(x0), s1 = swapPairs(x1)
                let av = load(ad, i), bv = load(bd, i)
                ra0.addProduct(x0, av); ia0.addProduct(s0, av)
                rb0.addProduct(x0, bv); ib0.addProduct(s0, bv)
                ra1.addProduct(x1, av); ia1.addProduct(s1, av)
                rb1.addProduct(x1, bv); ib1.addProduct(s1, bv)
                i += 4
            }
            func finish(_ col: Int, _ r: V4, _ im: V4, _ y: UnsafePointer<ComplexDouble>) -> ComplexDouble {
                var z = ComplexDouble(r.sum(), im[1] - im[0] + im[3] - im[2])
                for s in i / 2 ..< d { z += v[col * d + s].conjugate * y[s] }
                return z
            }
            h[j] = finish(j, ra0, ia0, a); h[k + j] = finish(j, rb0, ib0, b)
            if pair { h[j + 1] = finish(j + 1, ra1, ia1, a); h[k + j + 1] = finish(j + 1, rb1, ib1, b) }
            j += pair ? 2 : 1
        }
    }

    /// a −= V h[0..<k], b −= V h[k..<2k] on the rows in `rows`. Rows go
    /// in chunks that stay in L1 while every column of V streams past once; each element's sum
    /// over j runs in column order whatever the chunking, so the bits do not depend on `rows`.
    static func update(_ v: UnsafePointer<ComplexDouble>, k: Int, _ d: Int, rows: Range<Int>, h: UnsafePointer<ComplexDouble>,
                       _ a: UnsafeMutablePointer<ComplexDouble>, _ b: UnsafeMutablePointer<ComplexDouble>) {
        let ad = UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self)
        let bd = UnsafeMutableRawPointer(b).assumingMemoryBound(to: Double.self)
        let vd = UnsafeRawPointer(v).assumingMemoryBound(to: Double.self)
        let chunk = 2048  // complex rows: 2 × 32 KB of a and b, resident in L2
        var lo = rows.lowerBound
        while lo < rows.upperBound {
            let hi = min(rows.upperBound, lo + chunk)
            let vecEnd = 2 * lo + (2 * (hi - lo)) / 4 * 4
            // Four columns per sweep of the chunk: a and b are loaded and stored once per four.
            var j = 0
            while j + 4 <= k {
                var hr = [V4](), hs = [V4]()  // per column: splat(Re h), (−Im h, Im h, …), for a then b
                for c in 0..<4 {
                    for z in [h[j + c], h[k + j + c]] {
                        hr.append(V4(repeating: z.real)); hs.append(V4(-z.imaginary, z.imaginary, -z.imaginary, z.imaginary))
                    }
                }
                let ar0 = hr[0], as0 = hs[0], br0 = hr[1], bs0 = hs[1], ar1 = hr[2], as1 = hs[2], br1 = hr[3], bs1 = hs[3]
                let ar2 = hr[4], as2 = hs[4], br2 = hr[5], bs2 = hs[5], ar3 = hr[6], as3 = hs[6], br3 = hr[7], bs3 = hs[7]
                let c0 = vd + 2 * j * d, c1 = c0 + 2 * d, c2 = c1 + 2 * d, c3 = c2 + 2 * d
                var i = 2 * lo
                while i < vecEnd {
                    let x0 = load(c0, i), x1 = load(c1, i), x2 = load(c2, i), x3 = load(c3, i)
                    let s0 = swapPairs(x0), s1 = swapPairs(x1), s2 = swapPairs(x2), s3 = swapPairs(x3)
                    // w −= h·x: re −= hr·xr − hi·xi, im −= hr·xi + hi·xr, column by column in order.
                    var wa = load(UnsafePointer(ad), i), wb = load(UnsafePointer(bd), i)
                    wa.addProduct(-ar0, x0); wa.addProduct(-as0, s0); wb.addProduct(-br0, x0); wb.addProduct(-bs0, s0)
                    wa.addProduct(-ar1, x1); wa.addProduct(-as1, s1); wb.addProduct(-br1, x1); wb.addProduct(-bs1, s1)
                    wa.addProduct(-ar2, x2); wa.addProduct(-as2, s2); wb.addProduct(-br2, x2); wb.addProduct(-bs2, s2)
                    wa.addProduct(-ar3, x3); wa.addProduct(-as3, s3); wb.addProduct(-br3, x3); wb.addProduct(-bs3, s3)
                    store(ad, i, wa); store(bd, i, wb)
                    i += 4
                }
                for s in i / 2 ..< hi {
                    for c in 0..<4 { a[s] -= h[j + c] * v[(j + c) * d + s]; b[s] -= h[k + j + c] * v[(j + c) * d + s] }
                }
                j += 4
            }
            while j < k {
                for s in lo..<hi { a[s] -= h[j] * v[j * d + s]; b[s] -= h[k + j] * v[j * d + s] }
                j += 1
            }
            lo = hi
        }
    }
}
