import Foundation

extension KuboSums {
    /// Adds the Kubo sums of one block of eigenpairs, relative to `floor`:
    /// for E_b − E_a = ω > 0 the stick π(e^{−β(E_a−floor)} − e^{−β(E_b−floor)})/ω · |j_ab|²
    /// (the weight of a→b at +ω, equal to that of b→a at −ω); degenerate pairs and diagonal
    /// elements go to the ω = 0 weight with prefactor β. `currentSquared` is |j_ab|², n × n,
    /// column-major; `kinetic` holds ⟨a|K|a⟩; `weight` multiplies everything (e.g. 2 for a
    /// sector that stands for ±κ). Energies must be ascending.
    public mutating func addEigenpairs(energies e: [Double], currentSquared j2: UnsafeBufferPointer<Double>,
                                       kinetic: [Double], floor: Double, weight: Double = 1) {
        let n = e.count
        let degenerate = 1e-10 * max(1, abs(e.first ?? 0), abs(e.last ?? 0))
        for (row, temp) in numerator.temperatures.enumerated() {
            let beta = 1 / temp
            let boltz = e.map { exp(-beta * ($0 - floor)) }
            var z = 0.0, k = 0.0
            for i in 0..<n { z += boltz[i]; k += boltz[i] * kinetic[i] }
            self.z[row] += weight * z
            self.kinetic[row] += weight * k
            var drude = 0.0
            for a in 0..<n {
                drude += beta * boltz[a] * j2[a * n + a]
                var b = a + 1
                while b < n {
                    let omega = e[b] - e[a]
                    let w2 = j2[b * n + a]
                    if omega < degenerate {
                        drude += beta * (boltz[a] + boltz[b]) * w2
                    } else if w2 != 0 {
                        numerator.add(row: row, omega: omega, weight: weight * Double.pi * (boltz[a] - boltz[b]) / omega * w2)
                    }
                    b += 1
                }
            }
            numerator.drude[row] += weight * Double.pi * drude
        }
    }
}
