import Foundation
import HDF5
import LinearAlgebra
import Physics
import PipelineEngine

/// `ftlm`: finite temperature Lanczos, sharded over batches of random vectors.
struct FTLMStage: HDF5StageKind, ShardedStageKind {
    let name = "ftlm"
    // v4: the reorthogonalisation cleans v_k and v_{k+1} in one pass (round-off-level changes).
    // v5: exact low states (exact_window); sticks kept inside their bins.
    // v6: the same runs read at M/2 steps (coarse spectrum): a resolution error estimate.
    // v7: the real-space path (disorder) in real arithmetic: real random vectors.
    // v8: a hybrid run's resolution estimate includes its exact states' spectra read at M/2
    // (before, only the random part's; plain runs are unchanged bit for bit); hybrid FTLM with
    // sector batches, a combination refused before.
    let version = 8
    let summary = "finite temperature Lanczos σ(ω) for every temperature, with batch errors; sharded over batches"
    static let lanczosSteps = Parameter<Int>("lanczos_steps", .int(min: 2), help: "Lanczos steps M")
    static let randomVectors = Parameter<Int>("random_vectors", .int(min: 1), help: "random vectors per sector (N_r); with target_error, per round")
    static let targetError = Parameter<Double?>("target_error", .double(min: 0, exclusiveMin: true), default: .null,
                      help: "error control: add rounds of random_vectors until the relative batch error of σ_δ(0) and ⟨K⟩ is below this at every T")
    static let targetDelta = Parameter<Double>("target_delta", .double(min: 0, exclusiveMin: true), default: .double(0.04), unit: "t", help: "Gaussian width δ of the σ_δ(0) that target_error controls")
    static let targetMinTemperature = Parameter<Double>("target_min_temperature", .double(min: 0), default: .double(0),
                      unit: "t", help: "error control: only temperatures at or above this are held to target_error")
    static let maxRandomVectors = Parameter<Int?>("max_random_vectors", .int(min: 1), default: .null, help: "error control: cap on random vectors per sector (default 10 × random_vectors)")
    static let exactWindow = Parameter<Double>("exact_window", .double(min: 0), default: .double(0),
                      unit: "t", help: "hybrid FTLM: eigenstates within this energy of the lowest (of all sectors; with batch_over \"sectors\" of the κ = 0 sector, each shard finding its own sectors' states) are treated exactly, random vectors cover the rest (0 = plain FTLM)")
    static let exactMaxStates = Parameter<Int>("exact_max_states", .int(min: 1, max: 100000), default: .int(64), help: "hybrid FTLM: at most this many exact states per sector (used with exact_window > 0)")
    static let batches = Parameter<Int>("batches", .int(min: 1), default: .int(8), help: "independent batches of random vectors (error bars)")
    static let batchOver = Parameter<String>("batch_over", .string(allowed: ["random_vectors", "sectors"]), default: .string("random_vectors"),
                      help: "what the batches split: each sector's random vectors, or the momentum sectors (batch b takes every B-th sector with all its vectors: an interleaved coarser twist grid, so that a twist average with one vector per sector has error bars; its spread bounds the twist-grid error too)")
    static let twistSampling = Parameter<String>("twist_sampling", .string(allowed: ["grid", "stratified"]), default: .string("grid"),
                      help: "twist average over the grid of N_φ evenly spaced twists, or (with batch_over \"sectors\") by stratified sampling: each batch draws one momentum in each of sites × twists / (2 batches) equal strata, an unbiased estimate of the continuous twist average whose error bars hold all of its error")
    static let momentumBlocks = Parameter<Int>("momentum_blocks", .int(min: 1, max: 100000), default: .int(1),
                      help: "splits every batch's momentum sectors into this many blocks, so that a run with many sectors (twists) shards beyond its batches; the blocks' sums are added in block order (the last bits depend on it, the physics does not)")
    static let errorEstimate = Parameter<String>("error_estimate", .string(allowed: ["batches", "stratified"]), default: .string("batches"),
                      help: "statistical errors from the spread of the batches (B − 1 degrees of freedom), or by a stratified jackknife that takes each momentum block as a stratum and each batch's vectors in it as a unit (up to momentum_blocks × (B − 1) degrees of freedom: with momentum_blocks = sectors, 2 vectors per sector give usable error bars); the artifact's batch datasets then hold pseudo-values whose standard error is the jackknife's")
    static let seed = Parameter<Int>("seed", .int(min: 0), help: "random seed")
    static let shards = Parameter<Int>("shards", .int(min: 1, max: 10000), default: .int(1), affectsResults: false,
                      help: "pieces the engine runs in parallel (an execution detail: results do not depend on it)")
    let parameters: [ParameterSpec] = ModelParameters.specs(maxSites: 20) + [Self.lanczosSteps.spec, Self.randomVectors.spec, Self.targetError.spec, Self.targetDelta.spec, Self.targetMinTemperature.spec, Self.maxRandomVectors.spec, Self.exactWindow.spec, Self.exactMaxStates.spec, Self.batches.spec, Self.batchOver.spec, Self.twistSampling.spec, Self.momentumBlocks.spec, Self.errorEstimate.spec, Self.seed.spec, Self.shards.spec] + DisorderParameters.specsWithoutSeed
    let inputs: [InputSpec] = []

    func validate(_ p: Params) -> [(String, String)] {
        var problems = ModelParameters.validateRange(p)
        let bySectors = p[Self.batchOver] == "sectors"
        if p[Self.batches] > p[Self.randomVectors] && !bySectors { problems.append((Self.batches.name, "must not exceed random_vectors (or batch over sectors: batch_over \"sectors\")")) }
        if p[Self.errorEstimate] == "stratified" {
            if DisorderParameters.realSpace(p) || bySectors {
                problems.append((Self.errorEstimate.name, "\"stratified\" takes momentum blocks as strata of the batches' random vectors: it needs batch_over \"random_vectors\" on momentum sectors (with batch_over \"sectors\" or disorder use \"batches\")"))
            } else if p[Self.momentumBlocks] < 2 {
                problems.append((Self.errorEstimate.name, "\"stratified\" takes each momentum block as a stratum: set momentum_blocks to at least 2 (the number of sectors, sites × twists / 2 + 1, gives the most degrees of freedom)"))
            }
        }
        if DisorderParameters.realSpace(p) {
            if bySectors { problems.append((Self.batchOver.name, "the real-space path (disorder) has no momentum sectors; use \"random_vectors\"")) }
            return problems + DisorderParameters.validate(p) + validateRealSpace(p)
        }
        let units = p[Self.batches] * p[Self.momentumBlocks]
        if p[Self.shards] > units {
            problems.append((Self.shards.name, "must not exceed batches × momentum_blocks = \(units) (a shard is a set of batches, or of their momentum blocks)"))
        }
        let sectors = Self.sectorCount(p)
        // With sector batches a batch holds every B-th sector: its blocks split those.
        let perBatch = bySectors ? sectors / max(1, p[Self.batches]) : sectors
        if bySectors && p[Self.batches] > sectors {
            problems.append((Self.batches.name, "must not exceed the \(sectors) momentum sectors (sites × twists / 2, + 1 on the grid) when batches split them"))
        } else if p[Self.momentumBlocks] > perBatch {
            problems.append((Self.momentumBlocks.name, "must not exceed the \(perBatch) momentum sectors of a batch (sites × twists / 2 + 1 on the grid\(bySectors ? ", over batches" : ""))"))
        }
        if p[Self.twistSampling] == "stratified" {
            let n = p[ModelParameters.sites] * p[ModelParameters.twists], b = p[Self.batches]
            if !bySectors {
                problems.append((Self.twistSampling.name, "\"stratified\" draws momenta per batch: it needs batch_over \"sectors\""))
            } else if n % (2 * b) != 0 {
                problems.append((Self.twistSampling.name, "\"stratified\" needs sites × twists (\(n)) to be a multiple of 2 × batches (\(2 * b)): each batch draws one momentum per stratum; change twists or batches"))
            }
        }
        if p[Self.batches] < 2 { problems.append((Self.batches.name, "needs at least 2 for error bars")) }
        if p[Self.maxRandomVectors] != nil && p[Self.targetError] == nil {
            problems.append((Self.maxRandomVectors.name, "only applies with target_error"))
        }
        if p[Self.targetError] != nil && p[Self.batches] < 8 {
            // The stop is decided on the batch spread; from fewer batches it is too noisy (Student t,
            // < 7 degrees of freedom) and the run would stop early on a low fluctuation.
            problems.append((Self.batches.name, "error control (target_error) needs at least 8 batches"))
        }
        let tMin = p[Self.targetMinTemperature]
        if tMin > 0, !p[ModelParameters.temperatures].contains(where: { $0 >= tMin }) {
            problems.append((Self.targetMinTemperature.name, "leaves no temperature to control (all are below \(tMin))"))
        }
        if let cap = p[Self.maxRandomVectors], cap < p[Self.randomVectors] {
            problems.append((Self.maxRandomVectors.name, "must be at least random_vectors (one round)"))
        }
        return problems
    }

    /// Momentum sectors of a run: κ and −κ share one (sites × twists / 2, + 1 on the grid).
    static func sectorCount(_ p: Params) -> Int {
        let n = p[ModelParameters.sites] * p[ModelParameters.twists]
        return p[Self.twistSampling] == "stratified" ? n / 2 : n / 2 + 1
    }

    func sizes(_ p: Params) -> [SizeEstimate] { sizes(p, shardsAtOnce: min(Double(p[Self.shards]), Footprint.cores)) }

    func sizesPerShard(_ p: Params) -> [SizeEstimate] { sizes(p, shardsAtOnce: 1) }

    func sizes(_ p: Params, shardsAtOnce: Double) -> [SizeEstimate] {
        // The real-space path has no sectors: one space of N·2^N real amplitudes, stored in
        // N·2^(N−1) complex numbers (`RealSpaceChain`).
        let d = pow(2.0, Double(p[ModelParameters.sites])) * (DisorderParameters.realSpace(p) ? Double(p[ModelParameters.sites]) / 2 : 1)
        let m = min(Double(p[Self.lanczosSteps]), DisorderParameters.realSpace(p) ? 2 * d : d)
        // Hybrid FTLM: a running shard keeps the exact states of every sector, or with sector
        // batches those of its own units' sectors only.
        let sectors = Double(Self.sectorCount(p))
        let units = Double(p[Self.batches] * p[Self.momentumBlocks]), shards = Double(max(1, p[Self.shards]))
        let kept = p[Self.batchOver] == "sectors" ? min(sectors, (sectors * (units / shards).rounded(.up) / units).rounded(.up)) : sectors
        let exact = p[Self.exactWindow] > 0 ? Double(p[Self.exactMaxStates]) * kept * d * Footprint.complex : 0
        return [
            SizeEstimate(parameter: Self.lanczosSteps.name, bytes: shardsAtOnce * (2 * m * d * Footprint.complex + 3 * m * m * Footprint.double + exact),
                         what: DisorderParameters.realSpace(p)
                            ? "two Krylov bases of M = \(Int(m)) vectors of \(p[ModelParameters.sites])·2^\(p[ModelParameters.sites]) real numbers per running shard"
                            : "two Krylov bases of M = \(Int(m)) vectors of 2^\(p[ModelParameters.sites]) complex numbers per running shard"),
            Footprint.histogram(range: p[ModelParameters.omegaMax] ?? TLSSpectrumRange.defaultOmegaMax(ModelParameters.model(p)),
                                binWidth: ModelParameters.binWidth, temperatures: ModelParameters.temperatures, p,
                                // The real-space merge holds every (realisation, batch) unit at once;
                                // a stratified merge every unit (sums and coarse sums), its pseudo-values and a stratum's replicates.
                                copies: p[Self.errorEstimate] == "stratified" ? Double(3 * p[Self.batches] * p[Self.momentumBlocks] + p[Self.batches] + 3)
                                    : Double(p[Self.batches]) * (DisorderParameters.realSpace(p) ? Double(p[DisorderParameters.realizations] ?? 1) : 1) + 2),
        ]
    }

    func settings(_ p: Params) -> FTLMSettings {
        var s = FTLMSettings(model: ModelParameters.model(p), temperatures: p[ModelParameters.temperatures],
                             lanczosSteps: p[Self.lanczosSteps], randomVectors: p[Self.randomVectors],
                             batches: p[Self.batches], seed: UInt64(p[Self.seed]), twists: p[ModelParameters.twists],
                             binWidth: p[ModelParameters.binWidth],
                             omegaMax: p[ModelParameters.omegaMax] ?? (DisorderParameters.realSpace(p) ? DisorderParameters.omegaMax(p) : nil))
        s.exactWindow = p[Self.exactWindow]
        s.exactMaxStates = p[Self.exactMaxStates]
        if p[Self.batchOver] == "sectors" { s.sectorBatches = true; s.batches = p[Self.batches] }
        s.stratifiedTwists = p[Self.twistSampling] == "stratified"
        return s
    }

    func shardCount(_ p: Params) -> Int { p[Self.shards] }

    /// Error control: rounds of `random_vectors` per sector up to the cap.
    func maxRounds(_ p: Params) -> Int {
        guard p[Self.targetError] != nil else { return 1 }
        return max(1, (p[Self.maxRandomVectors] ?? 10 * p[Self.randomVectors]) / p[Self.randomVectors])
    }

    func runShard(_ context: StageContext, shard: Int, count: Int, output: String) throws {
        if DisorderParameters.realSpace(context.params) { return try runRealSpaceShard(context, shard: shard, count: count, output: output) }
        let s = settings(context.params)
        // Work units u = batch × J + block (J = momentum_blocks; with J = 1 a unit is a batch).
        // Shard k of round r holds units k, k + count, … of that round's vectors.
        let blocks = context.params[Self.momentumBlocks]
        let round = shard / count, first = shard % count
        let mine = Array(stride(from: first, to: s.batches * blocks, by: count))
        var out: [(index: Int, sums: KuboSums)] = []
        let storage = KrylovStorage(dimension: s.model.sectorDimension, steps: s.lanczosSteps)
        let low = LowStateCache(s)
        for (i, u) in mine.enumerated() {
            out.append((u, try FTLM.batchSums(s, batch: u / blocks, round: round, block: u % blocks, blocks: blocks,
                                              threads: context.threads, storage: storage, lowStates: low) { f, what in
                context.progress((Double(i) + f) / Double(mine.count), (blocks == 1 ? "batch" : "unit") + " \(i + 1)/\(mine.count): \(what)")
            }))
        }
        // Exact states per sector (−1 for the sectors another shard's batches hold).
        let exact = s.exactWindow > 0 ? low.counts(sectors: FTLM.momenta(s).count) : []
        try KuboSumsFile.write(out, exactStates: exact, to: output)
    }

    /// Every batch pooled over the rounds in `shards` (whole rounds), in batch order.
    /// Units are added in one fixed order (round, then batch, then block), whatever the shards.
    func pooledBatches(_ context: StageContext, shards: [String]) throws -> [KuboSums] {
        let s = settings(context.params)
        let blocks = context.params[Self.momentumBlocks], units = s.batches * blocks
        let perRound = max(1, shardCount(context.params))
        var rounds: [[KuboSums?]] = []
        try eachShardUnit(shards, units: units) { i, u, sums in
            let r = i / perRound
            while rounds.count <= r { rounds.append(Array(repeating: nil, count: units)) }
            rounds[r][u] = sums
        }
        var pooled = [KuboSums?](repeating: nil, count: s.batches)
        for round in rounds {
            for (u, unit) in round.enumerated() {
                guard let sums = unit else { throw StageError("shards do not cover every batch") }
                if pooled[u / blocks] == nil { pooled[u / blocks] = sums } else { pooled[u / blocks]!.accumulate(sums) }
            }
        }
        guard !rounds.isEmpty, pooled.allSatisfy({ $0 != nil }) else { throw StageError("shards do not cover every batch") }
        return pooled.map { $0! }
    }

    /// Calls `body(shard index, unit, sums)` for every unit of every shard, in order, each unit
    /// index checked against `units` (shards are read one at a time).
    func eachShardUnit(_ shards: [String], units: Int, _ body: (Int, Int, KuboSums) throws -> Void) throws {
        for (i, path) in shards.enumerated() {
            for (u, sums) in try KuboSumsFile.read(path) {
                guard u >= 0 && u < units else { throw StageError("shard \(path) holds unit \(u) of \(units)") }
                try body(i, u, sums)
            }
        }
    }

    /// Every (batch, block) unit pooled over the rounds in `shards`: `[batch][block]`, the strata
    /// of a stratified jackknife.
    func pooledUnits(_ context: StageContext, shards: [String]) throws -> [[KuboSums]] {
        let s = settings(context.params)
        let blocks = context.params[Self.momentumBlocks], units = s.batches * blocks
        var pooled = [KuboSums?](repeating: nil, count: units)
        try eachShardUnit(shards, units: units) { _, u, sums in
            if pooled[u] == nil { pooled[u] = sums } else { pooled[u]!.accumulate(sums) }
        }
        guard pooled.allSatisfy({ $0 != nil }) else { throw StageError("shards do not cover every batch and momentum block") }
        return (0..<s.batches).map { b in (0..<blocks).map { pooled[b * blocks + $0]! } }
    }

    /// The merged result, with errors from the batch spread or the stratified jackknife.
    func merged(_ context: StageContext, shards: [String]) throws -> StaticDisorderResult {
        if DisorderParameters.realSpace(context.params) { return FTLM.quenchedMerge(try realSpaceUnits(context, shards: shards)) }
        if context.params[Self.errorEstimate] == "stratified" { return StratifiedJackknife.merge(try pooledUnits(context, shards: shards)) }
        return FTLM.merge(try pooledBatches(context, shards: shards))
    }

    func needsAnotherRound(_ context: StageContext, shards: [String]) throws -> Bool {
        guard let target = context.params[Self.targetError] else { return false }
        let r = try merged(context, shards: shards)
        return !controlled(context.params, StatisticalError.relative(r, delta: context.params[Self.targetDelta]))
            .allSatisfy { $0 <= target }
    }

    /// The errors of the temperatures held to the target.
    func controlled(_ p: Params, _ errors: [Double]) -> [Double] {
        let tMin = p[Self.targetMinTemperature]
        return zip(p[ModelParameters.temperatures], errors).filter { $0.0 >= tMin }.map(\.1)
    }

    func merge(_ context: StageContext, shards: [String]) throws -> StageReport {
        let s = settings(context.params)
        let r = try merged(context, shards: shards)
        let stratified = context.params[Self.errorEstimate] == "stratified"
        var artifact = SpectrumArtifact(spectrum: r.spectrum, batches: r.batchSpectra, kineticEnergy: r.kineticEnergy,
                                        batchKineticEnergy: r.batchKineticEnergy, label: ModelParameters.label("FTLM", context.params),
                                        coarse: r.coarseSpectrum)
        if stratified {
            artifact.batchMeaning = "stratified jackknife pseudo-values, index = momentum block × batches + batch, [pseudo-value, temperature, omega]: their mean is weight and their standard error the jackknife's (not spectra of subsamples)"
        }
        try artifact.write(to: context.outputPaths[0])
        var report: [(String, JSONValue)] = [
            ("blas", .object([("threads", .string("the cores not used by other running stages, read per random vector (results do not depend on it)")),
                               ("core", .string(BLAS.coreName))])),
            ("random_streams", .string("per (momentum, vector) from seed; independent of shards"))]
        // Resolution against statistics at the controlled width δ (target_delta): the same runs
        // read at M/2 steps move σ_δ(0) by this much.
        let delta = context.params[Self.targetDelta]
        if stratified {
            let dof = s.temperatures.indices.map { row in
                StratifiedJackknife.degreesOfFreedom(pseudoValues: r.batchSpectra.map { GaussianFilter.apply($0.sticks(row: row), delta: delta, at: [0])[0] },
                                                     batches: s.batches)
            }
            report.append(("statistical_errors", .object([
                ("method", .string("stratified delete-one jackknife: \(context.params[Self.momentumBlocks]) momentum blocks (strata) × \(s.batches) batches")),
                ("degrees_of_freedom", .array(dof.map { .double(($0 * 10).rounded() / 10) })),
                ("degrees_of_freedom_of", .string("σ_δ(0) at δ = \(JSONValue.format(delta)), per temperature (Welch–Satterthwaite)"))])))
        }
        var warnings: [String] = []
        if let res = StatisticalError.relativeResolution(r, delta: delta) {
            let stat = StatisticalError.relativeStatistical(r, delta: delta)
            let worse = zip(s.temperatures, zip(res, stat)).filter { $0.1.0 > $0.1.1 }
            report.append(("resolution", .object([
                ("delta", .double(delta)), ("method", .string("2 |σ_δ(0) at M − at M/2 steps| / σ_δ(0), same runs")),
                ("relative_error", .array(res.map { .double($0) })), ("relative_statistical_error", .array(stat.map { .double($0) })),
                ("exceeds_statistical", .bool(!worse.isEmpty))])))
            if !worse.isEmpty {
                warnings.append("resolution error exceeds the statistical error of σ_δ(0) at δ = \(JSONValue.format(delta)) for T = "
                                + worse.map { JSONValue.format($0.0) + String(format: " (%.1f%% against %.1f%%)", 100 * $0.1.0, 100 * $0.1.1) }.joined(separator: ", ")
                                + "; more lanczos_steps would change the result")
            }
        }
        if s.exactWindow > 0, let first = shards.first {
            // Every shard finds the same states (they depend on the settings only), each for the
            // sectors it holds (all of them, unless batched over sectors: −1 for the others).
            var counts = try KuboSumsFile.exactStates(first)
            for path in shards.dropFirst() {
                for (k, c) in try KuboSumsFile.exactStates(path).enumerated() where k < counts.count { counts[k] = max(counts[k], c) }
            }
            report.append(("exact_states_per_sector", .array(counts.map { .int($0) })))
        }
        if let target = context.params[Self.targetError] {
            let rounds = shards.count / shardCount(context.params)
            let errors = StatisticalError.relative(r, delta: context.params[Self.targetDelta])
            report.append(("error_control", .object([
                ("target_error", .double(target)), ("rounds", .int(rounds)),
                ("random_vectors_per_sector", .int(rounds * s.randomVectors)),
                ("target_min_temperature", .double(context.params[Self.targetMinTemperature])),
                ("met", .bool(controlled(context.params, errors).allSatisfy { $0 <= target })),
                ("relative_error", .array(errors.map { .double($0) }))])))
        }
        return StageReport(report, warnings: warnings)
    }
}
