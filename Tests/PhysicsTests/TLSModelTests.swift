import Foundation
import LinearAlgebra
import Numerics
import XCTest
@testable import Physics

/// The momentum-sector construction against a brute-force real-space build, and ED sum rules.
final class TLSModelTests: XCTestCase {
    /// Real space: states (x, c), x the electron's site, c the N TLS bits at absolute sites.
    /// Twist φ spread over the bonds: −t Σ_x (e^{iφ/N} c†_{x+1}c_x + h.c.); j = ∂H/∂(φ/N).
    func realSpace(_ m: TLSModel, phi: Double) -> (h: [ComplexDouble], j: [ComplexDouble], k: [ComplexDouble], dim: Int) {
        let n = m.sites, nc = 1 << n, dim = n * nc
        var h = [ComplexDouble](repeating: .zero, count: dim * dim)
        var j = h, k = h
        func idx(_ x: Int, _ c: Int) -> Int { x * nc + c }
        let a = phi / Double(n)
        for x in 0..<n {
            for c in 0..<nc {
                let col = idx(x, c)
                h[col * dim + col] += ComplexDouble(m.omega0 / 2 * Double(2 * c.nonzeroBitCount - n), 0)
                let flipped = idx(x, c ^ (1 << x))
                h[col * dim + flipped] += ComplexDouble(-m.g, 0)
                // c†_{x+1} c_x: (x, c) → (x+1, c), amplitude −t e^{ia}; its derivative −i t e^{ia}
                let right = idx((x + 1) % n, c)
                let amp = ComplexDouble(-m.t * cos(a), -m.t * sin(a))
                h[col * dim + right] += amp
                h[right * dim + col] += amp.conjugate
                k[col * dim + right] += amp
                k[right * dim + col] += amp.conjugate
                let damp = ComplexDouble(m.t * sin(a), -m.t * cos(a))
                j[col * dim + right] += damp
                j[right * dim + col] += damp.conjugate
            }
        }
        return (h, j, k, dim)
    }

    /// Kubo sums of a dense Hermitian problem, by brute force (independent of the sector code).
    func kubo(h: [ComplexDouble], j: [ComplexDouble], k: [ComplexDouble], dim: Int, model: TLSModel, temps: [Double],
              binWidth: Double) throws -> KuboSums {
        let (e, u) = try hermitianEigen(n: dim, matrix: h)
        func elem(_ op: [ComplexDouble], _ a: Int, _ b: Int) -> ComplexDouble {
            var acc = ComplexDouble.zero
            for r in 0..<dim {
                var row = ComplexDouble.zero
                for c in 0..<dim { row += op[c * dim + r] * u[b * dim + c] }
                acc += u[a * dim + r].conjugate * row
            }
            return acc
        }
        var j2 = [Double](repeating: 0, count: dim * dim)
        var kin = [Double](repeating: 0, count: dim)
        // O(dim^4) would be slow: form op·U once per operator.
        func product(_ op: [ComplexDouble]) -> [ComplexDouble] {
            var out = [ComplexDouble](repeating: .zero, count: dim * dim)
            for b in 0..<dim { for c in 0..<dim { let ub = u[b * dim + c]; if ub == .zero { continue }
                for r in 0..<dim { out[b * dim + r] += op[c * dim + r] * ub } } }
            return out
        }
        let ju = product(j), ku = product(k)
        for a in 0..<dim {
            var d = ComplexDouble.zero
            for r in 0..<dim { d += u[a * dim + r].conjugate * ku[a * dim + r] }
            kin[a] = d.real
            for b in 0..<dim {
                var acc = ComplexDouble.zero
                for r in 0..<dim { acc += u[a * dim + r].conjugate * ju[b * dim + r] }
                j2[b * dim + a] = acc.lengthSquared
            }
        }
        _ = elem
        var sums = KuboSums(temperatures: temps, binWidth: binWidth, binCount: Int((TLSSpectrumRange.defaultOmegaMax(model) / binWidth).rounded(.up)))
        j2.withUnsafeBufferPointer { sums.addEigenpairs(energies: e, currentSquared: $0, kinetic: kin, floor: model.energyFloor) }
        return sums
    }

    func testSectorsEqualRealSpace() throws {
        let temps = [0.2, 1, 3]
        for (n, g, w0, phi) in [(4, 1.0, 0.5, 0.0), (5, 0.7, 2.0, 1.3), (6, 1.0, 0.05, 0.4), (5, 1.5, 1.0, Double.pi)] {
            let model = TLSModel(sites: n, t: 1, g: g, omega0: w0)
            let rs = realSpace(model, phi: phi)
            let ref = try kubo(h: rs.h, j: rs.j, k: rs.k, dim: rs.dim, model: model, temps: temps, binWidth: 1e-3)
            // All N sectors K = 2πm/N at this twist: κ = K − φ/N.
            var sums = KuboSums(temperatures: temps, binWidth: 1e-3, binCount: ref.numerator.binCount)
            var energies: [Double] = []
            for m in 0..<n {
                let sector = Sector(model: model, kappa: 2 * Double.pi * Double(m) / Double(n) - phi / Double(n))
                try ExactDiagonalization.sectorSums(sector, weight: 1, into: &sums)
                energies += try hermitianEigen(n: sector.dimension, matrix: sector.dense(.hamiltonian)).values
            }
            let (realE, _) = try hermitianEigen(n: rs.dim, matrix: rs.h)
            for (a, b) in zip(energies.sorted(), realE) { XCTAssertEqual(a, b, accuracy: 1e-11, "spectrum N=\(n)") }
            let scale = ref.numerator.weight.map(abs).max()!
            for i in ref.numerator.weight.indices.filter({ $0 % 7 == 0 || ref.numerator.weight[$0] > 1e-3 * scale }) {
                XCTAssertEqual(sums.numerator.weight[i], ref.numerator.weight[i], accuracy: 1e-10 * scale, "N=\(n) φ=\(phi) bin \(i)")
            }
            for r in temps.indices {
                XCTAssertEqual(sums.z[r] / ref.z[r], 1, accuracy: 1e-12)
                XCTAssertEqual(sums.kinetic[r] / ref.kinetic[r], 1, accuracy: 1e-11)
                XCTAssertEqual(sums.numerator.drude[r], ref.numerator.drude[r], accuracy: 1e-10 * max(1, ref.numerator.drude[r]))
                XCTAssertEqual(sums.numerator.totalWeight(row: r), ref.numerator.totalWeight(row: r), accuracy: 1e-10 * ref.numerator.totalWeight(row: r))
            }
        }
    }

    /// f-sum rule with the global-Z twist average: ∫σ = π⟨−K⟩ + (correction decaying
    /// exponentially in N_φ). The expected values are −0.42, −4e−4, 1e−14 at N = 8, ω0 = 2, T = 0.2.
    func testFSumRuleWithTwistAverage() throws {
        let model = TLSModel(sites: 8, t: 1, g: 1, omega0: 2)
        var errors: [Double] = []
        for twists in [1, 2, 4] {
            let r = try ExactDiagonalization.compute(EDSettings(model: model, temperatures: [0.2, 1], twists: twists, binWidth: 1e-3))
            errors.append(r.spectrum.totalWeight(row: 0) / (Double.pi * -r.kinetic[0]) - 1)
            if twists == 4 {
                for row in 0..<2 {
                    XCTAssertEqual(r.spectrum.totalWeight(row: row) / (Double.pi * -r.kinetic[row]), 1, accuracy: 1e-12)
                }
            }
        }
        XCTAssertEqual(errors[0], -0.42, accuracy: 0.01)
        XCTAssertEqual(errors[1], -4e-4, accuracy: 1e-4)
    }

    /// g = 0: the free chain. σ is a pure ω = 0 peak (no finite-ω absorption) of weight
    /// πβ⟨v_k²⟩, v_k = 2t sin k, and ⟨K⟩ is the Boltzmann average of −2t cos k, both over the
    /// N·N_φ momenta (the TLSs decouple and cancel between numerator and Z).
    func testFreeChain() throws {
        let model = TLSModel(sites: 6, t: 1, g: 0, omega0: 0.5)
        let r = try ExactDiagonalization.compute(EDSettings(model: model, temperatures: [0.5, 2], twists: 3))
        for (row, T) in [0.5, 2].enumerated() {
            XCTAssertEqual(r.spectrum.weight.reduce(0, +), 0, accuracy: 1e-12)
            let ks = (0..<18).map { 2 * Double.pi * Double($0) / 18 }
            let z = ks.reduce(0) { $0 + exp(2 * cos($1) / T) }
            let k = ks.reduce(0) { $0 - 2 * cos($1) * exp(2 * cos($1) / T) } / z
            XCTAssertEqual(r.kinetic[row], k, accuracy: 1e-12)
            let v2 = ks.reduce(0) { $0 + 4 * sin($1) * sin($1) * exp(2 * cos($1) / T) } / z
            XCTAssertEqual(r.spectrum.drude[row], Double.pi / T * v2, accuracy: 1e-11)
        }
    }
}
