import CLapack

/// Whether an operand enters a product as itself or transposed.
public enum Transpose: Sendable {
    case none, transpose
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// C = op(A) · op(B) with OpenBLAS `dgemm`.
public func multiply(_ a: Matrix, _ b: Matrix, transposeA ta: Transpose = .none, transposeB tb: Transpose = .none) -> Matrix {
    var c = Matrix(rows: ta == .none ? a.rows : a.cols, cols: tb == .none ? b.cols : b.rows)
    multiply(a.values, rowsA: a.rows, colsA: a.cols, ta, b.values, rowsB: b.rows, colsB: b.cols, tb, into: &c.values)
    return c
}

/// C (m × n) = op(A) · op(B) with OpenBLAS `dgemm` on caller-owned column-major storage,
/// leading dimensions equal to the stored row counts.
public func multiply(_ a: UnsafePointer<Double>, rowsA: Int, colsA: Int, _ ta: Transpose,
                     _ b: UnsafePointer<Double>, rowsB: Int, colsB: Int, _ tb: Transpose,
                     into c: UnsafeMutablePointer<Double>) {
    let m = ta == .none ? rowsA : colsA
    let k = ta == .none ? colsA : rowsA
    let kb = tb == .none ? rowsB : colsB
    let n = tb == .none ? colsB : rowsB
    precondition(k == kb, "multiply: inner dimensions \(k) and \(kb) differ")
    cblas_dgemm(CblasColMajor, ta.cblas, tb.cblas, blasint(m), blasint(n), blasint(k), 1.0,
                a, blasint(rowsA), b, blasint(rowsB), 0.0, c, blasint(m))
}

/// Thread control and identification of the BLAS in use (for provenance and reproducibility).
public enum BLAS {
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    /// The process-wide policy of tlspipe: BLAS runs on one thread and parallelism is ours, so
    /// no number depends on the thread count. Idempotent: every caller sets the same value.
    public static func useSingleThread() { if threads != 1 { openblas_set_num_threads(1) } }
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
