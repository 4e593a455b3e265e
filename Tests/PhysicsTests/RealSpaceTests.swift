import Foundation
import LinearAlgebra
@testable import Physics
import XCTest

/// The real-space path (disorder, per-site ω0 and g) against the momentum-sector code, the
/// static-disorder code, and the f-sum rule.
final class RealSpaceTests: XCTestCase {
    func normalised(_ chain: DisorderedChain, _ temps: [Double], binWidth: Double, omegaMax: Double, floor: Double) throws
        -> (sigma: StickHistogram, kinetic: [Double]) {
        let sums = try RealSpaceED.kuboSums(chain, temperatures: temps, binWidth: binWidth,
                                            binCount: Int((omegaMax / binWidth).rounded(.up)), floor: floor)
        let n = sums.normalised()
        return (n.sigma, n.kinetic)
    }

    func assertSame(_ a: StickHistogram, _ b: StickHistogram, _ ka: [Double], _ kb: [Double], tolerance: Double,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.weight.count, b.weight.count, file: file, line: line)
        for r in 0..<a.temperatures.count {
            let scale = a.totalWeight(row: r)
            XCTAssertEqual(a.totalWeight(row: r), b.totalWeight(row: r), accuracy: tolerance * scale, "T row \(r)", file: file, line: line)
            XCTAssertEqual(a.drude[r], b.drude[r], accuracy: tolerance * scale, "drude, T row \(r)", file: file, line: line)
            XCTAssertEqual(ka[r], kb[r], accuracy: tolerance * max(1, abs(kb[r])), "⟨K⟩, T row \(r)", file: file, line: line)
            // Bin by bin, as running sums (a stick on a bin edge may land on either side).
            var ca = 0.0, cb = 0.0, worst = 0.0
            for k in 0..<a.binCount {
                ca += a.weight[r * a.binCount + k]; cb += b.weight[r * b.binCount + k]
                worst = max(worst, abs(ca - cb))
            }
            XCTAssertLessThan(worst, tolerance * scale, "cumulative σ, T row \(r)", file: file, line: line)
        }
    }

    /// W = 0 with the same ω0 and g on every site: the real-space spectrum is the momentum
    /// sectors' (N = 6, 8; three temperatures), to 1e-10.
    func testZeroDisorderEqualsMomentumSectors() throws {
        for n in [6, 8] {
            let temps = [0.3, 1, 3]
            let model = TLSModel(sites: n, t: 1, g: 1, omega0: 0.5)
            let omegaMax = TLSSpectrumRange.defaultOmegaMax(model)
            let ref = try ExactDiagonalization.compute(EDSettings(model: model, temperatures: temps, binWidth: 1e-3, omegaMax: omegaMax))
            let s = DisorderSettings(sites: n, omega0: .fixed(0.5), g: .fixed(1), seed: 1)
            let mine = try normalised(s.realization(0), temps, binWidth: 1e-3, omegaMax: omegaMax, floor: s.energyFloor)
            assertSame(mine.sigma, ref.spectrum, mine.kinetic, ref.kinetic, tolerance: 1e-10)
        }
    }

    /// ω0_i = 0: the TLSs are static ±1 (σ^x) and every one of the 2^N configurations is equally
    /// likely, so one realisation equals the static-disorder code pooled over the 2^N chains with
    /// site energies ε_x − g_x s_x (ring and open chain).
    func testStaticLimitEqualsStaticDisorder() throws {
        for boundary in [ChainBoundary.periodic, .open] {
            let n = 6, temps = [0.5, 2]
            let s = DisorderSettings(sites: n, width: 1, kind: .box, omega0: .fixed(0), g: .uniform(min: 0.5, max: 1), seed: 7,
                                     boundary: boundary)
            let chain = s.realization(3)
            XCTAssertEqual(Set(chain.onsite).count, n, "box disorder: distinct energies")
            let settings = StaticDisorderSettings(sites: n, t: 1, g: 3, realizations: 1, seed: 0, temperatures: temps,
                                                  binWidth: 1e-3, omegaMax: 8, boundary: boundary)
            var pooled: KuboSums? = nil
            for c in 0..<(1 << n) {
                let energies = (0..<n).map { x in chain.onsite[x] - chain.g[x] * ((c >> x) & 1 == 1 ? 1 : -1) }
                let sums = try StaticDisorder.kuboSums(energies: energies, settings: settings)
                if pooled == nil { pooled = sums } else { pooled!.accumulate(sums) }
            }
            let ref = pooled!.normalised()
            let mine = try normalised(chain, temps, binWidth: 1e-3, omegaMax: 8, floor: s.energyFloor)
            assertSame(mine.sigma, ref.sigma, mine.kinetic, ref.kinetic, tolerance: 1e-10)
        }
    }

    /// Open chain: j = i[H, X] exactly, so ∫σ dω = π⟨−K⟩ for every realisation, to round-off,
    /// with box disorder, log-uniform ω0 (the glass case) and binary g.
    func testFSumRulePerRealisationOnTheOpenChain() throws {
        let s = DisorderSettings(sites: 6, width: 2, kind: .box, omega0: .logUniform(min: 0.01, max: 1),
                                 g: .binary(min: 0.5, max: 1.5), seed: 11, boundary: .open)
        for r in 0..<3 {
            let x = try normalised(s.realization(r), [0.2, 1, 5], binWidth: 1e-3, omegaMax: 12, floor: s.energyFloor)
            for row in 0..<3 {
                XCTAssertEqual(x.sigma.totalWeight(row: row) / (Double.pi * -x.kinetic[row]), 1, accuracy: 1e-12, "realisation \(r), row \(row)")
            }
        }
    }

    /// The same seed gives the same chain on every machine: pinned values, not trust in the generator.
    func testRealisationsArePinnedByValue() {
        let s = DisorderSettings(sites: 4, width: 2, kind: .box, omega0: .logUniform(min: 0.01, max: 1),
                                 g: .binary(min: 0.5, max: 1.5), seed: 42)
        let c = s.realization(3)
        XCTAssertEqual(c.onsite, [-0.4572260132236432, 0.5632134874181172, 0.7005692859864636, -0.032157892967086266])
        XCTAssertEqual(c.omega0, [0.0263780545766227, 0.045957035642940514, 0.03529186368728476, 0.021279735260652206])
        XCTAssertEqual(c.g, [0.5, 0.5, 1.5, 0.5])
        let b = DisorderSettings(sites: 4, width: 2, kind: .binary, omega0: .uniform(min: 0.1, max: 0.3), g: .fixed(1), seed: 42).realization(0)
        XCTAssertEqual(b.onsite, [1.0, -1.0, 1.0, 1.0])
        XCTAssertEqual(b.omega0, [0.2117442994364028, 0.20948893920028, 0.27027352449187025, 0.22620148462445294])
        XCTAssertEqual(b.g, [1.0, 1.0, 1.0, 1.0])
        // Bounds hold for many draws.
        for r in 0..<200 {
            let x = s.realization(r)
            XCTAssertTrue(x.onsite.allSatisfy { abs($0) <= 1 } && x.omega0.allSatisfy { $0 >= 0.01 && $0 <= 1 } && x.g.allSatisfy { $0 == 0.5 || $0 == 1.5 })
        }
    }
}

/// Real-space FTLM against real-space ED, realisation by realisation, within the random-vector
/// errors (the batch spread); and at W = 0 against the momentum-sector ED.
final class RealSpaceFTLMTests: XCTestCase {
    /// σ integrated over windows of ω, the first counting half the ω = 0 weight (the sticks of
    /// FTLM and ED differ, their weights per window agree within statistics; and at W = 0 the
    /// ±K degeneracies make FTLM put part of the ω = 0 weight on sticks at ω ~ 1e-8, which only
    /// the window sees as the same thing), and ⟨K⟩, for one temperature row.
    func observables(_ h: StickHistogram, _ k: [Double], row: Int) -> [Double] {
        let sticks = h.sticks(row: row)
        var windows = [Double](repeating: 0, count: 6)
        windows[0] = sticks.drude / 2
        for (p, w) in zip(sticks.positions, sticks.weights) { windows[min(5, Int(p / 0.75))] += w }
        return [k[row]] + windows
    }

    func check(ftlm r: StaticDisorderResult, exact: (StickHistogram, [Double]), temps: [Double], label: String) {
        for row in temps.indices {
            let est = observables(r.spectrum, r.kineticEnergy, row: row)
            let ref = observables(exact.0, exact.1, row: row)
            let samples = zip(r.batchSpectra, r.batchKineticEnergy).map { observables($0, $1, row: row) }
            let n = Double(samples.count)
            for q in est.indices {
                let mean = samples.reduce(0) { $0 + $1[q] } / n
                let sd = (samples.reduce(0) { $0 + ($1[q] - mean) * ($1[q] - mean) } / (n - 1)).squareRoot()
                // 4 standard errors (7 observables × 2 temperatures: a 4σ miss is rare), plus
                // 1e-9 for observables that are exact (no current at all in a window).
                XCTAssertEqual(est[q], ref[q], accuracy: 4 * sd / n.squareRoot() + 1e-9 * max(1, abs(ref[q])),
                               "\(label), T = \(temps[row]), observable \(q)")
            }
        }
    }

    func testAgainstRealSpaceEDPerRealisation() throws {
        let temps = [0.5, 2.0]
        let disorder = DisorderSettings(sites: 8, width: 1, kind: .box, omega0: .fixed(0.5), g: .uniform(min: 0.5, max: 1.5), seed: 3)
        let model = TLSModel(sites: 8, t: 1, g: 1, omega0: 0.5)
        let omegaMax = 12.0
        let s = FTLMSettings(model: model, temperatures: temps, lanczosSteps: 120, randomVectors: 24, batches: 8, seed: 9,
                             binWidth: 1e-3, omegaMax: omegaMax)
        for r in 0..<3 {
            let units = try (0..<8).map { try FTLM.realSpaceSums(s, disorder: disorder, realization: r, batch: $0) }
            let ftlm = FTLM.quenchedMerge([units])
            let exact = try RealSpaceED.realizations(disorder, r..<(r + 1), temperatures: temps, binWidth: 1e-3, omegaMax: omegaMax)[0]
            check(ftlm: ftlm, exact: (exact.sigma, exact.kinetic), temps: temps, label: "realisation \(r)")
        }
    }

    func testZeroDisorderAgainstMomentumSectors() throws {
        let temps = [0.5, 2.0]
        let model = TLSModel(sites: 8, t: 1, g: 1, omega0: 0.5)
        let disorder = DisorderSettings(sites: 8, omega0: .fixed(0.5), g: .fixed(1), seed: 0)
        let omegaMax = TLSSpectrumRange.defaultOmegaMax(model)
        let s = FTLMSettings(model: model, temperatures: temps, lanczosSteps: 120, randomVectors: 24, batches: 8, seed: 5,
                             binWidth: 1e-3, omegaMax: omegaMax)
        let units = try (0..<8).map { try FTLM.realSpaceSums(s, disorder: disorder, realization: 0, batch: $0) }
        let exact = try ExactDiagonalization.compute(EDSettings(model: model, temperatures: temps, binWidth: 1e-3, omegaMax: omegaMax))
        check(ftlm: FTLM.quenchedMerge([units]), exact: (exact.spectrum, exact.kinetic), temps: temps, label: "W = 0")
    }

    /// The quenched average of several realisations: the mean of their normalised spectra.
    func testQuenchedMergeAveragesRealisations() throws {
        let temps = [1.0]
        let disorder = DisorderSettings(sites: 6, width: 2, omega0: .fixed(0.3), g: .fixed(1), seed: 4)
        let s = FTLMSettings(model: TLSModel(sites: 6, t: 1, g: 1, omega0: 0.3), temperatures: temps, lanczosSteps: 40,
                             randomVectors: 4, batches: 2, seed: 1, binWidth: 1e-3, omegaMax: 10)
        let units = try (0..<3).map { r in try (0..<2).map { try FTLM.realSpaceSums(s, disorder: disorder, realization: r, batch: $0) } }
        let merged = FTLM.quenchedMerge(units)
        XCTAssertEqual(merged.batchSpectra.count, 3, "one error sample per realisation")
        let mean = merged.batchKineticEnergy.reduce(0) { $0 + $1[0] } / 3
        XCTAssertEqual(merged.kineticEnergy[0], mean, accuracy: 1e-14)
        XCTAssertNotEqual(merged.batchKineticEnergy[0][0], merged.batchKineticEnergy[1][0])
    }
}

/// static-disorder with extra on-site disorder W: ±g plus ε_x from a stream of its own.
final class StaticDisorderWidthTests: XCTestCase {
    func testWidthAddsBoundedOnSiteEnergiesAndZeroChangesNothing() {
        var s = StaticDisorderSettings(sites: 50, g: 1, realizations: 1, seed: 8, temperatures: [1])
        let plain = StaticDisorder.siteEnergies(sites: 50, g: 1, seed: 8, realization: 2)
        XCTAssertEqual(StaticDisorder.siteEnergies(s, realization: 2), plain)
        s.width = 1
        let dirty = StaticDisorder.siteEnergies(s, realization: 2)
        let extra = zip(dirty, plain).map { $0 - $1 }
        XCTAssertTrue(extra.allSatisfy { abs($0) <= 0.5 })
        XCTAssertGreaterThan(Set(extra).count, 45, "box disorder: (almost) all distinct")
        s.kind = .binary
        XCTAssertTrue(zip(StaticDisorder.siteEnergies(s, realization: 2), plain).allSatisfy { abs(abs($0 - $1) - 0.5) < 1e-15 })
    }
}

/// The real-space path stores real amplitudes in pairs (`RealSpaceChain.storesRealPairs`): its
/// Lanczos must be the complex Lanczos of the same real start vector, only in half the memory.
final class RealPairsTests: XCTestCase {
    /// The chain on complex vectors (j = i·A), built on the real kernel applied to the real and
    /// imaginary parts apart: the complex arithmetic the real path replaces.
    struct ComplexChain: KrylovSpace {
        let chain: DisorderedChain
        let energyFloor: Double
        var dimension: Int { chain.dimension }
        var storesRealPairs: Bool { false }
        func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>) {
            let d = dimension
            let re = (0..<d).map { v[$0].real }, im = (0..<d).map { v[$0].imaginary }
            var ore = [Double](repeating: 0, count: d), oim = ore
            chain.apply(op, re, into: &ore)
            chain.apply(op, im, into: &oim)
            for s in 0..<d { out[s] = op == .current ? ComplexDouble(-oim[s], ore[s]) : ComplexDouble(ore[s], oim[s]) }
        }
    }

    func testRealPairsRunTheComplexLanczosOfARealStartVector() throws {
        let disorder = DisorderSettings(sites: 6, width: 1.5, kind: .box, omega0: .uniform(min: 0.1, max: 1), g: .uniform(min: 0.5, max: 1.5), seed: 7)
        let chain = disorder.realization(1)
        let real = RealSpaceChain(chain, floor: disorder.energyFloor)
        let complex = ComplexChain(chain: chain, energyFloor: disorder.energyFloor)
        XCTAssertEqual(real.dimension * 2, complex.dimension)
        // A real start vector: as complex numbers with zero imaginary parts, and as real pairs.
        var rng = Xoshiro256(seed: 11)
        let amplitudes = (0..<complex.dimension).map { _ in rng.gaussian() }
        let asComplex = amplitudes.map { ComplexDouble($0, 0) }
        let asPairs = (0..<real.dimension).map { ComplexDouble(amplitudes[2 * $0], amplitudes[2 * $0 + 1]) }
        // 300 of the 384 possible steps: far past the loss of orthogonality, so the real
        // reorthogonalisation (Re⟨v|w⟩ only) is exercised many times.
        let steps = 300, temps = [0.2, 1.0, 5.0]
        func run<S: KrylovSpace>(_ space: S, _ start: [ComplexDouble]) throws -> KuboSums {
            var sums = KuboSums(temperatures: temps, binWidth: 0.01, binCount: 1200)
            try FTLM.addRandomVector(space, start: start, steps: steps, weight: 1, into: &sums)
            return sums
        }
        let storage = KrylovStorage(dimension: real.dimension, steps: steps, realPairs: true)
        let basis = withExtendedLifetime(storage) {
            asPairs.withUnsafeBufferPointer { KrylovBasis(sector: real, start: $0.baseAddress!, steps: steps, storage: storage.first) }
        }
        XCTAssertGreaterThan(basis.reorthogonalisations, 0, "the test must reach the reorthogonalisation")
        let a = try run(real, asPairs), b = try run(complex, asComplex)
        // Same arithmetic up to the order of sums (dot products pair the amplitudes differently):
        // round-off, amplified by the Lanczos run, stays far below 1e-8 of each total.
        for r in temps.indices {
            XCTAssertEqual(a.z[r], b.z[r], accuracy: 1e-10 * b.z[r], "Z, T = \(temps[r])")
            XCTAssertEqual(a.kinetic[r], b.kinetic[r], accuracy: 1e-10 * abs(b.kinetic[r]), "⟨K⟩ sum, T = \(temps[r])")
            let total = b.numerator.totalWeight(row: r)
            XCTAssertGreaterThan(total, 0)
            XCTAssertEqual(a.numerator.totalWeight(row: r), total, accuracy: 1e-10 * total, "σ weight, T = \(temps[r])")
            XCTAssertEqual(a.numerator.drude[r], b.numerator.drude[r], accuracy: 1e-10 * total, "Drude, T = \(temps[r])")
            var ca = 0.0, cb = 0.0, worst = 0.0
            for k in 0..<1200 {
                ca += a.numerator.weight[r * 1200 + k]; cb += b.numerator.weight[r * 1200 + k]
                worst = max(worst, abs(ca - cb))
            }
            XCTAssertLessThan(worst, 1e-8 * total, "running σ weight, T = \(temps[r])")
        }
    }
}

/// Momentum sectors at κ = 0 and π as real spaces (`RealSector`).
final class RealSectorTests: XCTestCase {
    func testRealSectorsAreTheComplexSectorsOnRealVectors() throws {
        let model = TLSModel(sites: 7, t: 1, g: 0.8, omega0: 0.3)
        XCTAssertNil(RealSector(Sector(model: model, kappa: 0.4)))
        for kappa in [0, Double.pi] {
            let complex = Sector(model: model, kappa: kappa)
            let real = try XCTUnwrap(RealSector(complex))
            var rng = Xoshiro256(seed: 5)
            let x = (0..<complex.dimension).map { _ in rng.gaussian() }
            let asComplex = x.map { ComplexDouble($0, 0) }
            let asPairs = (0..<real.dimension).map { ComplexDouble(x[2 * $0], x[2 * $0 + 1]) }
            for op in [Sector.Operator.hamiltonian, .kinetic, .current] {
                var c = [ComplexDouble](repeating: .zero, count: complex.dimension)
                var r = [ComplexDouble](repeating: .zero, count: real.dimension)
                complex.apply(op, asComplex, into: &c)
                real.apply(op, asPairs, into: &r)
                // The complex result is real (H, K) or i times real (j = i·A).
                for s in 0..<complex.dimension {
                    let got = s % 2 == 0 ? r[s / 2].real : r[s / 2].imaginary
                    let want = op == .current ? c[s].imaginary : c[s].real
                    let other = op == .current ? c[s].real : c[s].imaginary
                    XCTAssertEqual(got, want, accuracy: 1e-13, "κ = \(kappa), \(op), row \(s)")
                    XCTAssertEqual(other, 0, accuracy: 1e-13, "κ = \(kappa), \(op): not real, row \(s)")
                }
            }
            // And FTLM of one real start vector: the complex run's numbers at half the memory.
            var a = KuboSums(temperatures: [0.3, 2], binWidth: 0.01, binCount: 900), b = a
            try FTLM.addRandomVector(real, start: asPairs, steps: 100, weight: 1, into: &a)
            try FTLM.addRandomVector(complex, start: asComplex, steps: 100, weight: 1, into: &b)
            for row in 0..<2 {
                XCTAssertEqual(a.z[row], b.z[row], accuracy: 1e-10 * b.z[row], "κ = \(kappa)")
                XCTAssertEqual(a.kinetic[row], b.kinetic[row], accuracy: 1e-10 * abs(b.kinetic[row]), "κ = \(kappa)")
                let total = b.numerator.totalWeight(row: row)
                XCTAssertGreaterThan(total, 0)
                XCTAssertEqual(a.numerator.totalWeight(row: row), total, accuracy: 1e-10 * total, "κ = \(kappa)")
            }
        }
    }
}
