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

    /// Synthetic σ_dc from Eq. 5 with A = 0.9, ω̄ = 0.375 (the paper's value) is fitted back exactly.
    func testFitRecoversEquationFive() {
        let w0 = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
        let data = SpectraAnalysis.equationFive(amplitude: 0.9, omegaBar: 0.375, omega0: w0)
        let fit = SpectraAnalysis.fitEquationFive(omega0: w0, sigmaDC: data)
        XCTAssertEqual(fit.omegaBar, 0.375, accuracy: 1e-6)
        XCTAssertEqual(fit.amplitude, 0.9, accuracy: 1e-6)
        XCTAssertLessThan(fit.rms, 1e-8)
    }
}
