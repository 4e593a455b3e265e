import Foundation
import LinearAlgebra
import XCTest
@testable import Physics

/// The static-disorder Kubo calculation against independent references.
final class StaticDisorderTests: XCTestCase {
    /// Brute force: j_nm by explicit loops over sites (no GEMM), Kubo weights by an explicit
    /// double sum over ordered eigenpairs, accumulated in windows aligned with histogram bins.
    /// Same sticks, same windows: agreement to rounding (1e−12 relative).
    func testHistogramEqualsBruteForceDoubleSum() throws {
        for boundary in [ChainBoundary.periodic, .open] {
            let n = 14
            let s = StaticDisorderSettings(sites: n, t: 1, g: 0.8, realizations: 1, batches: 1, seed: 7,
                                           temperatures: [0.3, 1, 4], binWidth: 1e-3, boundary: boundary)
            let eps = StaticDisorder.siteEnergies(sites: n, g: s.g, seed: s.seed, realization: 0)
            let sums = try StaticDisorder.kuboSums(energies: eps, settings: s)
            let (hist, kin, _) = sums.normalised()

            let eig = try symmetricEigen(StaticDisorder.hamiltonian(energies: eps, t: s.t, boundary: boundary))
            let u = eig.vectors, e = eig.values
            // ⟨a|j|b⟩ = i t Σ_x (U_{x+1,a} U_{x,b} − U_{x,a} U_{x+1,b}) over bonds (x, x+1)
            func jAbs2(_ a: Int, _ b: Int) -> Double {
                var acc = 0.0
                for x in 0..<(boundary == .periodic ? n : n - 1) {
                    let y = (x + 1) % n
                    acc += u[y, a] * u[x, b] - u[x, a] * u[y, b]
                }
                return acc * acc
            }
            for (row, T) in s.temperatures.enumerated() {
                let beta = 1 / T
                let z = e.reduce(0) { $0 + exp(-beta * $1) }
                var windows = [Double](repeating: 0, count: 64)
                let windowBins = hist.binCount / 64 + 1
                var kinetic = 0.0
                for a in 0..<n {
                    var ka = 0.0
                    for x in 0..<(boundary == .periodic ? n : n - 1) { ka += -2 * u[x, a] * u[(x + 1) % n, a] }
                    kinetic += exp(-beta * e[a]) * ka / z
                    for b in 0..<n where e[b] - e[a] > 1e-9 {
                        let w = e[b] - e[a]
                        let weight = Double.pi * (1 - exp(-beta * w)) / w * exp(-beta * e[a]) * jAbs2(a, b) / z
                        windows[Int(w / s.binWidth) / windowBins] += weight
                    }
                }
                for k in 0..<64 {
                    var h = 0.0
                    for bin in (k * windowBins)..<min((k + 1) * windowBins, hist.binCount) { h += hist.weight[row * hist.binCount + bin] }
                    XCTAssertEqual(h, windows[k], accuracy: 1e-12 * max(1, windows.max()!), "\(boundary) T=\(T) window \(k)")
                }
                XCTAssertEqual(kin[row], kinetic, accuracy: 1e-12)
                XCTAssertEqual(hist.drude[row], 0, accuracy: 1e-20, "real non-degenerate eigenstates carry no ω = 0 weight")
            }
        }
    }

    /// Open chain: j = i[H, X], so ∫σ dω = π⟨−K⟩ exactly, at every temperature.
    func testFSumRuleOpenChainToMachinePrecision() throws {
        let s = StaticDisorderSettings(sites: 120, realizations: 6, batches: 2, seed: 3,
                                       temperatures: [0.1, 0.5, 1, 10], boundary: .open)
        let r = try StaticDisorder.compute(s)
        for row in s.temperatures.indices {
            let total = r.spectrum.totalWeight(row: row)
            XCTAssertEqual(total / (Double.pi * -r.kineticEnergy[row]), 1, accuracy: 1e-12, "T = \(s.temperatures[row])")
        }
    }

    /// 1D Anderson localisation: σ(ω → 0) → 0 as the ring grows past the localisation length
    /// (≈ 10 sites at g = 1). The d.c. estimate σ_δ(0) uses a filter width that shrinks with the
    /// level spacing (δ = 2t/N), as a d.c. extrapolation must; for a metal it would stay finite.
    /// Each step must fall by more than 3 combined standard errors (from the batch spread).
    func testLowFrequencyConductivityFallsWithChainLength() throws {
        var previous: (Double, Double)? = nil
        for (n, reals) in [(16, 2048), (64, 256), (256, 32), (1024, 8)] {
            let delta = 2.0 / Double(n)
            let s = StaticDisorderSettings(sites: n, realizations: reals, batches: 8, seed: 11, temperatures: [1])
            let r = try StaticDisorder.compute(s)
            let mean = GaussianFilter.apply(r.spectrum.sticks(row: 0), delta: delta, at: [0])[0]
            let err = BatchStatistics.standardError(r.batchSpectra.map { GaussianFilter.apply($0.sticks(row: 0), delta: delta, at: [0])[0] })
            print("N = \(n), δ = \(delta): σ_δ(0) = \(mean) ± \(err)")
            if let (pm, pe) = previous {
                XCTAssertLessThan(mean + 3 * (err * err + pe * pe).squareRoot(), pm, "N = \(n): σ(0) = \(mean) ± \(err) vs \(pm) ± \(pe)")
            }
            previous = (mean, err)
        }
    }

    /// The displaced Drude peak of the static chain lies near ω_L ≈ 0.5 t at g = 1 (paper Fig. 3a).
    func testPeakNearHalfHopping() throws {
        let s = StaticDisorderSettings(sites: 400, realizations: 24, batches: 2, seed: 5, temperatures: [1])
        let r = try StaticDisorder.compute(s)
        let omegas = stride(from: 0.0, through: 2.0, by: 0.005).map { $0 }
        let sigma = GaussianFilter.apply(r.spectrum.sticks(row: 0), delta: 0.05, at: omegas)
        let peak = omegas[sigma.indices.max { sigma[$0] < sigma[$1] }!]
        XCTAssertGreaterThan(peak, 0.3)
        XCTAssertLessThan(peak, 0.7)
        XCTAssertLessThan(sigma[0], 0.5 * sigma.max()!, "σ(0) is suppressed: the peak is displaced")
    }

    /// Same settings, same seed: bit-identical spectra, whatever the thread scheduling.
    func testDeterministic() throws {
        let s = StaticDisorderSettings(sites: 60, realizations: 9, batches: 3, seed: 99, temperatures: [0.5, 2])
        let a = try StaticDisorder.compute(s), b = try StaticDisorder.compute(s)
        XCTAssertEqual(a.spectrum, b.spectrum)
        XCTAssertEqual(a.batchSpectra, b.batchSpectra)
        var other = s
        other.seed = 100
        XCTAssertNotEqual(try StaticDisorder.compute(other).spectrum, a.spectrum)
    }
}
