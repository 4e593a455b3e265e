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
    // Padding against kernels that read past the matrix (see hermitianEigen).
    var work = a.values + [Double](repeating: 0, count: 8 * n + 128)
    var w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")),
                              Int32(n), &work, Int32(n), &w)
    guard info == 0 else { throw LinearAlgebraError(description: "dsyevd failed with info = \(info)") }
    return SymmetricEigen(values: w, vectors: Matrix(rows: n, cols: n, values: Array(work.prefix(n * n))))
}

/// Eigenvalues only (faster when vectors are not needed).
public func symmetricEigenvalues(_ a: Matrix) throws -> [Double] {
    precondition(a.rows == a.cols, "symmetricEigenvalues needs a square matrix")
    let n = a.rows
    var work = a.values + [Double](repeating: 0, count: 8 * n + 128)
    var w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")),
                              Int32(n), &work, Int32(n), &w)
    guard info == 0 else { throw LinearAlgebraError(description: "dsyevd failed with info = \(info)") }
    return w
}

