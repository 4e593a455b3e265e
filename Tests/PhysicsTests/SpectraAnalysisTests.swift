import Foundation
import XCTest
@testable import Physics

/// The analysis functions against closed forms.
final class SpectraAnalysisTests: XCTestCase {
    /// Trapezoid on σ = 3ω² (grid 1e−3): ∫_0^Λ = Λ³ exactly up to the trapezoid error
    /// h²Λ·σ''/12 = 2.5e−7·Λ; a cutoff between grid points is interpolated linearly.
    func testSpectralWeight() {
        let omega = stride(from: 0.0, through: 2.0, by: 0.001).map { $0 }
        let sigma = omega.map { 3 * $0 * $0 }
        for cut in [0.25, 0.2505, 1.0, 5.0] {
            let exact = pow(min(cut, 2.0), 3)
            XCTAssertEqual(SpectraAnalysis.spectralWeight(omega: omega, sigma: sigma, cutoff: cut), exact, accuracy: 1e-6, "Λ = \(cut)")
        }
    }

    /// A Lorentzian peak at 0.537 on a 0.01 grid plus a larger ω = 0 peak: the parabola through
    /// three points finds the finite-frequency maximum to well within a grid step (1e−3).
    func testPeak() {
        let omega = stride(from: 0.0, through: 3.0, by: 0.01).map { $0 }
        let sigma = omega.map { 5 * exp(-$0 * $0 / 0.001) + 1 / (1 + pow(($0 - 0.537) / 0.2, 2)) }
        XCTAssertEqual(SpectraAnalysis.peak(omega: omega, sigma: sigma, omegaMin: 0.1)!, 0.537, accuracy: 1e-3)
        XCTAssertNil(SpectraAnalysis.peak(omega: omega, sigma: omega.map { exp(-$0) }, omegaMin: 0.1))
    }

    /// A peak counts only beyond the errors: a Drude tail with a bump of prominence 0.20 (over the
    /// dip before it) is a peak with errors of 0.01 and none with errors of 0.1 (0.20 < 2 × (0.1 +
    /// 0.1)); a real finite-frequency peak stays one with those errors.
    func testPeakMustStandOutOfTheErrors() {
        let omega = stride(from: 0.0, through: 3.0, by: 0.01).map { $0 }
        let wiggle = omega.map { 2 * exp(-$0) + 0.3 * exp(-pow(($0 - 0.8) / 0.05, 2)) }
        let small = [Double](repeating: 0.01, count: omega.count), large = [Double](repeating: 0.1, count: omega.count)
        let a = SpectraAnalysis.significantPeak(omega: omega, sigma: wiggle, error: small, omegaMin: 0.1, significance: 2)
        XCTAssertEqual(a.position ?? .nan, 0.8, accuracy: 0.01)
        let b = SpectraAnalysis.significantPeak(omega: omega, sigma: wiggle, error: large, omegaMin: 0.1, significance: 2)
        XCTAssertNil(b.position)
        XCTAssertEqual(b.candidate ?? .nan, 0.8, accuracy: 0.01, "the wiggle is still reported as the candidate")
        let real = omega.map { 0.5 * exp(-$0) + 1 / (1 + pow(($0 - 0.6) / 0.2, 2)) }
        XCTAssertEqual(SpectraAnalysis.significantPeak(omega: omega, sigma: real, error: large, omegaMin: 0.1, significance: 2).position ?? .nan, 0.6, accuracy: 0.02)
    }

    /// Synthetic σ_dc from Eq. 5 with A = 0.9, ω̄ = 0.375 (the paper's value) is fitted back exactly.
    func testFitRecoversEquationFive() {
        let w0 = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
        let data = SpectraAnalysis.equationFive(amplitude: 0.9, omegaBar: 0.375, omega0: w0)
        let fit = SpectraAnalysis.fitEquationFive(omega0: w0, sigmaDC: data)
        XCTAssertEqual(fit.omegaBar, 0.375, accuracy: 1e-6)
        XCTAssertEqual(fit.amplitude, 0.9, accuracy: 1e-6)
        XCTAssertLessThan(fit.rms, 1e-8)
    }

    /// ω̄ is free: recovered when it lies below the largest ω0 as well as above it (the old
    /// bound at max ω0 returned 0.20002 where a free fit gives 0.09).
    func testFreeFitRecoversOmegaBarOnBothSidesOfTheData() {
        let w0 = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
        for truth in [0.09, 0.375, 3.0] {
            let data = SpectraAnalysis.equationFive(amplitude: 0.7, omegaBar: truth, omega0: w0)
            let fit = SpectraAnalysis.fitEquationFive(omega0: w0, sigmaDC: data)
            XCTAssertEqual(fit.omegaBar, truth, accuracy: 1e-6 * truth, "ω̄ = \(truth)")
            XCTAssertEqual(fit.amplitude, 0.7, accuracy: 1e-6)
        }
    }

    /// The reported error of ω̄ is what the scatter of refits says: 400 noisy copies (2% Gaussian
    /// noise, seeded) of Eq. 5 data; the spread of the fitted ω̄ and the mean reported error
    /// agree within 20% (the Monte Carlo estimate of a spread from 400 draws is good to 4%;
    /// the linearised error itself is approximate at this noise).
    func testOmegaBarErrorMatchesTheScatterOfRefits() {
        let w0 = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3]
        let clean = SpectraAnalysis.equationFive(amplitude: 1, omegaBar: 0.375, omega0: w0)
        var rng = Xoshiro256(seed: 7)
        var fitted: [Double] = [], reported: [Double] = []
        for _ in 0..<400 {
            let errs = clean.map { 0.02 * $0 }
            let noisy = zip(clean, errs).map { c, e -> Double in
                // Box–Muller from two uniforms.
                let u1 = max(rng.uniform(), 1e-300), u2 = rng.uniform()
                return c + e * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            }
            let fit = SpectraAnalysis.fitEquationFive(omega0: w0, sigmaDC: noisy, errors: errs)
            fitted.append(fit.omegaBar)
            reported.append(fit.omegaBarError)
        }
        let mean = fitted.reduce(0, +) / Double(fitted.count)
        let spread = (fitted.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(fitted.count - 1)).squareRoot()
        let typical = reported.reduce(0, +) / Double(reported.count)
        XCTAssertEqual(mean, 0.375, accuracy: 3 * spread / 20, "unbiased within 3 standard errors of the mean")
        XCTAssertEqual(typical / spread, 1, accuracy: 0.2, "reported \(typical), scatter \(spread)")
    }
}
