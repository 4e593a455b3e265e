import Foundation
import PipelineEngine

/// Memory a stage's parameters imply, computed in floating point (no count can overflow)
/// before anything is allocated; the spec loader refuses what exceeds the limit.
enum Footprint {
    static let double = 8.0, complex = 16.0
    static let cores = Double(ProcessInfo.processInfo.activeProcessorCount)

    /// Points of a grid covering `range` with `step` (≥ 1; infinite when the ratio is).
    static func points(_ range: Double, _ step: Double) -> Double { max(1, (range / step).rounded(.up)) }

    /// A stick histogram (weight and weighted ω per temperature and bin) held `copies` times.
    static func histogram(_ p: Params, range: Double, copies: Double, blame: String = "bin_width") -> SizeEstimate {
        let bins = points(range, p.double("bin_width"))
        let temps = Double(p.doubles("temperatures").count)
        return SizeEstimate(parameter: temps > 1000 ? "temperatures" : blame, bytes: 2 * double * bins * temps * copies,
                            what: "\(Int(min(temps, 1e15))) temperatures × \(format(bins)) histogram bins × \(format(copies)) copies")
    }

    /// A curve grid [temperature, ω] of `rows` rows, `arrays` arrays of doubles.
    static func grid(range: Double, step: Double, rows: Double, arrays: Double, blame: String) -> SizeEstimate {
        let n = points(range, step)
        return SizeEstimate(parameter: blame, bytes: double * n * rows * arrays, what: "\(format(n)) frequencies × \(format(rows)) rows")
    }

    /// The parameter behind a histogram range that is too wide: the range if given, else the
    /// energy scale that set the default range (t, g, ω0) when it is absurd, else the bin width.
    static func rangeBlame(_ p: Params) -> String {
        if p.has("omega_max") { return p.double("omega_max") > 1e3 ? "omega_max" : "bin_width" }
        for name in ["g", "t", "omega0"] where (p.optionalDouble(name) ?? 0) > 1e3 { return name }
        return "bin_width"
    }

    static func format(_ x: Double) -> String { x < 1e6 ? String(Int(x)) : String(format: "%.2g", x) }
}
