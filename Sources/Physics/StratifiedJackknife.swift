/// Statistical errors of an FTLM run by the stratified delete-one jackknife.
///
/// The momentum blocks are strata: their sectors' weights are fixed and their random vectors
/// independent. In stratum j the batches b = 0 … B−1 are B independent, identically drawn units
/// u[b][j]. Replicate (b, j) drops u[b][j] and reweights stratum j's other units by B/(B−1);
/// the variance of an estimate θ is then Σ_j (B−1)/B Σ_b (θ_(b,j) − θ̄_j)² (the jackknife of
/// stratified samples). The spread of B batches has B − 1 degrees of freedom; this has up to
/// J(B − 1) (fewer where a few strata carry the variance), so that 2 vectors per sector still
/// give error bars one can trust.
///
/// Downstream stages read a statistical error as the standard error of "batch" spectra. To keep
/// that one contract, the batches returned are pseudo-values p = θ + c (θ_(b,j) − θ̄_j) with
/// c² = n(n−1)(B−1)/B, n = BJ, in stratum-major order (index j·B + b): their mean is θ and their
/// standard error is the jackknife's for anything linear in the spectrum (a filtered σ, σ_dc, a
/// spectral weight, ⟨K⟩). They are not spectra of subsamples.
public enum StratifiedJackknife {
    /// `units[b][j]`: the sums of batch b in stratum j (every unit of one stratum holds the same
    /// sectors). Needs B ≥ 2.
    public static func merge(_ units: [[KuboSums]]) -> StaticDisorderResult {
        let b = units.count, j = units[0].count
        precondition(b >= 2 && units.allSatisfy { $0.count == j }, "a stratified jackknife needs ≥ 2 batches of equal strata")
        var total = units[0][0]
        for s in 0..<j { for u in 0..<b where (u, s) != (0, 0) { total.accumulate(units[u][s]) } }
        let pooled = total.normalised()
        var bare = total
        bare.coarse = nil
        let bd = Double(b), n = Double(b * j)
        let c = (n * (n - 1) * (bd - 1) / bd).squareRoot()
        var pseudo: [StickHistogram] = [], pseudoK: [[Double]] = []
        for s in 0..<j {
            var stratum = units[0][s]
            for u in 1..<b { stratum.accumulate(units[u][s]) }
            // θ_(u,s): the total with unit (u, s) dropped and its stratum's others scaled by B/(B−1).
            let replicates = (0..<b).map { u -> (sigma: StickHistogram, kinetic: [Double]) in
                var r = bare
                r.accumulate(stratum, times: 1 / (bd - 1))
                r.accumulate(units[u][s], times: -bd / (bd - 1))
                let x = r.normalised()
                return (x.sigma, x.kinetic)
            }
            let meanSigma = StickHistogram.combination(replicates.map { ($0.sigma, 1 / bd) })
            let meanK = (0..<pooled.kinetic.count).map { t in replicates.reduce(0) { $0 + $1.kinetic[t] } / bd }
            for r in replicates {
                pseudo.append(StickHistogram.combination([(pooled.sigma, 1), (r.sigma, c), (meanSigma, -c)]))
                pseudoK.append((0..<meanK.count).map { t in pooled.kinetic[t] + c * (r.kinetic[t] - meanK[t]) })
            }
        }
        return StaticDisorderResult(spectrum: pooled.sigma, kineticEnergy: pooled.kinetic, batchSpectra: pseudo,
                                    batchKineticEnergy: pseudoK, coarseSpectrum: pooled.coarse)
    }

    /// Welch–Satterthwaite degrees of freedom of an estimate from its pseudo-values (as `merge`
    /// orders them: J strata of B): ν = (Σ_j v_j)² / Σ_j v_j²/(B − 1), v_j stratum j's share of
    /// the variance. Between B − 1 (one stratum carries it all) and J(B − 1).
    public static func degreesOfFreedom(pseudoValues p: [Double], batches b: Int) -> Double {
        guard b >= 2, p.count >= b, p.count % b == 0 else { return 0 }
        let mean = p.reduce(0, +) / Double(p.count)
        let shares = stride(from: 0, to: p.count, by: b).map { s in p[s ..< s + b].reduce(0) { $0 + ($1 - mean) * ($1 - mean) } }
        let sum = shares.reduce(0, +), sumSq = shares.reduce(0) { $0 + $1 * $1 }
        return sumSq > 0 ? sum * sum / sumSq * Double(b - 1) : 0
    }
}
