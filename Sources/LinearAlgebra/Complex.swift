import CLapack
import Numerics

/// Complex<Double> has the layout of C's double complex (real, imaginary): arrays of it pass
/// to LAPACKE/CBLAS after rebinding.
public typealias ComplexDouble = Complex<Double>

/// Diagonalises an n × n Hermitian matrix (column-major) with LAPACK `zheevd`.
public func hermitianEigen(n: Int, matrix: [ComplexDouble]) throws -> (values: [Double], vectors: [ComplexDouble]) {
    precondition(matrix.count == n * n, "hermitianEigen storage does not match n")
    // Padding: OpenBLAS 0.3.21's AVX-512 zgemv kernel (inside zhetrd) reads past the end of the
    // matrix and crashed here intermittently when that crossed into an unmapped page.
    var work = matrix + [ComplexDouble](repeating: .zero, count: 4 * n + 64)
    var w = [Double](repeating: 0, count: n)
    let info = work.withUnsafeMutableBufferPointer { buf -> Int32 in
        UnsafeMutableRawPointer(buf.baseAddress!).withMemoryRebound(to: tls_complex_double.self, capacity: n * n) { p in
            LAPACKE_zheevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(n), p, Int32(n), &w)
        }
    }
    guard info == 0 else { throw LinearAlgebraError(description: "zheevd failed with info = \(info)") }
    return (w, Array(work.prefix(n * n)))
}

/// Eigenvalues (ascending) and eigenvectors (m × m, column-major) of the symmetric tridiagonal
/// matrix with `diagonal` and `offDiagonal`, with LAPACK `dstevd` (never `dstev` with vectors).
public func tridiagonalEigen(diagonal: [Double], offDiagonal: [Double]) throws -> (values: [Double], vectors: [Double]) {
    let m = diagonal.count
    precondition(offDiagonal.count >= m - 1)
    var d = diagonal
    var e = Array(offDiagonal.prefix(max(0, m - 1))) + [0]
    var z = [Double](repeating: 0, count: m * m)
    let info = LAPACKE_dstevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int32(m), &d, &e, &z, Int32(m))
    guard info == 0 else { throw LinearAlgebraError(description: "dstevd failed with info = \(info)") }
    return (d, z)
}

/// How an operand enters a complex product.
public enum ComplexOp: Sendable {
    case none, transpose, adjoint
    var cblas: CBLAS_TRANSPOSE {
        switch self {
        case .none: return CblasNoTrans
        case .transpose: return CblasTrans
        case .adjoint: return CblasConjTrans
        }
    }
}

/// C (m × n) = op(A) · op(B) with OpenBLAS `zgemm`; A, B column-major with leading dimensions
/// equal to their row counts as stored.
public func complexMultiply(_ a: UnsafePointer<ComplexDouble>, rowsA: Int, colsA: Int, _ opA: ComplexOp,
                            _ b: UnsafePointer<ComplexDouble>, rowsB: Int, colsB: Int, _ opB: ComplexOp,
                            into c: UnsafeMutablePointer<ComplexDouble>) {
    let m = opA == .none ? rowsA : colsA
    let k = opA == .none ? colsA : rowsA
    let kb = opB == .none ? rowsB : colsB
    let n = opB == .none ? colsB : rowsB
    precondition(k == kb, "complexMultiply: inner dimensions \(k) and \(kb) differ")
    var one = ComplexDouble(1, 0), zero = ComplexDouble(0, 0)
    withUnsafePointer(to: &one) { alpha in
        withUnsafePointer(to: &zero) { beta in
            cblas_zgemm(CblasColMajor, opA.cblas, opB.cblas, blasint(m), blasint(n), blasint(k),
                        UnsafeRawPointer(alpha), UnsafeRawPointer(a), blasint(rowsA),
                        UnsafeRawPointer(b), blasint(rowsB), UnsafeRawPointer(beta), UnsafeMutableRawPointer(c), blasint(m))
        }
    }
}

/// y = α·op(A)·x + β·y with OpenBLAS `zgemv`; A is rows × cols, column-major.
public func complexMatrixVector(_ a: UnsafePointer<ComplexDouble>, rows: Int, cols: Int, leadingDimension: Int? = nil, _ op: ComplexOp,
                                _ x: UnsafePointer<ComplexDouble>, alpha: ComplexDouble, beta: ComplexDouble,
                                into y: UnsafeMutablePointer<ComplexDouble>) {
    var al = alpha, be = beta
    withUnsafePointer(to: &al) { ap in
        withUnsafePointer(to: &be) { bp in
            cblas_zgemv(CblasColMajor, op.cblas, blasint(rows), blasint(cols), UnsafeRawPointer(ap), UnsafeRawPointer(a),
                        blasint(leadingDimension ?? rows), UnsafeRawPointer(x), 1, UnsafeRawPointer(bp), UnsafeMutableRawPointer(y), 1)
        }
    }
}

/// C (m × n) = Re(A† B) for complex A (rows × m) and B (rows × n), as one real `dgemm` on the
/// interleaved (re, im) storage: Re(a† b) = Σ re·re + im·im, so the product costs half the
/// flops of `zgemm` when only the real part is needed.
public func realPartOfAdjointProduct(_ a: UnsafePointer<ComplexDouble>, rows: Int, colsA m: Int,
                                     _ b: UnsafePointer<ComplexDouble>, colsB n: Int,
                                     into c: UnsafeMutablePointer<Double>) {
    UnsafeRawPointer(a).withMemoryRebound(to: Double.self, capacity: 2 * rows * m) { ar in
        UnsafeRawPointer(b).withMemoryRebound(to: Double.self, capacity: 2 * rows * n) { br in
            multiply(ar, rowsA: 2 * rows, colsA: m, .transpose, br, rowsB: 2 * rows, colsB: n, .none, into: c)
        }
    }
}
