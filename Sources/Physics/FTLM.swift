import Foundation
import LinearAlgebra
import Numerics

/// Settings of a finite temperature Lanczos run.
public struct FTLMSettings: Sendable {
    public var model: TLSModel
    public var temperatures: [Double]
    public var lanczosSteps: Int
    /// Random vectors per sector (the paper's N_r).
    public var randomVectors: Int
    /// Independent batches of random vectors (error bars; the unit of sharding).
    public var batches: Int
    /// Batches split the momentum sectors instead of the random vectors: batch b takes sectors
    /// b, b + B, b + 2B, … (an interleaved, coarser grid of twists) with all R vectors each. For
    /// twist-averaged runs, where a sector needs only one vector, each batch is then a complete
    /// twist average of its own, and their spread holds both the random-vector error and the
    /// error of averaging over fewer twists (an upper bound for the pooled grid's).
    public var sectorBatches = false
    /// Twist average by stratified sampling (with `sectorBatches`): instead of the fixed grid of
    /// N·N_φ momenta, batch b draws one κ uniformly inside each of the S = N·N_φ/(2B) strata
    /// [πn/S, π(n+1)/S). Every batch is then an unbiased estimate of the continuous twist
    /// average (N_φ → ∞) and the batches are independent, so their spread is its whole error.
    public var stratifiedTwists = false
    public var seed: UInt64
    public var twists: Int
    public var binWidth: Double
    public var omegaMax: Double
    /// Hybrid FTLM: eigenstates within this energy of the lowest (of all sectors) are treated
    /// exactly (`ExactLowStates`); 0 = plain FTLM.
    public var exactWindow: Double = 0
    /// At most this many exact states per sector (used with `exactWindow` > 0; the stage's
    /// `exact_max_states` has the same default, so setting only the window is hybrid FTLM too).
    public var exactMaxStates: Int = 64

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
    /// Poles closer than this to ω = 0 are degenerate pairs: they form the thermal Drude peak.
    static let degenerate = 1e-10

    /// One Kubo pole at ω = E_final − E_initial with Boltzmann factors `initial`, `final`:
    /// π (b_i − b_f)/ω · amplitude, or β b_i · amplitude into `drude` for a degenerate pair.
    /// σ is even: the weight is split between ±|ω| (the histogram stores ω > 0 and mirrors),
    /// which averages the two estimates FTLM gives of each pair.
    @inline(__always)
    static func addPole(_ sums: inout KuboSums, row: Int, beta: Double, initial b: Double, final bt: Double,
                        omega: Double, amplitude am: Double, weight: Double, drude: inout Double) {
        addPole(&sums.numerator, row: row, beta: beta, initial: b, final: bt, omega: omega, amplitude: am, weight: weight, drude: &drude)
    }

    static func addPole(_ h: inout StickHistogram, row: Int, beta: Double, initial b: Double, final bt: Double,
                        omega: Double, amplitude am: Double, weight: Double, drude: inout Double) {
        if abs(omega) < degenerate {
            drude += beta * b * am
        } else {
            let w = Double.pi * (b - bt) / omega * am
            h.add(row: row, omega: abs(omega), weight: weight * w / 2)
        }
    }

    /// The random start vector of (momentum index, vector index): complex Gaussian entries.
    public static func randomVector(dimension d: Int, seed: UInt64, momentum: Int, vector: Int) -> [ComplexDouble] {
        randomVector(dimension: d, seed: seed, stream: (UInt64(momentum) << 32) | UInt64(vector))
    }

    /// The random start vector of one stream of the seed.
    public static func randomVector(dimension d: Int, seed: UInt64, stream: UInt64) -> [ComplexDouble] {
        var rng = Xoshiro256(seed: seed, stream: stream)
        return (0..<d).map { _ in ComplexDouble(rng.gaussian(), rng.gaussian()) }
    }

    /// The momentum sectors of a run: the twist grid of `TLSModel.momenta`, or with
    /// `stratifiedTwists` the B·S drawn momenta, sector k = n·B + b holding batch b's draw in
    /// stratum n (so that batch b's sectors are k ≡ b mod B, as for any sector batching). Each
    /// draw comes from its own stream of the seed (sector k, vector index 2³² − 2).
    public static func momenta(_ s: FTLMSettings) -> [(kappa: Double, multiplicity: Double)] {
        guard s.stratifiedTwists else { return s.model.momenta(twists: s.twists) }
        let b = s.batches, strata = s.model.sites * s.twists / (2 * b)
        return (0..<(b * strata)).map { k in
            var rng = Xoshiro256(seed: s.seed, stream: (UInt64(k) << 32) | UInt64(twistDrawVector))
            return (Double.pi * (Double(k / b) + rng.uniform()) / Double(strata), 2)
        }
    }

    /// Stream (vector index) of the twist draws, beyond every random vector's and below the
    /// exact-state start vectors'.
    static let twistDrawVector = Int(UInt32.max) - 1

    /// The momenta of block `block` of `blocks` (contiguous, sizes differing by at most one).
    public static func momentumBlock(_ block: Int, of blocks: Int, count: Int) -> Range<Int> {
        let b = max(1, min(blocks, count))
        return (block * count / b) ..< ((block + 1) * count / b)
    }

    /// Unnormalised Kubo sums of one batch. `threads`: cores for H·v, Gram–Schmidt and the
    /// X product, read again for every vector (the share can grow while a run goes on); the
    /// numbers do not depend on it. Round r (error-controlled runs) takes the
    /// vectors r·R … (r+1)·R − 1 of every sector, R = `randomVectors`, each batch those ≡ batch mod B
    /// (with `sectorBatches`: all of them, in the batch's own sectors).
    /// `storage`: Krylov bases to reuse (a shard passes one to all its batches: first-touching
    /// 2 × 1.26 GB of fresh pages costs 6 s at N = 16, M = 1200, measured).
    /// `lowStates`: the exact low states of every sector (hybrid FTLM, `s.exactWindow` > 0), found
    /// once per shard. Each batch adds their exact part with weight 1/B, so every batch is a
    /// complete estimate and the spread between batches is the random part's alone.
    /// `block`/`blocks`: only the momenta of that block (a twist-averaged run has thousands of
    /// sectors; blocks let it split beyond its few random vectors). The sums of the blocks add up
    /// to the batch's.
    public static func batchSums(_ s: FTLMSettings, batch: Int, round: Int = 0, block: Int = 0, blocks: Int = 1,
                                 threads: @autoclosure () -> Int = 1,
                                 storage reused: KrylovStorage? = nil,
                                 lowStates reusedLow: LowStateCache? = nil,
                                 progress: (Double, String) -> Void = { _, _ in }) throws -> KuboSums {
        var sums = KuboSums(temperatures: s.temperatures, binWidth: s.binWidth, binCount: s.binCount)
        let momenta = Self.momenta(s)
        let batchSectors = s.sectorBatches ? Array(stride(from: batch, to: momenta.count, by: s.batches)) : Array(momenta.indices)
        let mine = Array(batchSectors[momentumBlock(block, of: blocks, count: batchSectors.count)])
        let vectors = s.sectorBatches ? Array(round * s.randomVectors ..< (round + 1) * s.randomVectors)
                                      : Array(stride(from: round * s.randomVectors + batch, to: (round + 1) * s.randomVectors, by: s.batches))
        let d = s.model.sectorDimension
        let storage = reused ?? KrylovStorage(dimension: d, steps: s.lanczosSteps)
        // The exact states of this batch's sectors: with sector batches each sector's own (a
        // twist average's thousands of sectors are never all needed), else every sector's at once.
        var low: [Int: ExactLowStates]? = nil
        if s.exactWindow > 0 {
            let cache = reusedLow ?? LowStateCache(s)
            if s.sectorBatches {
                low = try Dictionary(uniqueKeysWithValues: mine.map { ($0, try cache.states(sector: $0, storage: storage, threads: threads())) })
            } else {
                let all = try cache.states(storage: storage, threads: threads())
                low = Dictionary(uniqueKeysWithValues: mine.map { ($0, all[$0]) })
            }
        }
        // The coarse (M/2) numerator: the random vectors' runs and the exact states' spectra,
        // each read at half its steps, so the resolution estimate covers both parts.
        sums.coarse = sums.numerator
        if let low {
            for k in mine {
                let m = momenta[k]
                low[k]!.addSums(Sector(model: s.model, kappa: m.kappa), weight: m.multiplicity / Double(s.sectorBatches ? 1 : s.batches), into: &sums)
            }
        }
        var done = 0
        for r in vectors {
            for k in mine {
                let m = momenta[k]
                let sector = Sector(model: s.model, kappa: m.kappa)
                var start = randomVector(dimension: d, seed: s.seed, momentum: k, vector: r)
                // D/R per normalised random vector; the multiplicity counts the sector −κ. With
                // exact low states, the vector is projected onto the rest and weighs ‖P⊥ r̂‖².
                var fraction = 1.0
                if let low {
                    let n = Lanczos.norm(start)
                    start = start.map { ComplexDouble($0.real / n, $0.imaginary / n) }
                    fraction = low[k]!.project(&start)
                }
                try addRandomVector(sector, start: start, steps: s.lanczosSteps,
                                    weight: m.multiplicity * Double(d) / Double(s.randomVectors) * fraction,
                                    storage: storage, threads: threads(), into: &sums)
                done += 1
                progress(Double(done) / Double(vectors.count * mine.count),
                         "random vector \(done / mine.count + (done % mine.count == 0 ? 0 : 1))/\(vectors.count), sector \(k + 1)/\(momenta.count)")
            }
        }
        return sums
    }

    /// The FTLM contribution of one random vector of one sector.
    public static func addRandomVector<Space: KrylovSpace>(_ sector: Space, start: [ComplexDouble], steps: Int, weight: Double,
                                       storage: KrylovStorage? = nil, threads: Int = 1, into sums: inout KuboSums) throws {
        let d = sector.dimension
        // Parallelism is ours, never OpenBLAS's: its threaded dgemm gives different bits for 1
        // and 2 threads (measured, 4e-13 relative), and results must not depend on --jobs.
        BLAS.useSingleThread()
        let store = storage ?? KrylovStorage(dimension: d, steps: steps, realPairs: sector.storesRealPairs)
        precondition(store.dimension == d && store.steps >= min(steps, sector.krylovDimension), "KrylovStorage too small")
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
        let basis = r.withUnsafeBufferPointer { KrylovBasis(sector: sector, start: $0.baseAddress!, steps: steps, storage: store.first, threads: threads) }
        let m = basis.steps
        let (eps, phi) = try tridiagonalEigen(diagonal: basis.alpha, offDiagonal: basis.beta)
        // c_k = Re⟨v_k|K|r⟩ for the kinetic energy (⟨K⟩ is real), before V is overwritten by jV.
        var c = [Double](repeating: 0, count: m)
        kr.withUnsafeBufferPointer { kp in
            realPartOfAdjointProduct(basis.vectors, rows: d, colsA: m, kp.baseAddress!, colsB: 1, into: &c)
        }
        let floor = sector.energyFloor
        // Z and ⟨K⟩ need only the first Lanczos run.
        var kinI = [Double](repeating: 0, count: m)  // Re ⟨r|ψ_i⟩⟨ψ_i|K|r⟩
        for i in 0..<m {
            var acc = 0.0
            for k in 0..<m { acc += phi[i * m + k] * c[k] }
            kinI[i] = phi[i * m] * acc
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
        // jV in place, column by column. In a real space (`storesRealPairs`) `.current` is the
        // real A of j = i·A: the second run starts from A|r⟩, X = (AV)ᵀṼ, and with real Ritz
        // vectors ⟨r|ψ_i⟩(Aψ_i)ᵀψ̃_j ψ̃_jᵀA|r⟩ = ⟨r|ψ_i⟩⟨ψ_i|j|ψ̃'_j⟩⟨ψ̃'_j|j|r⟩ (ψ̃' = iψ̃, A = −Aᵀ):
        // the same amplitudes at half the arithmetic.
        let tmp = UnsafeMutablePointer<ComplexDouble>.allocate(capacity: d)
        defer { tmp.deallocate() }
        for k in 0..<m {
            let col = basis.vectors + k * d
            sector.apply(.current, UnsafePointer(col), into: tmp)
            col.update(from: tmp, count: d)
        }
        let second = jr.withUnsafeBufferPointer { KrylovBasis(sector: sector, start: $0.baseAddress!, steps: steps, storage: store.second, threads: threads) }
        let mt = second.steps
        let (epsT, phiT) = try tridiagonalEigen(diagonal: second.alpha, offDiagonal: second.beta)
        // Only Re A enters (Φ, Φ̃ and the end factors ⟨r|ψ_i⟩, ⟨ψ̃_j|j|r⟩ are real), so
        // Re X = Re[(jV)† Ṽ] (m × m̃) by one real GEMM, then Re A = Φᵀ (Re X) Φ̃.
        var x = [Double](repeating: 0, count: m * mt)
        realOverlaps(basis.vectors, second.vectors, rows: d, m, mt, threads: threads, into: &x)
        var y = [Double](repeating: 0, count: m * mt)
        var a = y
        multiply(x, rowsA: m, colsA: mt, .none, phiT, rowsB: mt, colsB: mt, .none, into: &y)
        multiply(phi, rowsA: m, colsA: m, .transpose, y, rowsB: m, colsB: mt, .none, into: &a)
        // Pole (i, j) at ω = ε̃_j − ε_i with amplitude Re[⟨r|ψ_i⟩⟨ψ_i|j|ψ̃_j⟩⟨ψ̃_j|j|r⟩].
        var amp = [Double](repeating: 0, count: m * mt)
        for j in 0..<mt {
            let right = phiT[j * mt] * nj
            for i in 0..<m { amp[j * m + i] = phi[i * m] * a[j * m + i] * right }
        }
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
                    addPole(&sums, row: row, beta: beta, initial: b[i], final: bt[j], omega: epsT[j] - eps[i],
                            amplitude: amp[j * m + i], weight: weight, drude: &drude)
                }
            }
            sums.numerator.drude[row] += weight * Double.pi * drude
        }
        if sums.coarse != nil { addCoarse(eps: basis.alpha, beta: basis.beta, epsT: second.alpha, betaT: second.beta, x: x, m: m, mt: mt,
                                          nj: nj, floor: floor, weight: weight, into: &sums) }
    }

    /// The same runs read at half the steps: Ritz pairs of the leading M/2 block of each
    /// tridiagonal matrix, the leading block of X, poles into `sums.coarse`. The difference from
    /// the full spectrum estimates the finite-M error of the spectrum (a converged feature does
    /// not move when M doubles; an unresolved one does).
    static func addCoarse(eps alpha: [Double], beta: [Double], epsT alphaT: [Double], betaT: [Double], x: [Double], m: Int, mt: Int,
                          nj: Double, floor: Double, weight: Double, into sums: inout KuboSums) {
        let mc = m / 2, mtc = mt / 2
        guard mc >= 2, mtc >= 2,
              let (eps, phi) = try? tridiagonalEigen(diagonal: Array(alpha.prefix(mc)), offDiagonal: Array(beta.prefix(mc - 1))),
              let (epsT, phiT) = try? tridiagonalEigen(diagonal: Array(alphaT.prefix(mtc)), offDiagonal: Array(betaT.prefix(mtc - 1))) else {
            sums.coarse = nil  // too few steps to read at half: no estimate
            return
        }
        var xc = [Double](repeating: 0, count: mc * mtc)
        for l in 0..<mtc { for k in 0..<mc { xc[l * mc + k] = x[l * m + k] } }
        var y = [Double](repeating: 0, count: mc * mtc), a = y
        multiply(xc, rowsA: mc, colsA: mtc, .none, phiT, rowsB: mtc, colsB: mtc, .none, into: &y)
        multiply(phi, rowsA: mc, colsA: mc, .transpose, y, rowsB: mc, colsB: mtc, .none, into: &a)
        for (row, T) in sums.numerator.temperatures.enumerated() {
            let b = eps.map { exp(-($0 - floor) / T) }, bt = epsT.map { exp(-($0 - floor) / T) }
            var drude = 0.0
            for j in 0..<mtc {
                let right = phiT[j * mtc] * nj
                for i in 0..<mc {
                    addPole(&sums.coarse!, row: row, beta: 1 / T, initial: b[i], final: bt[j], omega: epsT[j] - eps[i],
                            amplitude: phi[i * mc] * a[j * mc + i] * right, weight: weight, drude: &drude)
                }
            }
            sums.coarse!.drude[row] += weight * Double.pi * drude
        }
    }

    /// X = Re(A† B) (m × n) in four fixed blocks of columns, each one single-threaded dgemm,
    /// spread over `threads`: the bits depend on the block shapes only, never on the threads.
    /// (Four blocks of 300 at M = 1200 run at the 2-thread dgemm rate; blocks of 128 lost 15%.)
    public static func realOverlaps(_ a: UnsafePointer<ComplexDouble>, _ b: UnsafePointer<ComplexDouble>, rows d: Int, _ m: Int, _ n: Int,
                             threads: Int, into x: inout [Double]) {
        let block = (n + 3) / 4
        let blocks = (n + block - 1) / block
        let ap = SendablePointer(a), bp = SendablePointer(b)
        x.withUnsafeMutableBufferPointer { xb in
            let xp = SendableMutablePointer(xb.baseAddress!)
            let next = Counter()
            DispatchQueue.concurrentPerform(iterations: max(1, min(threads, blocks))) { _ in
                while true {
                    let c = next.increment() - 1
                    guard c < blocks else { return }
                    let c0 = c * block, c1 = min(n, c0 + block)
                    realPartOfAdjointProduct(ap.p, rows: d, colsA: m, bp.p + c0 * d, colsB: c1 - c0, into: xp.p + c0 * m)
                }
            }
        }
    }

    /// Pools batch sums (in batch order) into the spectrum, ⟨K⟩, and one normalised spectrum per batch.
    public static func merge(_ batches: [KuboSums]) -> StaticDisorderResult {
        var total = batches[0]
        for b in batches.dropFirst() { total.accumulate(b) }
        let pooled = total.normalised()
        let per = batches.map { $0.normalised() }
        return StaticDisorderResult(spectrum: pooled.sigma, kineticEnergy: pooled.kinetic,
                                    batchSpectra: per.map(\.sigma), batchKineticEnergy: per.map(\.kinetic),
                                    coarseSpectrum: pooled.coarse)
    }

    public static func compute(_ s: FTLMSettings) throws -> StaticDisorderResult {
        merge(try (0..<s.batches).map { try batchSums(s, batch: $0) })
    }
}

/// The exact low states of the sectors of a run (hybrid FTLM), found on first use and kept:
/// a shard finds them once for all its batches. They depend only on the settings (their
/// Lanczos start is a fixed vector of the seed's stream), so every shard finds the same.
///
/// The window counts from a reference energy. On a twist grid batched over random vectors every
/// batch holds every sector, so the reference is the lowest over all sectors (`states`). With
/// sector batches (a twist average: thousands of sectors, a few per batch) each shard finds the
/// states of its own sectors only (`states(sector:)`), and the reference is the lowest energy of
/// the untwisted κ = 0 sector, which every shard can afford and agrees on. The split into exact
/// and random parts is unbiased for any window; the reference only decides which states are exact.
public final class LowStateCache {
    let settings: FTLMSettings
    private var found: [ExactLowStates]?
    private var foundSectors: [Int: ExactLowStates] = [:]
    private var sectorCutoff: Double?

    public init(_ s: FTLMSettings) { settings = s }

    /// Stream index of the start vectors, beyond every random vector's.
    public static let startVector = Int(UInt32.max)
    /// Momentum index of the reference run of sector batches (κ = 0), beyond every sector's.
    static let referenceMomentum = Int(UInt32.max)

    /// The exact states of every sector (runs batched over random vectors).
    public func states(storage: KrylovStorage, threads: Int) throws -> [ExactLowStates] {
        if let found { return found }
        BLAS.useSingleThread()  // bits must not depend on the thread count (see addRandomVector)
        let s = settings
        let d = s.model.sectorDimension
        let momenta = FTLM.momenta(s)
        let starts = momenta.indices.map { FTLM.randomVector(dimension: d, seed: s.seed, momentum: $0, vector: LowStateCache.startVector) }
        // The window counts from the lowest energy of all sectors (a plain Lanczos run's lowest
        // Ritz value each): sectors that start above it hold little weight at low T.
        let lowest = try parallelMap(momenta.count, threads: threads) { k in
            try LowStateCache.lowestEnergy(Sector(model: s.model, kappa: momenta[k].kappa), start: starts[k], steps: s.lanczosSteps)
        }
        let cutoff = lowest.min()! + s.exactWindow
        let all = try momenta.indices.map { k in
            guard lowest[k] <= cutoff else { return ExactLowStates(energies: [], vectors: [], dimension: d) }
            return try LowStateCache.find(Sector(model: s.model, kappa: momenta[k].kappa), start: starts[k], cutoff: cutoff,
                                          settings: s, storage: storage, threads: threads)
        }
        found = all
        return all
    }

    /// The exact states of sector `k` alone (runs batched over sectors).
    public func states(sector k: Int, storage: KrylovStorage, threads: Int) throws -> ExactLowStates {
        if let known = foundSectors[k] { return known }
        BLAS.useSingleThread()
        let s = settings
        let d = s.model.sectorDimension
        if sectorCutoff == nil {
            let start = FTLM.randomVector(dimension: d, seed: s.seed, momentum: LowStateCache.referenceMomentum, vector: LowStateCache.startVector)
            sectorCutoff = try LowStateCache.lowestEnergy(Sector(model: s.model, kappa: 0), start: start, steps: s.lanczosSteps) + s.exactWindow
        }
        let cutoff = sectorCutoff!
        let sector = Sector(model: s.model, kappa: FTLM.momenta(s)[k].kappa)
        let start = FTLM.randomVector(dimension: d, seed: s.seed, momentum: k, vector: LowStateCache.startVector)
        // A sector whose lowest energy lies above the window has no exact states: its cheap
        // Lanczos run (no stored basis) spares it the run that keeps one.
        let states = try LowStateCache.lowestEnergy(sector, start: start, steps: s.lanczosSteps) > cutoff
            ? ExactLowStates(energies: [], vectors: [], dimension: d)
            : try LowStateCache.find(sector, start: start, cutoff: cutoff, settings: s, storage: storage, threads: threads)
        foundSectors[k] = states
        return states
    }

    /// How many exact states each sector has, −1 where this cache did not look (sector batches).
    public func counts(sectors: Int) -> [Int] {
        if let found { return found.map(\.count) }
        return (0..<sectors).map { foundSectors[$0]?.count ?? -1 }
    }

    static func lowestEnergy(_ sector: Sector, start: [ComplexDouble], steps: Int) throws -> Double {
        let (alpha, beta) = start.withUnsafeBufferPointer { Lanczos.tridiagonal(sector, start: $0.baseAddress!, steps: steps) }
        return try tridiagonalEigen(diagonal: alpha, offDiagonal: beta).values[0]
    }

    static func find(_ sector: Sector, start: [ComplexDouble], cutoff: Double, settings s: FTLMSettings,
                     storage: KrylovStorage, threads: Int) throws -> ExactLowStates {
        var states = try start.withUnsafeBufferPointer {
            try ExactLowStates.find(sector, start: $0.baseAddress!, steps: s.lanczosSteps,
                                    cutoff: cutoff, maxStates: s.exactMaxStates, storage: storage.first, threads: threads)
        }
        try states.computeSpectra(sector, steps: s.lanczosSteps, threads: threads)
        return states
    }
}
