import Foundation
import LinearAlgebra

/// Exact diagonalisation of a disordered chain in real space (N·2^N states, real symmetric):
/// `dsyevd`, then the current matrix J = Uᵀ(AU) by one `dgemm` (j = i·A, so |j_nm|² = J_nm²).
public enum RealSpaceED {
    /// Unnormalised Kubo sums of one realisation, Boltzmann factors relative to `floor`.
    public static func kuboSums(_ chain: DisorderedChain, temperatures: [Double], binWidth: Double, binCount: Int,
                                floor: Double) throws -> KuboSums {
        let d = chain.dimension
        let eig = try symmetricEigen(Matrix(rows: d, cols: d, values: chain.dense(.hamiltonian)))
        let u = eig.vectors
        var au = Matrix(rows: d, cols: d)
        var ku = Matrix(rows: d, cols: d)
        u.values.withUnsafeBufferPointer { up in
            au.values.withUnsafeMutableBufferPointer { ap in
                ku.values.withUnsafeMutableBufferPointer { kp in
                    for col in 0..<d {
                        chain.apply(.current, up.baseAddress! + col * d, into: ap.baseAddress! + col * d)
                        chain.apply(.kinetic, up.baseAddress! + col * d, into: kp.baseAddress! + col * d)
                    }
                }
            }
        }
        var kinetic = [Double](repeating: 0, count: d)
        for n in 0..<d {
            var acc = 0.0
            for s in 0..<d { acc += u.values[n * d + s] * ku.values[n * d + s] }
            kinetic[n] = acc
        }
        let jm = multiply(u, au, transposeA: .transpose)
        let j2 = jm.values.map { $0 * $0 }
        var sums = KuboSums(temperatures: temperatures, binWidth: binWidth, binCount: binCount)
        j2.withUnsafeBufferPointer { sums.addEigenpairs(energies: eig.values, currentSquared: $0, kinetic: kinetic, floor: floor) }
        return sums
    }

    /// The quenched average over realisations `first ..< first + count`: each realisation's σ and
    /// ⟨K⟩ normalised by its own Z (one sample of the disorder in equilibrium), then averaged.
    /// Also returns each realisation's normalised spectrum (the spread gives the error bars).
    public static func realizations(_ s: DisorderSettings, _ indices: Range<Int>, temperatures: [Double], binWidth: Double,
                                    omegaMax: Double, progress: (Double) -> Void = { _ in })
        throws -> [(sigma: StickHistogram, kinetic: [Double])] {
        let binCount = Int((omegaMax / binWidth).rounded(.up))
        var out: [(StickHistogram, [Double])] = []
        for (k, r) in indices.enumerated() {
            let sums = try kuboSums(s.realization(r), temperatures: temperatures, binWidth: binWidth, binCount: binCount,
                                    floor: s.energyFloor)
            let n = sums.normalised()
            out.append((n.sigma, n.kinetic))
            progress(Double(k + 1) / Double(indices.count))
        }
        return out
    }

    /// Mean of per-realisation spectra and ⟨K⟩.
    public static func average(_ samples: [(sigma: StickHistogram, kinetic: [Double])]) -> (sigma: StickHistogram, kinetic: [Double]) {
        var total = samples[0].sigma
        for s in samples.dropFirst() { total.accumulate(s.sigma) }
        let n = Double(samples.count)
        for r in 0..<total.temperatures.count { total.scale(row: r, by: 1 / n) }
        let kin = (0..<samples[0].kinetic.count).map { r in samples.reduce(0) { $0 + $1.kinetic[r] } / n }
        return (total, kin)
    }
}
