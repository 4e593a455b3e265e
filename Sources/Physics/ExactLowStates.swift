import Foundation
import LinearAlgebra
import Numerics

/// Hybrid FTLM: the lowest eigenstates of a sector, treated exactly.
///
/// At low T the FTLM error comes from a few low states: a random vector weighs each by
/// |⟨r|n⟩|², which fluctuates by 100%, and the asymmetric estimator adds ⟨n|O|r⟩ cross terms
/// with every other state. Splitting the trace, Tr O = Σ_{n∈S} ⟨n|O|n⟩ + Tr(P⊥ O), computes the
/// first part exactly and estimates only the second with projected random vectors P⊥|r⟩.
/// The split is unbiased for any orthonormal set S; only the exact part assumes that its
/// members are eigenstates, which the residual check below guarantees to 1e-8.
public struct ExactLowStates: Sendable {
    public let energies: [Double]
    /// Eigenvectors, D × count column-major.
    public let vectors: [ComplexDouble]
    public let dimension: Int
    /// Per state: ⟨n|K|n⟩ and the optical poles ε̃_j (absolute energies) with weights
    /// |⟨ψ̃_j|j|n⟩|², found once (`spectra`) and reused by every batch.
    public private(set) var kinetic: [Double] = []
    public private(set) var poles: [[Double]] = []
    public private(set) var amplitudes: [[Double]] = []
    /// The same spectra read at half the steps (the leading block of each run's tridiagonal
    /// matrix): their difference from the full ones is the exact part's share of the resolution
    /// error, as `FTLM.addCoarse` reads the random vectors' runs.
    public private(set) var coarsePoles: [[Double]] = []
    public private(set) var coarseAmplitudes: [[Double]] = []
    public var count: Int { energies.count }

    /// An eigenpair is accepted when ‖Hψ − Eψ‖ is below this (t = 1 units): its Boltzmann factor
    /// and pole positions are then exact far below the histogram's bin.
    public static let tolerance = 1e-8

    public init(energies: [Double], vectors: [ComplexDouble], dimension: Int) {
        self.energies = energies; self.vectors = vectors; self.dimension = dimension
    }

    /// The converged Ritz pairs at or below the energy `cutoff` from one Lanczos run of `steps`
    /// steps from `start` (the lowest `maxStates`), each checked by its explicit residual. Pairs
    /// that have not converged are left to the random vectors.
    public static func find(_ sector: Sector, start: UnsafePointer<ComplexDouble>, steps: Int, cutoff: Double, maxStates: Int,
                            storage: UnsafeMutablePointer<ComplexDouble>, threads: Int = 1) throws -> ExactLowStates {
        let d = sector.dimension
        let basis = KrylovBasis(sector: sector, start: start, steps: steps, storage: storage, threads: threads)
        let m = basis.steps
        let (eps, phi) = try tridiagonalEigen(diagonal: basis.alpha, offDiagonal: basis.beta)
        // Candidates by the cheap residual estimate β_m |φ_{m−1,i}|.
        let chosen = (0..<m).filter { i in
            eps[i] <= cutoff && basis.residual * abs(phi[i * m + m - 1]) < tolerance
        }.prefix(maxStates)
        guard !chosen.isEmpty else { return ExactLowStates(energies: [], vectors: [], dimension: d) }
        // ψ_i = V φ_i for all chosen i at once: V is real-viewed as 2D × m, Φ is real.
        let k = chosen.count
        var coefficients = [Double](repeating: 0, count: m * k)
        for (c, i) in chosen.enumerated() { for r in 0..<m { coefficients[c * m + r] = phi[i * m + r] } }
        var psi = [ComplexDouble](repeating: .zero, count: d * k)
        psi.withUnsafeMutableBufferPointer { pb in
            let out = UnsafeMutableRawPointer(pb.baseAddress!).assumingMemoryBound(to: Double.self)
            let v = UnsafeRawPointer(basis.vectors).assumingMemoryBound(to: Double.self)
            multiply(v, rowsA: 2 * d, colsA: m, .none, coefficients, rowsB: m, colsB: k, .none, into: out)
        }
        // Orthonormalise (the basis is orthogonal only to √ε) and check every pair explicitly.
        var energies: [Double] = [], kept: [ComplexDouble] = []
        let hv = UnsafeMutablePointer<ComplexDouble>.allocate(capacity: d)
        defer { hv.deallocate() }
        psi.withUnsafeMutableBufferPointer { pb in
            for c in 0..<k {
                let x = pb.baseAddress! + c * d
                kept.withUnsafeBufferPointer { removeComponents(x, along: $0.baseAddress!, count: energies.count, d) }
                // A Ritz vector that was mostly made of the ones before is not a new state.
                let n = Lanczos.norm(UnsafePointer(x), d)
                guard n > 0.5 else { continue }
                VectorOps.scale(UnsafePointer(x), 1 / n, into: x, d)
                sector.apply(.hamiltonian, UnsafePointer(x), into: hv)
                let e = VectorOps.realDot(UnsafePointer(x), UnsafePointer(hv), d)
                let r = VectorOps.subtractAndNorm(hv, e, UnsafePointer(x), 0, nil, d).squareRoot()
                if r < tolerance {
                    energies.append(e)
                    kept.append(contentsOf: UnsafeBufferPointer(start: x, count: d))
                }
            }
        }
        return ExactLowStates(energies: energies, vectors: kept, dimension: d)
    }

    /// x −= Σ_n ⟨y_n|x⟩ y_n over `count` orthonormal columns y, twice ("twice is enough").
    static func removeComponents(_ x: UnsafeMutablePointer<ComplexDouble>, along y: UnsafePointer<ComplexDouble>, count: Int, _ d: Int) {
        for _ in 0..<2 {
            for n in 0..<count {
                let yn = y + n * d
                VectorOps.subtract(VectorOps.dot(yn, UnsafePointer(x), d), yn, from: x, d)
            }
        }
    }

    /// r ← P⊥ r (twice, so the projection holds to round-off); returns ‖P⊥ r‖².
    public func project(_ r: inout [ComplexDouble]) -> Double {
        r.withUnsafeMutableBufferPointer { rb in
            vectors.withUnsafeBufferPointer { ExactLowStates.removeComponents(rb.baseAddress!, along: $0.baseAddress!, count: count, dimension) }
        }
        let n = Lanczos.norm(r)
        return n * n
    }

    /// Each state's ⟨n|K|n⟩ and optical spectrum ⟨n|j δ(ω − H + E_n) j|n⟩ from `steps` Lanczos
    /// steps from j|n⟩ (Gauss quadrature: poles at the Ritz values, weights ‖jn‖² φ_{0j}²; no
    /// basis is kept, so no reorthogonalisation is needed: ghost copies split a pole's weight
    /// without changing it; an all-exact test matches ED to 1e-9).
    public mutating func computeSpectra(_ sector: Sector, steps: Int, threads: Int = 1) throws {
        let d = dimension
        let count = self.count
        // States are independent: one per worker, each with its own j|n⟩.
        let each = try vectors.withUnsafeBufferPointer { vb in
            let states = SendablePointer(vb.baseAddress!)
            return try parallelMap(count, threads: threads) { n -> (kinetic: Double, poles: [Double], amplitudes: [Double], coarsePoles: [Double], coarseAmplitudes: [Double]) in
                let jn = UnsafeMutablePointer<ComplexDouble>.allocate(capacity: d)
                defer { jn.deallocate() }
                let x = states.p + n * d
                sector.apply(.kinetic, x, into: jn)
                let kin = VectorOps.realDot(x, UnsafePointer(jn), d)
                sector.apply(.current, x, into: jn)
                let norm2 = VectorOps.realDot(UnsafePointer(jn), UnsafePointer(jn), d)
                guard norm2 > 0 else { return (kin, [], [], [], []) }
                let (alpha, beta) = Lanczos.tridiagonal(sector, start: UnsafePointer(jn), steps: steps)
                func quadrature(_ m: Int) throws -> (poles: [Double], amplitudes: [Double]) {
                    let (eps, phi) = try tridiagonalEigen(diagonal: Array(alpha.prefix(m)), offDiagonal: Array(beta.prefix(m - 1)))
                    return (eps, (0..<m).map { norm2 * phi[$0 * m] * phi[$0 * m] })
                }
                let full = try quadrature(alpha.count)
                // A run that stopped within two steps has nothing coarser to read: it is exact.
                let coarse = alpha.count / 2 >= 2 ? try quadrature(alpha.count / 2) : full
                return (kin, full.poles, full.amplitudes, coarse.poles, coarse.amplitudes)
            }
        }
        kinetic = each.map(\.kinetic); poles = each.map(\.poles); amplitudes = each.map(\.amplitudes)
        coarsePoles = each.map(\.coarsePoles); coarseAmplitudes = each.map(\.coarseAmplitudes)
    }

    /// Adds weight × Σ_n of every state's exact contribution to Z, ⟨K⟩ and σ (`computeSpectra` first).
    public func addSums(_ sector: Sector, weight: Double, into sums: inout KuboSums) {
        precondition(poles.count == count, "ExactLowStates.addSums before computeSpectra")
        let floor = sector.model.energyFloor
        for n in 0..<count {
            let e = energies[n]
            for (row, T) in sums.numerator.temperatures.enumerated() {
                let beta = 1 / T
                let b = exp(-beta * (e - floor))
                sums.z[row] += weight * b
                sums.kinetic[row] += weight * b * kinetic[n]
                var drude = 0.0
                for (omegaJ, am) in zip(poles[n], amplitudes[n]) {
                    FTLM.addPole(&sums, row: row, beta: beta, initial: b, final: exp(-beta * (omegaJ - floor)),
                                 omega: omegaJ - e, amplitude: am, weight: weight, drude: &drude)
                }
                sums.numerator.drude[row] += weight * Double.pi * drude
                // The coarse numerator (resolution estimate) gets the spectra read at half the steps.
                guard sums.coarse != nil else { continue }
                var coarseDrude = 0.0
                for (omegaJ, am) in zip(coarsePoles[n], coarseAmplitudes[n]) {
                    FTLM.addPole(&sums.coarse!, row: row, beta: beta, initial: b, final: exp(-beta * (omegaJ - floor)),
                                 omega: omegaJ - e, amplitude: am, weight: weight, drude: &coarseDrude)
                }
                sums.coarse!.drude[row] += weight * Double.pi * coarseDrude
            }
        }
    }
}

extension Lanczos {
    /// α, β of `steps` plain Lanczos steps from `start` (normalised inside), three vectors of
    /// storage: for spectral functions by Gauss quadrature, which needs no orthogonal basis.
    static func tridiagonal(_ sector: Sector, start: UnsafePointer<ComplexDouble>, steps: Int) -> (alpha: [Double], beta: [Double]) {
        let d = sector.dimension
        let m = steps
        var prev = [ComplexDouble](repeating: .zero, count: d)
        var cur = prev, w = prev
        let n0 = norm(start, d)
        for s in 0..<d { cur[s] = ComplexDouble(start[s].real / n0, start[s].imaginary / n0) }
        var alpha: [Double] = [], beta: [Double] = []
        for k in 0..<m {
            cur.withUnsafeBufferPointer { cb in w.withUnsafeMutableBufferPointer { sector.apply(.hamiltonian, cb.baseAddress!, into: $0.baseAddress!) } }
            let a = cur.withUnsafeBufferPointer { cb in w.withUnsafeBufferPointer { VectorOps.realDot(cb.baseAddress!, $0.baseAddress!, d) } }
            alpha.append(a)
            let nb = cur.withUnsafeBufferPointer { cb in prev.withUnsafeBufferPointer { pb in w.withUnsafeMutableBufferPointer {
                VectorOps.subtractAndNorm($0.baseAddress!, a, cb.baseAddress!, k > 0 ? beta[k - 1] : 0, k > 0 ? pb.baseAddress! : nil, d)
            } } }.squareRoot()
            guard k + 1 < m, nb > 1e-13 * max(1, abs(a)) else { break }
            beta.append(nb)
            swap(&prev, &cur)
            w.withUnsafeBufferPointer { wb in cur.withUnsafeMutableBufferPointer { VectorOps.scale(wb.baseAddress!, 1 / nb, into: $0.baseAddress!, d) } }
        }
        return (alpha, beta)
    }
}
