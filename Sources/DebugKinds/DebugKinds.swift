import Foundation
import HDF5
import LinearAlgebra
import PipelineEngine
import Stages

/// Stage kinds for tests only, registered by `tlspipe-testkit`, never by the shipped `tlspipe`.
public enum DebugKinds {
    public static let all: [any StageKind] = [DebugSleepStage(), DebugShardsStage(), DebugGemmStage()]
}

/// `debug-sleep`: writes part of its artifact, sleeps, then finishes, so tests can kill a
/// driver mid-stage.
struct DebugSleepStage: HDF5StageKind {
    let name = "debug-sleep"
    let version = 1
    let summary = "test helper: writes, sleeps, finishes"
    let parameters = [
        ParameterSpec("seconds", .double(min: 0), help: "how long to sleep"),
        ParameterSpec("value", .double(), default: .double(1), help: "value stored"),
    ]
    let inputs = [InputSpec("upstream", required: false, multiple: true, help: "any artifacts")]

    func run(_ context: StageContext) throws -> StageReport {
        let f = try HDF5File.create(context.outputPaths[0])
        try f.root.write("value", [context.params.double("value")])
        f.close()
        Thread.sleep(forTimeInterval: context.params.double("seconds"))
        return StageReport()
    }
}

/// `debug-gemm`: keeps two threads inside OpenBLAS dgemm for a while, so tests can interrupt a
/// driver while a library computes (the state in which a clean exit matters most).
struct DebugGemmStage: HDF5StageKind {
    let name = "debug-gemm"
    let version = 1
    let summary = "test helper: dgemm on two threads, then finishes"
    let parameters = [ParameterSpec("seconds", .double(min: 0), help: "how long to multiply")]
    let inputs: [InputSpec] = []

    func run(_ context: StageContext) throws -> StageReport {
        let f = try HDF5File.create(context.outputPaths[0])
        try f.root.write("value", [1.0])
        f.close()
        let end = Date().addingTimeInterval(context.params.double("seconds"))
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let n = 400
            let a = [Double](repeating: 1e-3, count: n * n)
            var c = a
            while Date() < end { multiply(a, rowsA: n, colsA: n, .none, a, rowsB: n, colsB: n, .none, into: &c) }
        }
        return StageReport()
    }
}

/// `debug-shards`: a sharded test kind. Each shard appends a line to `log`; the shard named by
/// TLSPIPE_DEBUG_FAIL_SHARD fails, so tests can interrupt a run after some shards finished.
struct DebugShardsStage: HDF5StageKind, ShardedStageKind {
    let name = "debug-shards"
    let version = 1
    let summary = "test helper: sharded stage"
    let parameters = [
        ParameterSpec("shards", .int(min: 1), help: "shard count"),
        ParameterSpec("log", .string(), help: "file each shard appends its index to"),
        ParameterSpec("max_rounds", .int(min: 1), default: .int(1), help: "rounds of shards at most"),
        ParameterSpec("stop_at", .double(), default: .double(0), help: "another round while the sum of shard² so far is below this"),
    ]
    let inputs: [InputSpec] = []

    func shardCount(_ p: Params) -> Int { p.int("shards") }
    func maxRounds(_ p: Params) -> Int { p.int("max_rounds") }

    func needsAnotherRound(_ context: StageContext, shards: [String]) throws -> Bool {
        try values(shards).reduce(0, +) < context.params.double("stop_at")
    }

    func values(_ shards: [String]) throws -> [Double] {
        var values: [Double] = []
        for s in shards {
            let f = try HDF5File.open(s)
            values += try f.root.readDoubles("value").values
            f.close()
        }
        return values
    }

    func runShard(_ context: StageContext, shard: Int, count: Int, output: String) throws {
        if ProcessInfo.processInfo.environment["TLSPIPE_DEBUG_FAIL_SHARD"] == String(shard) {
            throw StageError("shard \(shard) failed on purpose")
        }
        let f = try HDF5File.create(output)
        try f.root.write("value", [Double(shard * shard)])
        f.close()
        let log = context.params.string("log")
        // O_APPEND: shards run concurrently.
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        _ = "\(shard)\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    func merge(_ context: StageContext, shards: [String]) throws -> StageReport {
        let f = try HDF5File.create(context.outputPaths[0])
        try f.root.write("values", try values(shards))
        f.close()
        return StageReport()
    }
}
