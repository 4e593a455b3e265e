import Foundation
import LinearAlgebra
import Numerics

/// A Lanczos run that keeps its Krylov basis (needed for the FTLM overlap matrix).
/// The overlap X = (jV)†Ṽ assumes orthonormal bases: ghost Ritz copies of converged states
/// otherwise double-count weight (measured: FTLM off by 12 σ at N = 8, T = 0.2 without it).
/// Partial reorthogonalisation (Simon 1984): the loss of orthogonality ω_{k,j} = v_k·v_j is
/// tracked by its recurrence, and only when it passes √ε is the new vector (and the next one)
/// orthogonalised against the whole basis by two BLAS zgemv. This keeps the basis orthogonal
/// to √ε at a fraction of the cost of full reorthogonalisation.
public struct KrylovBasis {
    public var alpha: [Double] = []
    public var beta: [Double] = []     // beta[k] couples v_k and v_{k+1}
    /// Basis vectors v_0 … v_{m−1}, each of length D, contiguous (column-major D × m).
    public var vectors: [ComplexDouble]
    public let dimension: Int
    public var steps: Int { alpha.count }
    /// How many steps needed a full reorthogonalisation.
    public private(set) var reorthogonalisations = 0

    /// Runs up to `steps` steps from `start` (normalised inside). Stops early on an invariant subspace.
    public init(sector: Sector, start: [ComplexDouble], steps maxSteps: Int) {
        let d = sector.dimension
        dimension = d
        let m = min(maxSteps, d)
        vectors = [ComplexDouble](repeating: .zero, count: d * m)
        var w = [ComplexDouble](repeating: .zero, count: d)
        let norm0 = Lanczos.norm(start)
        let eps = 1.1e-16, threshold = eps.squareRoot()
        var omegaPrev = [Double](), omegaCur = [1.0]  // ω_{k−1,·}, ω_{k,·}
        var forceNext = false
        reorthogonalisations = 0
        vectors.withUnsafeMutableBufferPointer { vp in
            let v = vp.baseAddress!
            let inv0 = 1 / norm0
            for s in 0..<d { v[s] = ComplexDouble(start[s].real * inv0, start[s].imaginary * inv0) }
            for k in 0..<m {
                let vk = v + k * d
                w.withUnsafeMutableBufferPointer { wp in
                    sector.apply(.hamiltonian, UnsafePointer(vk), into: wp.baseAddress!)
                    var a = 0.0
                    for s in 0..<d { a += vk[s].real * wp[s].real + vk[s].imaginary * wp[s].imaginary }
                    alpha.append(a)
                    if k > 0 {
                        let b = beta[k - 1], vp1 = vk - d
                        for s in 0..<d {
                            wp[s] = ComplexDouble(wp[s].real - a * vk[s].real - b * vp1[s].real,
                                                  wp[s].imaginary - a * vk[s].imaginary - b * vp1[s].imaginary)
                        }
                    } else {
                        for s in 0..<d { wp[s] = ComplexDouble(wp[s].real - a * vk[s].real, wp[s].imaginary - a * vk[s].imaginary) }
                    }
                    guard k + 1 < m else { return }
                    var nb = 0.0
                    for s in 0..<d { nb += wp[s].lengthSquared }
                    nb = nb.squareRoot()
                    // Estimate ω_{k+1,j} (j ≤ k) by Simon's recurrence.
                    var omegaNext = [Double](repeating: 0, count: k + 2)
                    var worst = 0.0
                    if nb > 0 {
                        for j in 0..<k {
                            var x = (j + 1 <= k ? beta[j] * omegaCur[j + 1] : 0) + (alpha[j] - a) * omegaCur[j]
                            if j > 0 { x += beta[j - 1] * omegaCur[j - 1] }
                            if k > 0 && j < omegaPrev.count { x -= beta[k - 1] * omegaPrev[j] }
                            x = (x + eps * (abs(beta[j]) + nb).magnitude * (x >= 0 ? 1 : -1)) / nb
                            omegaNext[j] = x
                            worst = max(worst, abs(x))
                        }
                        omegaNext[k] = eps * Double(d).squareRoot()
                        omegaNext[k + 1] = 1
                    }
                    if worst > threshold || forceNext {
                        // w −= V (V† w) over v_0 … v_k. One pass suffices: the loss it removes
                        // is only √ε, so no cancellation calls for a second.
                        var h = [ComplexDouble](repeating: .zero, count: k + 1)
                        h.withUnsafeMutableBufferPointer { hp in
                            for _ in 0..<1 {
                                complexMatrixVector(UnsafePointer(v), rows: d, cols: k + 1, .adjoint, UnsafePointer(wp.baseAddress!),
                                                    alpha: .one, beta: .zero, into: hp.baseAddress!)
                                complexMatrixVector(UnsafePointer(v), rows: d, cols: k + 1, .none, UnsafePointer(hp.baseAddress!),
                                                    alpha: ComplexDouble(-1, 0), beta: .one, into: wp.baseAddress!)
                            }
                        }
                        reorthogonalisations += 1
                        nb = 0
                        for s in 0..<d { nb += wp[s].lengthSquared }
                        nb = nb.squareRoot()
                        for j in 0...k { omegaNext[j] = eps }
                        // Reorthogonalise the next vector too: v_{k+1} alone would leave v_{k+2} exposed.
                        forceNext = !forceNext
                    }
                    omegaPrev = omegaCur
                    omegaCur = omegaNext
                    // Invariant subspace reached: the Ritz pairs so far are exact.
                    guard nb > 1e-13 * max(1, abs(a)) else { return }
                    beta.append(nb)
                    let next = vk + d
                    let inv = 1 / nb
                    for s in 0..<d { next[s] = ComplexDouble(wp[s].real * inv, wp[s].imaginary * inv) }
                }
                if alpha.count == k + 1 && beta.count < k + 1 { break }
            }
        }
        if steps < m { vectors.removeLast((m - steps) * d) }
    }
}

public enum Lanczos {
    static func norm(_ v: [ComplexDouble]) -> Double {
        var s = 0.0
        for x in v { s += x.lengthSquared }
        return s.squareRoot()
    }
}
