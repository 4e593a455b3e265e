/// One curve of a panel: x, y and an optional band [low, high] drawn as a shaded area.
public struct Series: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var band: (low: [Double], high: [Double])?
    public var style: LineStyle

    public init(label: String, x: [Double], y: [Double], band: (low: [Double], high: [Double])? = nil,
                style: LineStyle = .solid) {
        precondition(x.count == y.count, "series \(label): x and y differ in length")
        self.label = label; self.x = x; self.y = y; self.band = band; self.style = style
    }
}

/// `points`: markers joined by a line.
public enum LineStyle: Sendable { case solid, dashed, dotted, points }

/// An arrow pointing down at x (e.g. T* = 0.4 ω0).
public struct Marker: Sendable {
    public var x: Double
    public var label: String
    public init(x: Double, label: String) { self.x = x; self.label = label }
}

/// One panel of a figure.
public struct Panel: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logX = false
    public var logY = false
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var series: [Series]
    public var markers: [Marker] = []

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }
}

/// A figure: panels on a grid, drawn to PDF and PNG by gnuplot.
public struct Figure: Sendable {
    public var name: String
    public var title: String
    public var columns: Int
    public var panels: [Panel]
    public init(name: String, title: String, columns: Int = 1, panels: [Panel]) {
        self.name = name; self.title = title; self.columns = columns; self.panels = panels
    }
}
