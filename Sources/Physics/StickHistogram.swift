#if canImport(Glibc)
import Glibc
#endif

/// A stick spectrum of σ(ω) stored as a fine histogram on ω > 0, one row per temperature.
///
/// σ is even in ω, so only ω > 0 is kept: bin k covers [k·b, (k+1)·b) and holds the integrated
/// weight ∫_bin σ dω and the weight-averaged stick position (so a filter places one stick per
/// bin exactly where it was). Sticks at exactly ω = 0 (degenerate pairs: the thermal Drude
/// peak) are kept apart in `drude`. Then ∫_{−∞}^{∞} σ dω = 2 Σ weight + drude.
public struct StickHistogram: Sendable, Equatable {
    public let temperatures: [Double]
    public let binWidth: Double
    public let binCount: Int
    /// [temperature][bin], row-major.
    public var weight: [Double]
    /// Σ w·ω per bin, [temperature][bin].
    public var weightedOmega: [Double]
    /// Weight of the ω = 0 sticks, per temperature.
    public var drude: [Double]
    /// Weight of sticks beyond the histogram's range, per temperature (kept for the sum rules).
    public var beyond: [Double]

    public init(temperatures: [Double], binWidth: Double, binCount: Int) {
        self.temperatures = temperatures
        self.binWidth = binWidth
        self.binCount = binCount
        weight = [Double](repeating: 0, count: temperatures.count * binCount)
        weightedOmega = weight
        drude = [Double](repeating: 0, count: temperatures.count)
        beyond = drude
    }

    public init(temperatures: [Double], binWidth: Double, binCount: Int, weight: [Double],
                weightedOmega: [Double], drude: [Double], beyond: [Double]? = nil) {
        precondition(weight.count == temperatures.count * binCount && weightedOmega.count == weight.count)
        self.temperatures = temperatures
        self.binWidth = binWidth
        self.binCount = binCount
        self.weight = weight
        self.weightedOmega = weightedOmega
        self.drude = drude
        self.beyond = beyond ?? [Double](repeating: 0, count: temperatures.count)
    }

    public var binCentres: [Double] { (0..<binCount).map { (Double($0) + 0.5) * binWidth } }

    /// Adds a stick of weight `w` at ω ≥ 0 for temperature row `row`; sticks past the range are
    /// only counted in `beyond`.
    @inline(__always)
    public mutating func add(row: Int, omega: Double, weight w: Double) {
        let k = Int(omega / binWidth)
        if k >= binCount { beyond[row] += w; return }
        weight[row * binCount + k] += w
        weightedOmega[row * binCount + k] += w * omega
    }

    /// Sticks of one temperature row: non-empty bins with their mean positions.
    public func sticks(row: Int) -> Sticks {
        var pos: [Double] = []
        var wts: [Double] = []
        pos.reserveCapacity(binCount)
        wts.reserveCapacity(binCount)
        for k in 0..<binCount {
            let w = weight[row * binCount + k]
            guard w != 0 else { continue }
            // FTLM sticks carry both signs: where they nearly cancel, the weighted mean can land
            // anywhere (measured: outside the bin, which unsorted the sticks and made the filter
            // skip some, so one batch in 16 read σ ≈ 0). Keep it inside its own bin.
            let lo = Double(k) * binWidth
            pos.append(min(max(weightedOmega[row * binCount + k] / w, lo), lo + binWidth))
            wts.append(w)
        }
        return Sticks(positions: pos, weights: wts, drude: drude[row])
    }

    /// Element-wise sum (pooling numerators of independent samples).
    public mutating func accumulate(_ other: StickHistogram) {
        precondition(other.binCount == binCount && other.temperatures == temperatures)
        for i in weight.indices {
            weight[i] += other.weight[i]
            weightedOmega[i] += other.weightedOmega[i]
        }
        for i in drude.indices { drude[i] += other.drude[i]; beyond[i] += other.beyond[i] }
    }

    /// Adds `factor` × `other`, element by element (a jackknife replicate's reweighted sums).
    public mutating func accumulate(_ other: StickHistogram, times factor: Double) {
        precondition(other.binCount == binCount && other.temperatures == temperatures)
        for i in weight.indices {
            weight[i] += factor * other.weight[i]
            weightedOmega[i] += factor * other.weightedOmega[i]
        }
        for i in drude.indices { drude[i] += factor * other.drude[i]; beyond[i] += factor * other.beyond[i] }
    }

    /// Σ factor × histogram over `terms` (all on the same bins and temperatures).
    public static func combination(_ terms: [(StickHistogram, Double)]) -> StickHistogram {
        var h = terms[0].0
        for r in 0..<h.temperatures.count { h.scale(row: r, by: terms[0].1) }
        for (x, f) in terms.dropFirst() { h.accumulate(x, times: f) }
        return h
    }

    /// Multiplies row `row` by `factor` (e.g. 1/Z).
    public mutating func scale(row: Int, by factor: Double) {
        for k in 0..<binCount {
            weight[row * binCount + k] *= factor
            weightedOmega[row * binCount + k] *= factor
        }
        drude[row] *= factor
        beyond[row] *= factor
    }

    /// Total spectral weight ∫_{−∞}^{∞} σ dω of a row.
    public func totalWeight(row: Int) -> Double {
        var s = 0.0
        for k in 0..<binCount { s += weight[row * binCount + k] }
        return 2 * (s + beyond[row]) + drude[row]
    }
}

/// Positive-frequency sticks of one spectrum (σ even: each stands for ±ω) plus the ω = 0 weight.
public struct Sticks: Sendable {
    public let positions: [Double]
    public let weights: [Double]
    public let drude: Double

    public init(positions: [Double], weights: [Double], drude: Double) {
        precondition(positions.count == weights.count)
        self.positions = positions
        self.weights = weights
        self.drude = drude
    }

    /// ∫_0^Λ σ dω (paper Eq. 2), counting half of the ω = 0 weight.
    public func spectralWeight(upTo cutoff: Double) -> Double {
        var s = drude / 2
        for (p, w) in zip(positions, weights) where p <= cutoff { s += w }
        return s
    }
}
