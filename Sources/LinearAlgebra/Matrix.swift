/// A dense real matrix in column-major order (LAPACK's layout).
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols, "matrix storage does not match its shape")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public init(rows: Int, cols: Int) {
        self.init(rows: rows, cols: cols, values: [Double](repeating: 0, count: rows * cols))
    }

    public subscript(row: Int, col: Int) -> Double {
        get { values[col * rows + row] }
        set { values[col * rows + row] = newValue }
    }
}

/// Errors reported by LAPACK routines.
public struct LinearAlgebraError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
