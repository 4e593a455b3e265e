import Foundation

/// The statistical error an error-controlled FTLM run steers by: per temperature, the larger of
/// the relative standard errors (spread of the independent batches) of σ_δ(ω = 0), the filtered
/// d.c. value and the noisiest point of a spectrum, and of ⟨K⟩.
public enum StatisticalError {
    public static func relative(_ r: StaticDisorderResult, delta: Double) -> [Double] {
        r.spectrum.temperatures.indices.map { row in
            let sigma0 = GaussianFilter.apply(r.spectrum.sticks(row: row), delta: delta, at: [0])[0]
            let perBatch = r.batchSpectra.map { GaussianFilter.apply($0.sticks(row: row), delta: delta, at: [0])[0] }
            let kinetic = BatchStatistics.standardError(r.batchKineticEnergy.map { $0[row] }) / abs(r.kineticEnergy[row])
            return max(BatchStatistics.standardError(perBatch) / abs(sigma0), kinetic)
        }
    }

    /// The resolution (finite Lanczos steps) error of a quantity read from the same Lanczos runs
    /// at M and at M/2 steps: twice their difference. If the error falls as M^−p, the error left at
    /// M is the change from M/2 divided by 2^p − 1, so twice the change bounds it for p ≥ 0.585
    /// (measured against ED at N = 10 over six ω0 and six T: the error left was up to 1.4 times
    /// the change at δ = 0.003–0.04, never twice).
    public static func resolution(full: Double, half: Double) -> Double { 2 * abs(full - half) }

    /// The resolution error of σ_δ(0) per temperature, relative to σ_δ(0) (nil without a coarse spectrum).
    public static func relativeResolution(_ r: StaticDisorderResult, delta: Double) -> [Double]? {
        guard let c = r.coarseSpectrum else { return nil }
        return r.spectrum.temperatures.indices.map { row in
            let full = GaussianFilter.apply(r.spectrum.sticks(row: row), delta: delta, at: [0])[0]
            let coarse = GaussianFilter.apply(c.sticks(row: row), delta: delta, at: [0])[0]
            return resolution(full: full, half: coarse) / abs(full)
        }
    }

    /// The relative statistical error of σ_δ(0) alone (batch spread), per temperature.
    public static func relativeStatistical(_ r: StaticDisorderResult, delta: Double) -> [Double] {
        r.spectrum.temperatures.indices.map { row in
            let sigma0 = GaussianFilter.apply(r.spectrum.sticks(row: row), delta: delta, at: [0])[0]
            let perBatch = r.batchSpectra.map { GaussianFilter.apply($0.sticks(row: row), delta: delta, at: [0])[0] }
            return BatchStatistics.standardError(perBatch) / abs(sigma0)
        }
    }
}
