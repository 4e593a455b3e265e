import Foundation
import XCTest
@testable import Physics

final class FilterAndRTATests: XCTestCase {
    /// FTLM sticks carry both signs. Two that nearly cancel in one bin have a weighted mean far
    /// outside it (here at ω ≈ −79); the stick must stay inside its bin, so positions stay
    /// sorted and the filter still finds the stick at 0.3 (it once skipped such sticks: one
    /// FTLM batch in 16 read σ ≈ 0).
    func testNearlyCancellingSticksStayInTheirBin() {
        var h = StickHistogram(temperatures: [1], binWidth: 0.1, binCount: 20)
        h.add(row: 0, omega: 0.3, weight: 1)
        h.add(row: 0, omega: 0.51, weight: 1)
        h.add(row: 0, omega: 0.59, weight: -0.999)
        h.add(row: 0, omega: 0.75, weight: 0.5)
        let sticks = h.sticks(row: 0)
        XCTAssertEqual(sticks.positions.count, 3)
        XCTAssertEqual(sticks.positions, sticks.positions.sorted())
        XCTAssertTrue((0.5...0.6).contains(sticks.positions[1]), "\(sticks.positions)")
        let delta = 0.02
        let value = GaussianFilter.apply(sticks, delta: delta, at: [0.3])[0]
        XCTAssertEqual(value, 1 / ((2 * Double.pi).squareRoot() * delta), accuracy: 1e-9)
    }

    /// The filter conserves weight: ∫_{−∞}^{∞} σ_δ dω (trapezoid on a grid of step δ/20, exact
    /// to ~1e−12 for Gaussians) equals 2 Σ w + D, including sticks closer to 0 than δ.
    func testFilterConservesWeightAndMirrorsSticks() {
        let sticks = Sticks(positions: [0.001, 0.02, 0.3, 1.7], weights: [0.5, 0.25, 1.0, 0.125], drude: 0.3)
        let delta = 0.04
        let step = delta / 20
        let omegas = stride(from: 0.0, through: 3.0, by: step).map { $0 }
        let s = GaussianFilter.apply(sticks, delta: delta, at: omegas)
        var integral = 0.0
        for i in 1..<omegas.count { integral += (s[i] + s[i - 1]) / 2 * step }
        integral *= 2  // σ_δ is even
        XCTAssertEqual(integral, 2 * (0.5 + 0.25 + 1.0 + 0.125) + 0.3, accuracy: 1e-10)
        // Value at ω = 0: every stick counts twice (±ω_s), the ω = 0 stick once.
        let g = { (x: Double) in exp(-x * x / (2 * delta * delta)) / ((2 * Double.pi).squareRoot() * delta) }
        let expected0 = 0.3 * g(0) + 2 * (0.5 * g(0.001) + 0.25 * g(0.02) + 1.0 * g(0.3))
        XCTAssertEqual(s[0], expected0, accuracy: 1e-12 * expected0)
    }

    /// Toy static spectrum of paper Eq. 5, σ = (π/2) A ω/(1 + ω²/ω̄²), as midpoint sticks on a log
    /// grid. In the T ≫ ω̄ limit the RTA d.c. value (Eq. 4) must equal Eq. 5. Errors: midpoint rule
    /// ~1e−7 (4000 points per decade), truncation at Λ = 10⁶ ω̄ and finite T = 10⁴ ω̄ ~ (ω̄/T)² log: < 1e−5.
    func testRTADCMatchesEquationFiveInItsLimit() {
        let a = 0.8, omegaBar = 0.375
        let T = 1e4 * omegaBar
        for omega0 in [0.005, 0.02, 0.05, 0.1] {
            var pos: [Double] = [], wts: [Double] = []
            let lo = log(1e-7), hi = log(omegaBar * 1e6)
            let n = 4000 * 13
            let h = (hi - lo) / Double(n)
            for i in 0..<n {
                let x0 = exp(lo + Double(i) * h), x1 = exp(lo + Double(i + 1) * h)
                let x = (x0 * x1).squareRoot()
                pos.append(x)
                wts.append(Double.pi / 2 * a * x / (1 + x * x / (omegaBar * omegaBar)) * (x1 - x0))
            }
            let sticks = Sticks(positions: pos, weights: wts, drude: 0)
            let rta = RelaxationTime.dcConductivity(sticks, temperature: T, p: omega0)
            let eq5 = RelaxationTime.toyModelDC(amplitude: a, omegaBar: omegaBar, omega0: omega0)
            XCTAssertEqual(rta / eq5, 1, accuracy: 2e-5, "ω0 = \(omega0)")
        }
    }

    /// σ_RTA(ω → 0) is σ_dc (Eq. 3 → Eq. 4), and the Lorentzian relaxation conserves weight
    /// in the T → ∞ limit where tanh(ω/2T)/ω · ω'/tanh(ω'/2T) → 1.
    func testRTAConsistency() {
        let sticks = Sticks(positions: [0.2, 0.5, 0.9, 1.4], weights: [0.3, 0.6, 0.4, 0.1], drude: 0.05)
        for T in [0.3, 1.0, 5.0] {
            let s0 = RelaxationTime.conductivity(sticks, temperature: T, p: 0.1, at: [0, 1e-7])
            let dc = RelaxationTime.dcConductivity(sticks, temperature: T, p: 0.1)
            XCTAssertEqual(s0[0], dc, accuracy: 1e-12 * dc)
            XCTAssertEqual(s0[1], dc, accuracy: 1e-9 * dc)
        }
        // T → ∞: ∫σ_RTA dω over all ω = total weight (Lorentzians have unit area).
        let p = 0.05, step = 0.0005
        let omegas = stride(from: 0.0, through: 400.0, by: step).map { $0 }
        let s = RelaxationTime.conductivity(sticks, temperature: 1e7, p: p, at: omegas)
        var integral = 0.0
        for i in 1..<omegas.count { integral += (s[i] + s[i - 1]) / 2 * step }
        let total = 2 * 1.4 + 0.05
        // tail beyond 400: 2/π · Σw p/400 ≈ 1.1e−4 of the total
        XCTAssertEqual(2 * integral / total, 1, accuracy: 2e-4)
    }

    /// The caption-filtered RTA σ_dc: at high T a Drude-only spectrum makes σ_RTA a Lorentzian of
    /// width p, so the Gaussian-filtered σ at ω = 0 is the Voigt value D·erfcx(p/√2δ)/(√(2π)δ)
    /// (tolerance: the tanh(ω/2T)/ω prefactor's 1/T² correction and the trapezoid, both < 1e−8);
    /// as δ → 0 it tends to Eq. 4 (δ = p/50: relative O(δ²/p²) = 4e−4).
    func testFilteredRTADCIsTheVoigtValueAndTendsToEquationFour() {
        let d = 0.7, p = 0.02
        for delta in [0.01, 0.04] {
            let x = p / (2.0.squareRoot() * delta)
            let voigt = d * exp(x * x) * erfc(x) / ((2 * Double.pi).squareRoot() * delta)
            let drudeOnly = Sticks(positions: [], weights: [], drude: d)
            XCTAssertEqual(RelaxationTime.filteredDC(drudeOnly, temperature: 1e6, p: p, delta: delta) / voigt, 1, accuracy: 1e-8, "δ = \(delta)")
        }
        let sticks = Sticks(positions: [0.01, 0.05, 0.3, 1.2], weights: [0.2, 0.1, 0.4, 0.3], drude: 0.05)
        for T in [0.2, 1.0] {
            let eq4 = RelaxationTime.dcConductivity(sticks, temperature: T, p: 0.05)
            XCTAssertEqual(RelaxationTime.filteredDC(sticks, temperature: T, p: 0.05, delta: 0.001) / eq4, 1, accuracy: 2e-3, "T = \(T)")
        }
    }
}
