import Foundation
import LinearAlgebra
import Numerics

/// A Lanczos run that keeps its Krylov basis (needed for the FTLM overlap matrix).
/// The overlap X = (jV)†Ṽ assumes orthonormal bases: ghost Ritz copies of converged states
/// otherwise double-count weight (measured: FTLM off by 12 σ at N = 8, T = 0.2 without it).
/// Partial reorthogonalisation (Simon 1984): the loss of orthogonality ω_{k,j} = v_k·v_j is
/// tracked by its recurrence, and only when it passes √ε are the two current vectors
/// orthogonalised against the whole basis (`BlockGramSchmidt`). This keeps the basis orthogonal
/// to √ε at a fraction of the cost of full reorthogonalisation.
public struct KrylovBasis {
    public var alpha: [Double] = []
    public var beta: [Double] = []     // beta[k] couples v_k and v_{k+1}
    /// Basis vectors v_0 … v_{m−1}, each of length D, contiguous (column-major D × m), in
    /// storage the caller owns (a `KrylovStorage`).
    public let vectors: UnsafeMutablePointer<ComplexDouble>
    public let dimension: Int
    public var steps: Int { alpha.count }
    /// How many steps needed a full reorthogonalisation (of two vectors at once).
    public private(set) var reorthogonalisations = 0
    /// Reorthogonalisations that needed a second Gram–Schmidt pass (the estimates lagged).
    public private(set) var secondPasses = 0
    /// Basis columns visited by those reorthogonalisations (the cost, in column reads / 2).
    public private(set) var reorthogonalisedColumns = 0
    /// ‖r_m‖ = β_m after the last step: Ritz pair i has residual ‖Hψ_i − ε_i ψ_i‖ = β_m |φ_{m−1,i}|.
    public private(set) var residual = 0.0

    /// Runs up to `steps` steps from `start` (normalised inside) into `storage` (room for
    /// D × steps). Stops early on an invariant subspace.
    public init<Space: KrylovSpace>(sector: Space, start: UnsafePointer<ComplexDouble>, steps maxSteps: Int,
                                    storage v: UnsafeMutablePointer<ComplexDouble>, threads: Int = 1) {
        let d = sector.dimension
        dimension = d
        vectors = v
        let m = min(maxSteps, sector.krylovDimension)
        let wp = UnsafeMutablePointer<ComplexDouble>.allocate(capacity: d)
        defer { wp.deallocate() }
        let h = UnsafeMutablePointer<ComplexDouble>.allocate(capacity: 2 * m)
        defer { h.deallocate() }
        let norm0 = Lanczos.norm(start, d)
        let eps = 1.1e-16, threshold = eps.squareRoot()
        // Round-off seed of the loss estimates: an H·v sums O(D) terms, so its rounding is
        // ~√D ε‖H‖ (PROPACK's choice). With ε alone the estimates lagged the true loss by up
        // to 1e6 at N = 16 (measured).
        let roundoff = eps * Double(sector.krylovDimension).squareRoot()
        // A real space projects with Re⟨x|y⟩ only (`KrylovSpace.storesRealPairs`).
        let real = sector.storesRealPairs
        var omegaPrev = [Double](), omegaCur = [1.0]  // ω_{k−1,·}, ω_{k,·}
        let inv0 = 1 / norm0
        for s in 0..<d { v[s] = ComplexDouble(start[s].real * inv0, start[s].imaginary * inv0) }
        for k in 0..<m {
            let vk = v + k * d
            sector.apply(.hamiltonian, UnsafePointer(vk), into: wp)
            let a = VectorOps.realDot(UnsafePointer(vk), UnsafePointer(wp), d)
            alpha.append(a)
            // w −= α v_k + β v_{k−1}, and ‖w‖² in the same pass.
            var nb = VectorOps.subtractAndNorm(wp, a, UnsafePointer(vk), k > 0 ? beta[k - 1] : 0,
                                               k > 0 ? UnsafePointer(vk - d) : nil, d)
            guard k + 1 < m else { residual = nb.squareRoot(); break }
            nb = nb.squareRoot()
            // Estimate ω_{k+1,j} (j ≤ k) by Simon's recurrence.
            var omegaNext = [Double](repeating: 0, count: k + 2)
            var worst = 0.0
            if nb > 0 {
                for j in 0..<k {
                    var x = (j + 1 <= k ? beta[j] * omegaCur[j + 1] : 0) + (alpha[j] - a) * omegaCur[j]
                    if j > 0 { x += beta[j - 1] * omegaCur[j - 1] }
                    if k > 0 && j < omegaPrev.count { x -= beta[k - 1] * omegaPrev[j] }
                    x = (x + roundoff * (abs(beta[j]) + nb) * (x >= 0 ? 1 : -1)) / nb
                    omegaNext[j] = x
                    worst = max(worst, abs(x))
                }
                omegaNext[k] = roundoff
                omegaNext[k + 1] = 1
            }
            let next = vk + d
            var wInPlace = false
            if worst > threshold {
                // Orthogonalise the two current vectors, v_k and w (the future v_{k+1}), against
                // v_0 … v_{k−1} (Simon's PRO as in Bai et al., Templates §4.4): the three-term
                // recurrence carries v_k's loss into every later vector, so both must be clean.
                // w moves into its basis slot. The two-vector pass costs what one does (V is read
                // twice either way, `BlockGramSchmidt`), so cleaning v_k now instead of w_{k+1} at
                // the next step halves the passes over V.
                next.update(from: wp, count: d)
                wInPlace = true
                let correction = BlockGramSchmidt.orthogonalise(vk, next, against: UnsafePointer(v), columns: k, d, real: real, threads: threads, scratch: h)
                // One pass suffices when the loss it removes is about √ε, as the estimates
                // intend; a larger correction means they lagged, and a second pass restores
                // orthogonality ("twice is enough"). At N = 16, M = 1200 a lagging run once
                // compounded one-pass errors into Ritz values far outside the spectrum (a test
                // keeps that run).
                if correction.0 > 1e-6 || correction.1 > 1e-6 * nb {
                    _ = BlockGramSchmidt.orthogonalise(vk, next, against: UnsafePointer(v), columns: k, d, real: real, threads: threads, scratch: h)
                    secondPasses += 1
                }
                // v_k keeps unit norm, and w its local orthogonality to the cleaned v_k.
                VectorOps.scale(UnsafePointer(vk), 1 / Lanczos.norm(UnsafePointer(vk), d), into: vk, d)
                let overlap = VectorOps.dot(UnsafePointer(vk), UnsafePointer(next), d)
                VectorOps.subtract(real ? ComplexDouble(overlap.real, 0) : overlap, UnsafePointer(vk), from: next, d)
                reorthogonalisations += 1
                reorthogonalisedColumns += k
                nb = VectorOps.realDot(UnsafePointer(next), UnsafePointer(next), d).squareRoot()
                for j in 0..<k { omegaCur[j] = eps; omegaNext[j] = eps }
            }
            omegaPrev = omegaCur
            omegaCur = omegaNext
            // Invariant subspace reached: the Ritz pairs so far are exact.
            guard nb > 1e-13 * max(1, abs(a)) else { residual = nb; break }
            beta.append(nb)
            VectorOps.scale(UnsafePointer(wInPlace ? next : wp), 1 / nb, into: next, d)
        }
    }
}

/// Room for the two Krylov bases of one FTLM random vector (D × M complex each), allocated
/// once per batch and reused: at N = 16, M = 1200 each is 1.26 GB, and faulting in fresh zeroed
/// pages costs more than the Lanczos steps that fill them. Transparent huge pages are asked for
/// (the kernel here grants them on `madvise` only), which makes the first touch cheaper too.
public final class KrylovStorage {
    public let dimension: Int
    public let steps: Int
    public let first: UnsafeMutablePointer<ComplexDouble>
    public let second: UnsafeMutablePointer<ComplexDouble>

    /// `realPairs`: the bases of a real space (`KrylovSpace.storesRealPairs`), which allows
    /// up to 2·`dimension` steps.
    public init(dimension: Int, steps: Int, realPairs: Bool = false) {
        self.dimension = dimension
        self.steps = min(steps, realPairs ? 2 * dimension : dimension)
        let count = dimension * self.steps
        first = KrylovStorage.allocate(count)
        second = KrylovStorage.allocate(count)
    }

    static func allocate(_ count: Int) -> UnsafeMutablePointer<ComplexDouble> {
        let bytes = count * MemoryLayout<ComplexDouble>.stride
        let hugePage = 2 << 20
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, hugePage, bytes) == 0, let p = raw else { fatalError("cannot allocate \(bytes) bytes for a Krylov basis") }
        _ = madvise(p, (bytes + hugePage - 1) / hugePage * hugePage, MADV_HUGEPAGE)
        return p.bindMemory(to: ComplexDouble.self, capacity: count)
    }

    deinit { free(first); free(second) }
}

public enum Lanczos {
    static func norm(_ v: [ComplexDouble]) -> Double {
        v.withUnsafeBufferPointer { norm($0.baseAddress!, v.count) }
    }

    static func norm(_ v: UnsafePointer<ComplexDouble>, _ d: Int) -> Double {
        var s = 0.0
        for i in 0..<d { s += v[i].real * v[i].real + v[i].imaginary * v[i].imaginary }
        return s.squareRoot()
    }
}

