import Foundation
import LinearAlgebra

/// Boundary of the disordered chain.
public enum ChainBoundary: String, Sendable {
    /// A ring, as in the TLS model at φ = 0 (the ω0 → 0 limit of the clusters).
    case periodic
    /// An open chain: j = i[H, X] holds exactly, so the f-sum rule is exact.
    case open
}

/// Settings of the static-disorder Kubo calculation.
public struct StaticDisorderSettings: Sendable {
    public var sites: Int
    public var t: Double
    public var g: Double
    public var realizations: Int
    public var batches: Int
    public var seed: UInt64
    public var temperatures: [Double]
    public var binWidth: Double
    public var omegaMax: Double
    public var boundary: ChainBoundary
    /// Extra quenched on-site disorder ε_x added to the ±g (width W, box or binary), from its own
    /// streams: W = 0 leaves every number as it was.
    public var width: Double = 0
    public var kind: OnSiteDisorder = .box

    public init(sites: Int, t: Double = 1, g: Double = 1, realizations: Int, batches: Int = 4, seed: UInt64,
                temperatures: [Double], binWidth: Double = 2e-4, omegaMax: Double? = nil,
                boundary: ChainBoundary = .periodic) {
        self.sites = sites; self.t = t; self.g = g; self.realizations = realizations
        self.batches = batches; self.seed = seed; self.temperatures = temperatures
        self.binWidth = binWidth
        // Transitions span at most the full band width 4t + 2g.
        self.omegaMax = omegaMax ?? (4 * abs(t) + 2 * abs(g) + 0.5)  // widened by the stage for W > 0
        self.boundary = boundary
    }

    /// An energy below every eigenvalue (|H| ≤ 2|t| + |g|): a common reference for Boltzmann
    /// factors, so that numerators and Z of different realisations can be pooled.
    var energyFloor: Double { -(2 * abs(t) + abs(g) + width / 2) }
}

/// The unnormalised Kubo sums of a set of realisations: numerator histogram, Z and Σ e^{−βE}⟨K⟩,
/// all relative to the common energy floor.
public struct KuboSums: Sendable {
    public var numerator: StickHistogram
    public var z: [Double]
    public var kinetic: [Double]
    /// FTLM only: the numerator of the same Lanczos runs read at half the steps (M/2). Its
    /// difference from `numerator` estimates the finite-M (resolution) error at no extra H·v.
    public var coarse: StickHistogram? = nil

    public init(temperatures: [Double], binWidth: Double, binCount: Int) {
        numerator = StickHistogram(temperatures: temperatures, binWidth: binWidth, binCount: binCount)
        z = [Double](repeating: 0, count: temperatures.count)
        kinetic = z
    }

    public mutating func accumulate(_ o: KuboSums) {
        numerator.accumulate(o.numerator)
        for i in z.indices { z[i] += o.z[i]; kinetic[i] += o.kinetic[i] }
        if let oc = o.coarse { if coarse == nil { coarse = oc } else { coarse!.accumulate(oc) } }
    }

    /// Adds `factor` × `o` (sums of a jackknife replicate). The coarse sums stay out: a
    /// replicate's resolution is the pooled run's.
    public mutating func accumulate(_ o: KuboSums, times factor: Double) {
        numerator.accumulate(o.numerator, times: factor)
        for i in z.indices { z[i] += factor * o.z[i]; kinetic[i] += factor * o.kinetic[i] }
    }

    /// σ normalised by Z, and ⟨K⟩, per temperature (and the coarse σ, normalised by the same Z).
    public func normalised() -> (sigma: StickHistogram, kinetic: [Double], coarse: StickHistogram?) {
        var h = numerator
        for r in z.indices { h.scale(row: r, by: 1 / z[r]) }
        var c = coarse
        if c != nil { for r in z.indices { c!.scale(row: r, by: 1 / z[r]) } }
        return (h, zip(kinetic, z).map { $0 / $1 }, c)
    }
}

/// Result of the static-disorder calculation: pooled spectrum and one per batch of realisations.
public struct StaticDisorderResult: Sendable {
    public let spectrum: StickHistogram
    public let kineticEnergy: [Double]
    public let batchSpectra: [StickHistogram]
    public let batchKineticEnergy: [[Double]]
    /// FTLM: the pooled spectrum read at M/2 steps (see `KuboSums.coarse`).
    public var coarseSpectrum: StickHistogram? = nil

    public init(spectrum: StickHistogram, kineticEnergy: [Double], batchSpectra: [StickHistogram],
                batchKineticEnergy: [[Double]], coarseSpectrum: StickHistogram? = nil) {
        self.spectrum = spectrum; self.kineticEnergy = kineticEnergy; self.batchSpectra = batchSpectra
        self.batchKineticEnergy = batchKineticEnergy; self.coarseSpectrum = coarseSpectrum
    }
}

public enum StaticDisorder {
    /// Site energies ±g with probability 1/2 each, from stream `realization` of `seed`.
    public static func siteEnergies(sites: Int, g: Double, seed: UInt64, realization: Int) -> [Double] {
        var rng = Xoshiro256(seed: seed, stream: UInt64(realization))
        return (0..<sites).map { _ in rng.next() >> 63 == 0 ? g : -g }
    }

    /// ±g plus the extra on-site disorder of width W (stream 2^62 + realisation of the seed).
    public static func siteEnergies(_ s: StaticDisorderSettings, realization: Int) -> [Double] {
        let binary = siteEnergies(sites: s.sites, g: s.g, seed: s.seed, realization: realization)
        guard s.width > 0 else { return binary }
        var rng = Xoshiro256(seed: s.seed, stream: (1 << 62) | UInt64(realization))
        return binary.map { e in
            let u = rng.uniform()
            return e + (s.kind == .box ? s.width * (u - 0.5) : (u < 0.5 ? -s.width / 2 : s.width / 2))
        }
    }

    /// Hamiltonian −t Σ (c†_{x+1}c_x + h.c.) + Σ ε_x n_x as a dense matrix.
    public static func hamiltonian(energies: [Double], t: Double, boundary: ChainBoundary) -> Matrix {
        let n = energies.count
        var h = Matrix(rows: n, cols: n)
        for x in 0..<n { h[x, x] = energies[x] }
        for x in 0..<(boundary == .periodic ? n : n - 1) {
            let y = (x + 1) % n
            h[x, y] += -t
            h[y, x] += -t
        }
        return h
    }

    /// Kubo sums of one realisation: dense diagonalisation, then J = Uᵀ(AU) by one GEMM, where
    /// j = i·t·A with A real antisymmetric (A_{x+1,x} = 1), so |j_nm|² = t² J_nm².
    public static func kuboSums(energies: [Double], settings s: StaticDisorderSettings) throws -> KuboSums {
        let n = energies.count
        let eig = try symmetricEigen(hamiltonian(energies: energies, t: s.t, boundary: s.boundary))
        let u = eig.vectors
        var au = Matrix(rows: n, cols: n)
        let periodic = s.boundary == .periodic
        for m in 0..<n {
            for x in 0..<n {
                var v = 0.0
                if x > 0 { v += u[x - 1, m] } else if periodic { v += u[n - 1, m] }
                if x < n - 1 { v -= u[x + 1, m] } else if periodic { v -= u[0, m] }
                au[x, m] = v
            }
        }
        let jm = multiply(u, au, transposeA: .transpose)
        // ⟨n|K|n⟩ = −2t Σ_bonds U_x U_{x+1}
        var kin = [Double](repeating: 0, count: n)
        for m in 0..<n {
            var acc = 0.0
            for x in 0..<(periodic ? n : n - 1) { acc += u[x, m] * u[(x + 1) % n, m] }
            kin[m] = -2 * s.t * acc
        }
        let binCount = Int((s.omegaMax / s.binWidth).rounded(.up))
        var sums = KuboSums(temperatures: s.temperatures, binWidth: s.binWidth, binCount: binCount)
        let t2 = s.t * s.t
        let j2 = jm.values.map { t2 * $0 * $0 }
        j2.withUnsafeBufferPointer { sums.addEigenpairs(energies: eig.values, currentSquared: $0, kinetic: kin, floor: s.energyFloor) }
        return sums
    }

    /// The full calculation: realisations split round-robin into batches, batches run in
    /// parallel, each summed in realisation order (bit-identical whatever the scheduling).
    public static func compute(_ s: StaticDisorderSettings, threads: Int = 1,
                               progress: @Sendable (Double) -> Void = { _ in }) throws -> StaticDisorderResult {
        let batches = max(1, min(s.batches, s.realizations))
        let done = Counter()
        let batchSums = try parallelMap(batches, threads: max(1, threads)) { b in
            let binCount = Int((s.omegaMax / s.binWidth).rounded(.up))
            var acc = KuboSums(temperatures: s.temperatures, binWidth: s.binWidth, binCount: binCount)
            for r in stride(from: b, to: s.realizations, by: batches) {
                let eps = siteEnergies(s, realization: r)
                acc.accumulate(try kuboSums(energies: eps, settings: s))
                progress(Double(done.increment()) / Double(s.realizations))
            }
            return acc
        }
        var total = batchSums[0]
        for b in 1..<batchSums.count { total.accumulate(batchSums[b]) }
        let pooled = total.normalised()
        let perBatch = batchSums.map { $0.normalised() }
        return StaticDisorderResult(spectrum: pooled.sigma, kineticEnergy: pooled.kinetic,
                                    batchSpectra: perBatch.map(\.sigma), batchKineticEnergy: perBatch.map(\.kinetic))
    }
}
