import Foundation
import TestSupport
import XCTest
@testable import Physics

/// The stratified jackknife of FTLM runs (`StratifiedJackknife`): momentum blocks as strata, each
/// batch's vectors in a block as a unit.
final class StratifiedJackknifeTests: XCTestCase {
    func filtered(_ h: StickHistogram, row: Int, delta: Double, at omegas: [Double]) -> [Double] {
        GaussianFilter.apply(h.sticks(row: row), delta: delta, at: omegas)
    }

    /// units[b][j] of a run: batch b's vectors in momentum block j (one sector per block).
    func units(_ s: FTLMSettings) throws -> [[KuboSums]] {
        let blocks = FTLM.momenta(s).count
        let low = s.exactWindow > 0 ? LowStateCache(s) : nil
        return try (0..<s.batches).map { b in try (0..<blocks).map { try FTLM.batchSums(s, batch: b, block: $0, blocks: blocks, lowStates: low) } }
    }

    /// The pseudo-values average to the pooled estimate, and their standard error equals the
    /// linearised variance of the stratified ratio estimate, computed here from the units' raw
    /// sums: Var σ = Σ_j B/(B−1) Σ_b (e_bj − ē_j)² / Z², e = a − σ z (a: a unit's filtered numerator,
    /// z its partition sum). The jackknife differs from it only at second order in the units'
    /// fluctuations: 2% here (measured: passes at 2%).
    func testPseudoValuesCarryTheLinearisedStratifiedVariance() throws {
        let model = TLSModel(sites: 8, t: 1, g: 1, omega0: 0.5)
        let temps = [0.5, 2.0]
        let s = FTLMSettings(model: model, temperatures: temps, lanczosSteps: 60, randomVectors: 3, batches: 3, seed: 23)
        let u = try units(s)
        let r = StratifiedJackknife.merge(u)
        let b = u.count, j = u[0].count
        XCTAssertEqual(r.batchSpectra.count, b * j)
        let omegas = [0.0, 0.4, 1.2, 2.5], delta = 0.1
        var pooled = u[0][0]
        for bb in 0..<b { for jj in 0..<j where (bb, jj) != (0, 0) { pooled.accumulate(u[bb][jj]) } }
        for row in temps.indices {
            let est = filtered(r.spectrum, row: row, delta: delta, at: omegas)
            let pseudo = r.batchSpectra.map { filtered($0, row: row, delta: delta, at: omegas) }
            let z = pooled.z[row]
            for k in omegas.indices {
                // Raw (unnormalised) filtered numerators of every unit.
                var variance = 0.0
                for jj in 0..<j {
                    let e = (0..<b).map { bb -> Double in
                        let a = GaussianFilter.apply(u[bb][jj].numerator.sticks(row: row), delta: delta, at: [omegas[k]])[0]
                        return a - est[k] * u[bb][jj].z[row]
                    }
                    let eMean = e.reduce(0, +) / Double(b)
                    variance += Double(b) / Double(b - 1) * e.reduce(0) { $0 + ($1 - eMean) * ($1 - eMean) }
                }
                let linearised = variance.squareRoot() / z
                let jackknife = BatchStatistics.standardError(pseudo.map { $0[k] })
                XCTAssertEqual(jackknife, linearised, accuracy: 0.02 * linearised, "T = \(temps[row]), ω = \(omegas[k])")
                // Centred on the estimate: exactly in the bins' weights; the filter reads each bin's
                // stick at Σwω/Σw, not linear in them, which moves the mean by ~1e-5 relative.
                let mean = pseudo.map { $0[k] }.reduce(0, +) / Double(pseudo.count)
                XCTAssertEqual(mean, est[k], accuracy: 0.01 * jackknife)
            }
            let dof = StratifiedJackknife.degreesOfFreedom(pseudoValues: pseudo.map { $0[0] }, batches: b)
            XCTAssertGreaterThanOrEqual(dof, Double(b - 1) - 1e-9)
            XCTAssertLessThanOrEqual(dof, Double(j * (b - 1)) + 1e-9)
        }
    }

    /// Calibration against ED at the same N (N = 8, M = D = 256: Lanczos is exact, only the
    /// random vectors' error is left): 2 vectors per sector in 2 batches, 5 sectors as strata,
    /// 12 seeds, plain and hybrid (exact states within 1.0 of the ground state), at ω0 = 0.5 and
    /// 2. Each deviation over its error is judged as Student's t with that point's
    /// Welch–Satterthwaite degrees of freedom (here 1.2–3.2 between the deciles: unequal strata, κ
    /// = 0 and π weigh half): the tail probabilities p must look uniform, p < 0.01 for at most 3%
    /// (1% expected; 720 points give ±0.4%) and p < 0.3173 ("beyond 1σ") for 20–45% (31.7%).
    /// The two batches' spread alone (1 d.o.f.) is printed for contrast.
    func testTwoVectorsPerSectorGiveCalibratedErrors() throws {
        let temps = [0.5, 1.0, 2.0]
        let omegas = [0.0, 0.5, 1.5, 3.0], delta = 0.2
        var p: [Double] = [], pBatches: [Double] = [], nus: [Double] = []
        func record(_ deviation: Double, _ pseudo: [Double], _ batches: [Double]?) {
            let nu = StratifiedJackknife.degreesOfFreedom(pseudoValues: pseudo, batches: 2)
            p.append(1 - StudentT.central(abs(deviation) / BatchStatistics.standardError(pseudo), dof: nu))
            nus.append(nu)
            if let batches { pBatches.append(1 - StudentT.central(abs(deviation) / BatchStatistics.standardError(batches), dof: 1)) }
        }
        for omega0 in [0.5, 2.0] {
            let model = TLSModel(sites: 8, t: 1, g: 1, omega0: omega0)
            let ed = try ExactDiagonalization.compute(EDSettings(model: model, temperatures: temps))
            for hybrid in [false, true] {
                for seed in 0..<12 {
                    var s = FTLMSettings(model: model, temperatures: temps, lanczosSteps: 256, randomVectors: 2, batches: 2,
                                         seed: UInt64(100 + seed))
                    if hybrid { s.exactWindow = 1.0 }
                    let u = try units(s)
                    let r = StratifiedJackknife.merge(u)
                    let plain = FTLM.merge(u.map { row in var t = row[0]; for x in row.dropFirst() { t.accumulate(x) }; return t })
                    for row in temps.indices {
                        let exact = filtered(ed.spectrum, row: row, delta: delta, at: omegas)
                        let est = filtered(r.spectrum, row: row, delta: delta, at: omegas)
                        let pseudo = r.batchSpectra.map { filtered($0, row: row, delta: delta, at: omegas) }
                        let perBatch = plain.batchSpectra.map { filtered($0, row: row, delta: delta, at: omegas) }
                        for k in omegas.indices where BatchStatistics.standardError(pseudo.map { $0[k] }) > 1e-6 * abs(exact[k]) {
                            record(est[k] - exact[k], pseudo.map { $0[k] }, perBatch.map { $0[k] })
                        }
                        let pseudoK = r.batchKineticEnergy.map { $0[row] }
                        if BatchStatistics.standardError(pseudoK) > 1e-6 * abs(ed.kinetic[row]) {
                            record(r.kineticEnergy[row] - ed.kinetic[row], pseudoK, nil)
                        }
                    }
                }
            }
        }
        func fraction(_ x: [Double], below c: Double) -> Double { Double(x.filter { $0 < c }.count) / Double(x.count) }
        let sorted = nus.sorted()
        print("stratified jackknife vs ED: \(p.count) points, d.o.f. deciles \(sorted[sorted.count / 10])…\(sorted[9 * sorted.count / 10]); p < 0.01: \(fraction(p, below: 0.01)), p < 0.3173: \(fraction(p, below: 0.3173)); two batches' spread (t, 1 d.o.f.): \(fraction(pBatches, below: 0.01)), \(fraction(pBatches, below: 0.3173))")
        XCTAssertGreaterThan(p.count, 300)
        XCTAssertLessThan(fraction(p, below: 0.01), 0.03)
        XCTAssertGreaterThan(fraction(p, below: 0.3173), 0.20)
        XCTAssertLessThan(fraction(p, below: 0.3173), 0.45)
    }
}
