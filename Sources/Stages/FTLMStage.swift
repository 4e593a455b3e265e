import Foundation
import HDF5
import LinearAlgebra
import Physics
import PipelineEngine

/// `ftlm`: finite temperature Lanczos, sharded over batches of random vectors.
struct FTLMStage: HDF5StageKind, ShardedStageKind {
    let name = "ftlm"
    // v4: the reorthogonalisation cleans v_k and v_{k+1} in one pass (round-off-level changes).
    let version = 4
    let summary = "finite temperature Lanczos σ(ω) for every temperature, with batch errors; sharded over batches"
    let parameters: [ParameterSpec] = ModelParameters.specs(maxSites: 20) + [
        ParameterSpec("lanczos_steps", .int(min: 2), help: "Lanczos steps M"),
        ParameterSpec("random_vectors", .int(min: 1), help: "random vectors per sector (N_r)"),
        ParameterSpec("batches", .int(min: 1), default: .int(8), help: "independent batches of random vectors (error bars)"),
        ParameterSpec("seed", .int(min: 0), help: "random seed"),
        ParameterSpec("shards", .int(min: 1), default: .int(1), help: "pieces the engine runs in parallel (an execution detail: results do not depend on it)"),
    ]
    let inputs: [InputSpec] = []

    func validate(_ p: Params) -> [(String, String)] {
        var problems = ModelParameters.validateRange(p)
        if p.int("batches") > p.int("random_vectors") { problems.append(("batches", "must not exceed random_vectors")) }
        if p.int("shards") > p.int("batches") { problems.append(("shards", "must not exceed batches (a shard is a set of batches)")) }
        if p.int("batches") < 2 { problems.append(("batches", "needs at least 2 for error bars")) }
        return problems
    }

    func settings(_ p: Params) -> FTLMSettings {
        FTLMSettings(model: ModelParameters.model(p), temperatures: p.doubles("temperatures"),
                     lanczosSteps: p.int("lanczos_steps"), randomVectors: p.int("random_vectors"),
                     batches: p.int("batches"), seed: p.seed(), twists: p.int("twists"),
                     binWidth: p.double("bin_width"), omegaMax: p.optionalDouble("omega_max"))
    }

    func shardCount(_ p: Params) -> Int { p.int("shards") }

    func runShard(_ context: StageContext, shard: Int, count: Int, output: String) throws {
        let s = settings(context.params)
        // As many BLAS threads as the engine gives this shard: the numbers do not depend on it
        // (OpenBLAS splits GEMM/GEMV over output blocks; a test checks 1 and 2 threads agree bit for bit).
        let mine = Array(stride(from: shard, to: s.batches, by: count))
        var out: [(index: Int, sums: KuboSums)] = []
        for b in mine { out.append((b, try FTLM.batchSums(s, batch: b, threads: context.threads))) }
        try KuboSumsFile.write(out, to: output)
    }

    func merge(_ context: StageContext, shards: [String]) throws -> StageReport {
        var all: [(index: Int, sums: KuboSums)] = []
        for path in shards { all += try KuboSumsFile.read(path) }
        all.sort { $0.index < $1.index }
        let s = settings(context.params)
        guard all.map(\.index) == Array(0..<s.batches) else { throw StageError("shards do not cover every batch") }
        let r = FTLM.merge(all.map(\.sums))
        try SpectrumArtifact(spectrum: r.spectrum, batches: r.batchSpectra, kineticEnergy: r.kineticEnergy,
                             batchKineticEnergy: r.batchKineticEnergy, label: ModelParameters.label("FTLM", context.params))
            .write(to: context.outputPaths[0])
        return StageReport([("blas", .object([("threads_per_shard", .int(context.threads)), ("core", .string(BLAS.coreName))])),
                            ("random_streams", .string("per (momentum, vector) from seed; independent of shards"))])
    }
}
