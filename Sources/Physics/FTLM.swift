import Foundation
import LinearAlgebra
import Numerics

/// Settings of a finite temperature Lanczos run (physics.md §3).
public struct FTLMSettings: Sendable {
    public var model: TLSModel
    public var temperatures: [Double]
    public var lanczosSteps: Int
    /// Random vectors per sector (the paper's N_r).
    public var randomVectors: Int
    /// Independent batches of random vectors (error bars; the unit of sharding).
    public var batches: Int
    public var seed: UInt64
    public var twists: Int
    public var binWidth: Double
    public var omegaMax: Double

    public init(model: TLSModel, temperatures: [Double], lanczosSteps: Int, randomVectors: Int, batches: Int = 8,
                seed: UInt64, twists: Int = 1, binWidth: Double = 5e-4, omegaMax: Double? = nil) {
        self.model = model; self.temperatures = temperatures; self.lanczosSteps = lanczosSteps
        self.randomVectors = randomVectors; self.batches = max(1, min(batches, randomVectors)); self.seed = seed
        self.twists = twists; self.binWidth = binWidth
        self.omegaMax = omegaMax ?? TLSSpectrumRange.defaultOmegaMax(model)
    }

    var binCount: Int { Int((omegaMax / binWidth).rounded(.up)) }
}

/// Jaklič–Prelovšek FTLM: for each sector and random vector, Lanczos from |r⟩ and from j|r⟩,
/// the overlap X = (jV)†Ṽ by one `zgemm`, and every temperature from the same Ritz pairs.
/// Work is grouped in batches (vector r belongs to batch r mod B); a batch's sums depend only on
/// the seed and the batch, so any split of batches over shards gives identical numbers.
public enum FTLM {
    /// The random start vector of (momentum index, vector index): complex Gaussian entries.
    public static func randomVector(dimension d: Int, seed: UInt64, momentum: Int, vector: Int) -> [ComplexDouble] {
        var rng = Xoshiro256(seed: seed, stream: (UInt64(momentum) << 32) | UInt64(vector))
        return (0..<d).map { _ in ComplexDouble(rng.gaussian(), rng.gaussian()) }
    }

    /// Unnormalised Kubo sums of one batch.
    public static func batchSums(_ s: FTLMSettings, batch: Int, progress: (Double) -> Void = { _ in }) throws -> KuboSums {
        var sums = KuboSums(temperatures: s.temperatures, binWidth: s.binWidth, binCount: s.binCount)
        let momenta = s.model.momenta(twists: s.twists)
        let vectors = Array(stride(from: batch, to: s.randomVectors, by: s.batches))
        let d = s.model.sectorDimension
        var done = 0
        for r in vectors {
            for (k, m) in momenta.enumerated() {
                let sector = Sector(model: s.model, kappa: m.kappa)
                let start = randomVector(dimension: d, seed: s.seed, momentum: k, vector: r)
                // D/R per random vector; the multiplicity counts the sector −κ.
                try addRandomVector(sector, start: start, steps: s.lanczosSteps,
                                    weight: m.multiplicity * Double(d) / Double(s.randomVectors), into: &sums)
                done += 1
                progress(Double(done) / Double(vectors.count * momenta.count))
            }
        }
        return sums
    }

    /// The FTLM contribution of one random vector of one sector.
    public static func addRandomVector(_ sector: Sector, start: [ComplexDouble], steps: Int, weight: Double,
                                       into sums: inout KuboSums) throws {
        let d = sector.dimension
        let r0 = Lanczos.norm(start)
        let r = start.map { ComplexDouble($0.real / r0, $0.imaginary / r0) }
        // j|r⟩ and K|r⟩
        var jr = [ComplexDouble](repeating: .zero, count: d)
        var kr = jr
        r.withUnsafeBufferPointer { rp in
            jr.withUnsafeMutableBufferPointer { sector.apply(.current, rp.baseAddress!, into: $0.baseAddress!) }
            kr.withUnsafeMutableBufferPointer { sector.apply(.kinetic, rp.baseAddress!, into: $0.baseAddress!) }
        }
        let nj = Lanczos.norm(jr)
        var basis = KrylovBasis(sector: sector, start: r, steps: steps)
        let m = basis.steps
        let (eps, phi) = try tridiagonalEigen(diagonal: basis.alpha, offDiagonal: basis.beta)
        // c_k = ⟨v_k|K|r⟩ for the kinetic energy, before V is overwritten by jV.
        var c = [ComplexDouble](repeating: .zero, count: m)
        basis.vectors.withUnsafeBufferPointer { vp in
            kr.withUnsafeBufferPointer { kp in
                c.withUnsafeMutableBufferPointer { cp in
                    complexMultiply(vp.baseAddress!, rowsA: d, colsA: m, .adjoint, kp.baseAddress!, rowsB: d, colsB: 1, .none, into: cp.baseAddress!)
                }
            }
        }
        let floor = sector.model.energyFloor
        // Z and ⟨K⟩ need only the first Lanczos run.
        var kinI = [Double](repeating: 0, count: m)  // Re ⟨r|ψ_i⟩⟨ψ_i|K|r⟩
        for i in 0..<m {
            var acc = ComplexDouble.zero
            for k in 0..<m { acc += ComplexDouble(phi[i * m + k] * c[k].real, phi[i * m + k] * c[k].imaginary) }
            kinI[i] = phi[i * m] * acc.real
        }
        guard nj > 0 else {
            // No current (g = 0 at κ = 0): only Z and ⟨K⟩ contribute.
            for (row, T) in sums.numerator.temperatures.enumerated() {
                for i in 0..<m {
                    let b = exp(-(eps[i] - floor) / T)
                    sums.z[row] += weight * b * phi[i * m] * phi[i * m]
                    sums.kinetic[row] += weight * b * kinI[i]
                }
            }
            return
        }
        // jV in place, column by column.
        var tmp = [ComplexDouble](repeating: .zero, count: d)
        basis.vectors.withUnsafeMutableBufferPointer { vp in
            tmp.withUnsafeMutableBufferPointer { tp in
                for k in 0..<m {
                    let col = vp.baseAddress! + k * d
                    sector.apply(.current, UnsafePointer(col), into: tp.baseAddress!)
                    col.update(from: tp.baseAddress!, count: d)
                }
            }
        }
        let second = KrylovBasis(sector: sector, start: jr, steps: steps)
        let mt = second.steps
        let (epsT, phiT) = try tridiagonalEigen(diagonal: second.alpha, offDiagonal: second.beta)
        // X = (jV)† Ṽ  (m × m̃), then A = Φᵀ X Φ̃.
        var x = [ComplexDouble](repeating: .zero, count: m * mt)
        basis.vectors.withUnsafeBufferPointer { vp in
            second.vectors.withUnsafeBufferPointer { wp in
                x.withUnsafeMutableBufferPointer { xp in
                    complexMultiply(vp.baseAddress!, rowsA: d, colsA: m, .adjoint, wp.baseAddress!, rowsB: d, colsB: mt, .none, into: xp.baseAddress!)
                }
            }
        }
        let phiC = phi.map { ComplexDouble($0, 0) }, phiTC = phiT.map { ComplexDouble($0, 0) }
        var y = [ComplexDouble](repeating: .zero, count: m * mt)
        var a = y
        x.withUnsafeBufferPointer { xp in
            phiTC.withUnsafeBufferPointer { pp in
                y.withUnsafeMutableBufferPointer { yp in
                    complexMultiply(xp.baseAddress!, rowsA: m, colsA: mt, .none, pp.baseAddress!, rowsB: mt, colsB: mt, .none, into: yp.baseAddress!)
                }
            }
        }
        phiC.withUnsafeBufferPointer { pp in
            y.withUnsafeBufferPointer { yp in
                a.withUnsafeMutableBufferPointer { ap in
                    complexMultiply(pp.baseAddress!, rowsA: m, colsA: m, .transpose, yp.baseAddress!, rowsB: m, colsB: mt, .none, into: ap.baseAddress!)
                }
            }
        }
        // Pole (i, j) at ω = ε̃_j − ε_i with amplitude Re[⟨r|ψ_i⟩⟨ψ_i|j|ψ̃_j⟩⟨ψ̃_j|j|r⟩].
        var amp = [Double](repeating: 0, count: m * mt)
        for j in 0..<mt {
            let right = phiT[j * mt] * nj
            for i in 0..<m { amp[j * m + i] = phi[i * m] * a[j * m + i].real * right }
        }
        let degenerate = 1e-10
        for (row, T) in sums.numerator.temperatures.enumerated() {
            let beta = 1 / T
            let b = eps.map { exp(-beta * ($0 - floor)) }
            let bt = epsT.map { exp(-beta * ($0 - floor)) }
            var z = 0.0, kin = 0.0
            for i in 0..<m { z += b[i] * phi[i * m] * phi[i * m]; kin += b[i] * kinI[i] }
            sums.z[row] += weight * z
            sums.kinetic[row] += weight * kin
            var drude = 0.0
            for j in 0..<mt {
                for i in 0..<m {
                    let am = amp[j * m + i]
                    let omega = epsT[j] - eps[i]
                    if abs(omega) < degenerate {
                        drude += beta * b[i] * am
                    } else {
                        // σ is even: each pole's weight is split between ±|ω| (the histogram stores
                        // ω > 0 and mirrors), which averages the two estimates FTLM gives.
                        let w = Double.pi * (b[i] - bt[j]) / omega * am
                        sums.numerator.add(row: row, omega: abs(omega), weight: weight * w / 2)
                    }
                }
            }
            sums.numerator.drude[row] += weight * Double.pi * drude
        }
    }

    /// Pools batch sums (in batch order) into the spectrum, ⟨K⟩, and one normalised spectrum per batch.
    public static func merge(_ batches: [KuboSums]) -> StaticDisorderResult {
        var total = batches[0]
        for b in batches.dropFirst() { total.accumulate(b) }
        let pooled = total.normalised()
        let per = batches.map { $0.normalised() }
        return StaticDisorderResult(spectrum: pooled.sigma, kineticEnergy: pooled.kinetic,
                                    batchSpectra: per.map(\.sigma), batchKineticEnergy: per.map(\.kinetic))
    }

    public static func compute(_ s: FTLMSettings) throws -> StaticDisorderResult {
        merge(try (0..<s.batches).map { try batchSums(s, batch: $0) })
    }
}
