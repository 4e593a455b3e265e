import CLapack

/// Whether an operand enters a product as itself or transposed.
public enum Transpose: Sendable {
    case none, transpose
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// C = op(A) · op(B) with OpenBLAS `dgemm`.
public func multiply(_ a: Matrix, _ b: Matrix, transposeA ta: Transpose = .none, transposeB tb: Transpose = .none) -> Matrix {
    let m = ta == .none ? a.rows : a.cols
    let k = ta == .none ? a.cols : a.rows
    let kb = tb == .none ? b.rows : b.cols
    let n = tb == .none ? b.cols : b.rows
    precondition(k == kb, "multiply: inner dimensions \(k) and \(kb) differ")
    var c = Matrix(rows: m, cols: n)
    cblas_dgemm(CblasColMajor, ta.cblas, tb.cblas, blasint(m), blasint(n), blasint(k), 1.0,
                a.values, blasint(a.rows), b.values, blasint(b.rows), 0.0, &c.values, blasint(m))
    return c
}

/// Thread control and identification of the BLAS in use (for provenance and reproducibility).
public enum BLAS {
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
    public static var config: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p)
    }
}
