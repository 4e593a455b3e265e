import Foundation
import PipelineEngine

/// Memory a stage's parameters imply, computed in floating point (no count can overflow)
/// before anything is allocated; the spec loader refuses what exceeds the limit.
enum Footprint {
    static let double = 8.0, complex = 16.0
    static let cores = Double(ProcessInfo.processInfo.activeProcessorCount)

    /// Points of a grid covering `range` with `step` (≥ 1; infinite when the ratio is).
    static func points(_ range: Double, _ step: Double) -> Double { max(1, (range / step).rounded(.up)) }

    /// A stick histogram (weight and weighted ω per temperature and bin) held `copies` times;
    /// blamed on the temperature list when it is long, else on the bin width.
    static func histogram(range: Double, binWidth: Parameter<Double>, temperatures: Parameter<[Double]>, _ p: Params,
                          copies: Double) -> SizeEstimate {
        let bins = points(range, p[binWidth])
        let temps = Double(p[temperatures].count)
        return SizeEstimate(parameter: temps > 1000 ? temperatures.name : binWidth.name, bytes: 2 * double * bins * temps * copies,
                            what: "\(Int(min(temps, 1e15))) temperatures × \(format(bins)) histogram bins × \(format(copies)) copies")
    }

    /// A curve grid [temperature, ω] of `rows` rows, `arrays` arrays of doubles.
    static func grid(range: Double, step: Double, rows: Double, arrays: Double, blame: String) -> SizeEstimate {
        let n = points(range, step)
        return SizeEstimate(parameter: blame, bytes: double * n * rows * arrays, what: "\(format(n)) frequencies × \(format(rows)) rows")
    }

    /// The parameter behind a histogram range that is too wide: the range if given, else the
    /// energy scale that set the default range (t, g, ω0) when it is absurd, else the bin width.
    static func rangeBlame(_ p: Params, omegaMax: Parameter<Double?>, binWidth: Parameter<Double>,
                           scales: [Parameter<Double>]) -> String {
        if let w = p[omegaMax] { return w > 1e3 ? omegaMax.name : binWidth.name }
        for s in scales where abs(p[s]) > 1e3 { return s.name }
        return binWidth.name
    }

    static func format(_ x: Double) -> String { x < 1e6 ? String(Int(x)) : String(format: "%.2g", x) }
}
