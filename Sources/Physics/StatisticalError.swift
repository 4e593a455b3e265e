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
}
