import CLapack

/// Eigenvalues (ascending) and orthonormal eigenvectors (the columns) of a real symmetric matrix.
public struct SymmetricEigen: Sendable {
    public let values: [Double]
    public let vectors: Matrix
}

/// Diagonalises a real symmetric matrix with LAPACK's divide-and-conquer `dsyevd`.
public func symmetricEigen(_ a: Matrix) throws -> SymmetricEigen {
    precondition(a.rows == a.cols, "symmetricEigen needs a square matrix")
    let n = a.rows
    var work = a.values
    var w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")),
                              Int32(n), &work, Int32(n), &w)
    guard info == 0 else { throw LinearAlgebraError(description: "dsyevd failed with info = \(info)") }
    return SymmetricEigen(values: w, vectors: Matrix(rows: n, cols: n, values: work))
}

/// Eigenvalues only (faster when vectors are not needed).
public func symmetricEigenvalues(_ a: Matrix) throws -> [Double] {
    precondition(a.rows == a.cols, "symmetricEigenvalues needs a square matrix")
    let n = a.rows
    var work = a.values
    var w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")),
                              Int32(n), &work, Int32(n), &w)
    guard info == 0 else { throw LinearAlgebraError(description: "dsyevd failed with info = \(info)") }
    return w
}

/// Eigen-decomposition of a Hermitian matrix given as interleaved (re, im) column-major storage.
public struct HermitianEigen: Sendable {
    public let values: [Double]
    /// Eigenvectors as interleaved (re, im) pairs, column-major, n × n.
    public let vectors: [Double]
}

/// Diagonalises a complex Hermitian matrix with LAPACK's `zheevd`.
/// `interleaved` holds n*n complex numbers as (re, im) pairs in column-major order.
public func hermitianEigen(n: Int, interleaved: [Double]) throws -> HermitianEigen {
    precondition(interleaved.count == 2 * n * n, "hermitianEigen storage does not match n")
    var work = interleaved
    var w = [Double](repeating: 0, count: n)
    let info = work.withUnsafeMutableBufferPointer { buf -> Int32 in
        buf.baseAddress!.withMemoryRebound(to: tls_complex_double.self, capacity: n * n) { p in
            LAPACKE_zheevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")),
                           Int32(n), p, Int32(n), &w)
        }
    }
    guard info == 0 else { throw LinearAlgebraError(description: "zheevd failed with info = \(info)") }
    return HermitianEigen(values: w, vectors: work)
}
