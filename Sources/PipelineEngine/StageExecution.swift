import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one path by which a stage instance runs, in a pipeline or ad hoc (`tlspipe compute`):
/// outputs go to exclusive temporaries in their final folders, the payload is digested, the
/// provenance is stamped, and only complete, synced files are renamed into place.
public struct StageExecution: Sendable {
    public let registry: StageRegistry
    public let cores: CoreShare
    public init(registry: StageRegistry, cores: CoreShare) { self.registry = registry; self.cores = cores }

    /// One input as the stage will see it: the reference that enters the key, and its lineage.
    public struct Input: Sendable {
        public let ref: InputRef
        public let lineage: Params
        public init(ref: InputRef, lineage: Params) { self.ref = ref; self.lineage = lineage }
    }

    public struct Request: Sendable {
        public let instance: StageInstance
        public let inputs: [Input]
        public let finals: [String]
        public let code: CodeVersion
        public let spec: SpecIdentity?
        public let progress: @Sendable (Double, String) -> Void
        /// Folder of the shard files of a sharded kind (kept across interrupted runs, removed
        /// after success); nil: a private folder beside the output, removed afterwards.
        public let shardDir: String?
        /// The root under which `shardDir` may contain no symlink (the state folder).
        public let shardRoot: String?
        public let jobs: Int
        /// Execution-only facts for the provenance (executor, shards, …).
        public let execution: [(String, JSONValue)]
        /// One-line notes for the log ("resuming ftlm: 2/4 shards saved").
        public var note: @Sendable (String) -> Void = { _ in }

        public init(instance: StageInstance, inputs: [Input], finals: [String], code: CodeVersion, spec: SpecIdentity?,
                    progress: @escaping @Sendable (Double, String) -> Void, shardDir: String? = nil, shardRoot: String? = nil,
                    jobs: Int = 1, execution: [(String, JSONValue)] = []) {
            self.instance = instance; self.inputs = inputs; self.finals = finals; self.code = code; self.spec = spec
            self.progress = progress; self.shardDir = shardDir; self.shardRoot = shardRoot; self.jobs = jobs
            self.execution = execution
        }
    }

    public struct Done: Sendable {
        public let key: String
        public let outputs: [(path: String, sha256: String)]
        /// Digest of the primary output's payload, before provenance was stamped.
        public let content: String
        public let lineage: Params
        public let end: Date
        public let seconds: Double
        public var warnings: [String] = []

        public init(key: String, outputs: [(path: String, sha256: String)], content: String, lineage: Params, end: Date,
                    seconds: Double, warnings: [String] = []) {
            self.key = key; self.outputs = outputs; self.content = content; self.lineage = lineage; self.end = end
            self.seconds = seconds; self.warnings = warnings
        }
    }

    /// The lineage of an instance: its inputs' lineages (single-artifact slots, in slot order,
    /// the first slot that names a parameter wins), overlaid with its own result parameters.
    public static func lineage(_ inst: StageInstance, inputs: [Input]) -> Params {
        inst.lineage { slot, _ in inputs.first(where: { $0.ref.slot == slot })?.lineage }
    }

    public func execute(_ r: Request) throws -> Done {
        let inst = r.instance
        guard let kind = registry[inst.kind] else { throw StageError("unknown stage kind \(inst.kind)") }
        // Inputs must still be the bytes the key was computed from (nobody edited them meanwhile).
        for input in r.inputs where Hashing.sha256(file: input.ref.path) != input.ref.sha256 {
            throw StageError("input \(input.ref.path) changed while the pipeline ran")
        }
        let refs = r.inputs.map(\.ref)
        let key = StageKey.compute(kind: inst.kind, version: kind.version, params: inst.resultParams, inputs: refs)
        let lineage = Self.lineage(inst, inputs: r.inputs)
        for dir in Set(r.finals.map { ($0 as NSString).deletingLastPathComponent }) where !dir.isEmpty {
            try SafeFiles.ensureDirectory(dir)
        }
        var temps: [String] = []
        defer { for t in temps { unlink(t) } }
        for f in r.finals { temps.append(try SafeFiles.makeTemporary(for: f)) }
        var artifacts: [String: [InputArtifact]] = [:]
        for input in r.inputs {
            artifacts[input.ref.slot, default: []].append(InputArtifact(
                stage: input.ref.stage, path: input.ref.path, sha256: input.ref.sha256, key: input.ref.key, params: input.lineage))
        }
        let context = StageContext(stageID: inst.id, params: inst.params, inputs: artifacts, outputPaths: temps,
                                   key: key, progress: r.progress, cores: cores)
        let start = Date()
        var report: StageReport = try cores.running {
            if let sharded = kind as? any ShardedStageKind {
                // Its shards, not the stage, hold cores while they run.
                return try cores.aside {
                    try runShards(sharded, context: context, request: r)
                }
            }
            return try kind.run(context)
        }
        let end = Date()
        for t in temps where !SafeFiles.isRegularFile(t, noFollow: true) {
            throw StageError("stage kind \(inst.kind) did not write \(t)")
        }
        guard let content = Hashing.sha256(file: temps[0]) else { throw StageError("cannot read back \(temps[0])") }
        report.extra.removeAll { $0.0 == "execution" || $0.0 == "warnings" }
        if !report.warnings.isEmpty { report.extra.append(("warnings", .array(report.warnings.map { .string($0) }))) }
        let facts = ProvenanceBuilder.Facts(
            instance: inst, kind: kind, key: key, content: content, inputs: refs, lineage: lineage,
            outputFolder: (r.finals[0] as NSString).deletingLastPathComponent, code: r.code, spec: r.spec,
            execution: r.execution + (inst.params.values.filter { n, _ in !inst.resultParams.values.contains { $0.0 == n } }))
        let provenance = ProvenanceBuilder.record(facts, report: report, start: start, end: end)
        try kind.stamp(outputPaths: temps, provenance: provenance)
        var outputs: [(path: String, sha256: String)] = []
        for (t, f) in zip(temps, r.finals) {
            guard let sha = Hashing.sha256(file: t) else { throw StageError("cannot read back \(t)") }
            outputs.append((f, sha))
        }
        // Rename only once every output is complete, stamped and synced.
        for (t, f) in zip(temps, r.finals) { try SafeFiles.rename(t, to: f) }
        temps = []
        return Done(key: key, outputs: outputs, content: content, lineage: lineage, end: end, seconds: end.timeIntervalSince(start),
                    warnings: report.warnings)
    }

    /// Runs the shards that are not on disk yet or fail their check (at most `jobs` at once),
    /// round after round while the kind asks for more, then merges.
    func runShards(_ kind: any ShardedStageKind, context: StageContext, request r: Request) throws -> StageReport {
        let n = kind.shardCount(context.params)
        let maxRounds = max(1, kind.maxRounds(context.params))
        let dir: String
        var privateDir: String? = nil
        if let d = r.shardDir {
            try SafeFiles.ensureDirectory(d, noSymlinksBelow: r.shardRoot)
            dir = d
        } else {
            let base = (r.finals[0] as NSString).deletingLastPathComponent
            var template = Array(((base.isEmpty ? "." : base) + "/.tlspipe-shards-XXXXXX").utf8CString)
            guard mkdtemp(&template) != nil else { throw StageError("cannot create a shard folder in \(base): \(SafeFiles.errnoText())") }
            dir = String(cString: template)
            privateDir = dir
        }
        defer { if let privateDir { SafeFiles.removeTree(privateDir) } }
        var paths: [String] = []
        var reused = 0, rounds = 0
        for round in 0..<maxRounds {
            if round > 0, !(try kind.needsAnotherRound(context, shards: paths)) { break }
            let mine = Self.shardPaths(dir: dir, key: context.key, count: n, round: round, maxRounds: maxRounds)
            let label = maxRounds == 1 ? "shard" : "round \(round + 1), shard"
            reused += try runRound(kind, context: context, first: round * n, paths: mine, jobs: r.jobs, label: label, note: r.note)
            paths += mine
            rounds += 1
        }
        var report = try kind.merge(context, shards: paths)
        // Shards that ran elsewhere (cluster array tasks) left a note of where: keep it.
        let origins: [JSONValue] = paths.enumerated().compactMap { k, p in
            guard let data = try? SafeFiles.readRegular(p + ".origin.json", noFollow: true, limit: 65536),
                  let text = String(data: data, encoding: .utf8),
                  case .object(let o)? = try? JSONValue.parse(text) else { return nil }
            return .object([("shard", .int(k))] + o)
        }
        if r.shardDir != nil { SafeFiles.removeTree(dir) }
        // Shards that cluster tasks computed for this very run are not "reused" from an earlier one.
        var info: [(String, JSONValue)] = [("count", .int(paths.count)), ("reused", .int(max(0, reused - origins.count)))]
        if !origins.isEmpty { info.append(("ran_on", .array(origins))) }
        if maxRounds > 1 { info += [("rounds", .int(rounds)), ("max_rounds", .int(maxRounds))] }
        report.extra.append(("shards", .object(info)))
        return report
    }

    /// The files of the shards of one round, named by the stage key (so a changed stage never
    /// picks up another's shards).
    static func shardPaths(dir: String, key: String, count n: Int, round: Int, maxRounds: Int) -> [String] {
        (round * n ..< (round + 1) * n).map { k in
            maxRounds == 1 ? "\(dir)/\(key.prefix(16))-shard\(k + 1)of\(n).h5"
                           : "\(dir)/\(key.prefix(16))-round\(round + 1)-shard\(k - round * n + 1)of\(n).h5"
        }
    }

    /// One shard into `path`: an exclusive temporary, renamed into place, then its hash beside it
    /// (the mark of a finished shard). `origin` (where it ran) goes beside it too.
    static func runShard(_ kind: any ShardedStageKind, context: StageContext, shard: Int, count: Int, path: String,
                         origin: JSONValue? = nil) throws {
        let t = try SafeFiles.makeTemporary(for: path)
        do {
            try kind.runShard(context, shard: shard, count: count, output: t)
            guard let sha = Hashing.sha256(file: t) else { throw StageError("cannot read back shard \(t)") }
            if let origin { try SafeFiles.writeAtomically(Data((origin.canonical + "\n").utf8), to: path + ".origin.json") }
            try SafeFiles.rename(t, to: path)
            try SafeFiles.writeAtomically(Data((sha + "\n").utf8), to: path + ".sha256")
        } catch {
            unlink(t)
            throw error
        }
    }

    /// The shards of a stage's first round that are not on disk intact (0-based), and their count.
    public func missingShards(_ r: Request, key: String) -> (missing: [Int], count: Int) {
        guard let kind = registry[r.instance.kind] as? any ShardedStageKind, let dir = r.shardDir else { return ([], 0) }
        let n = kind.shardCount(r.instance.params)
        let paths = Self.shardPaths(dir: dir, key: key, count: n, round: 0, maxRounds: max(1, kind.maxRounds(r.instance.params)))
        return (paths.indices.filter { !Self.shardIsIntact(paths[$0]) }, n)
    }

    /// Runs shard `shard` (0-based, first round) of a sharded stage on its own, into the stage's
    /// shard folder, as a cluster array task does; the stage's own run later merges it. A shard
    /// already on disk intact is kept.
    public func runSingleShard(_ r: Request, shard: Int, origin: JSONValue?) throws {
        let inst = r.instance
        guard let kind = registry[inst.kind] as? any ShardedStageKind, let dir = r.shardDir else {
            throw StageError("stage \(inst.id) (\(inst.kind)) has no shards")
        }
        let n = kind.shardCount(inst.params)
        guard shard >= 0 && shard < n else { throw StageError("shard \(shard) of \(inst.id): expected 0 to \(n - 1)") }
        for input in r.inputs where Hashing.sha256(file: input.ref.path) != input.ref.sha256 {
            throw StageError("input \(input.ref.path) changed while the pipeline ran")
        }
        let key = StageKey.compute(kind: inst.kind, version: kind.version, params: inst.resultParams, inputs: r.inputs.map(\.ref))
        try SafeFiles.ensureDirectory(dir, noSymlinksBelow: r.shardRoot)
        let path = Self.shardPaths(dir: dir, key: key, count: n, round: 0, maxRounds: max(1, kind.maxRounds(inst.params)))[shard]
        if Self.shardIsIntact(path) { return }
        unlink(path); unlink(path + ".sha256")
        var artifacts: [String: [InputArtifact]] = [:]
        for input in r.inputs {
            artifacts[input.ref.slot, default: []].append(InputArtifact(
                stage: input.ref.stage, path: input.ref.path, sha256: input.ref.sha256, key: input.ref.key, params: input.lineage))
        }
        let context = StageContext(stageID: inst.id, params: inst.params, inputs: artifacts, outputPaths: [], key: key,
                                   progress: r.progress, cores: cores)
        try cores.running { try Self.runShard(kind, context: context, shard: shard, count: n, path: path, origin: origin) }
    }

    /// A kept shard is used only if its bytes match the hash written beside it when it finished.
    static func shardIsIntact(_ path: String) -> Bool {
        guard SafeFiles.isRegularFile(path, noFollow: true),
              let data = try? SafeFiles.readRegular(path + ".sha256", noFollow: true, limit: 1024),
              let recorded = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines) else { return false }
        return Hashing.sha256(file: path) == recorded
    }

    /// One round: the shards of `paths` (global indices from `first`) not yet on disk intact.
    /// Returns how many were kept.
    func runRound(_ kind: any ShardedStageKind, context: StageContext, first: Int, paths: [String], jobs: Int,
                  label: String, note: @Sendable (String) -> Void = { _ in }) throws -> Int {
        let n = paths.count
        let missing = paths.indices.filter { !Self.shardIsIntact(paths[$0]) }
        if missing.count < n && !missing.isEmpty {
            note("resuming \(context.stageID): \(n - missing.count)/\(n) \(label)s saved")
        }
        for k in missing { unlink(paths[k]); unlink(paths[k] + ".sha256"); unlink(paths[k] + ".origin.json") }
        // Each running shard reports its own fraction; the stage's bar shows their sum.
        let tally = ShardTally(count: n, missing: missing)
        let errors = ShardErrors()
        let gate = DispatchSemaphore(value: max(1, jobs))
        let done = ShardErrors()
        let cores = self.cores
        DispatchQueue.concurrentPerform(iterations: missing.count) { i in
            gate.wait()
            defer { gate.signal() }
            cores.running {
                let k = missing[i]
                do {
                    let shardContext = context.reporting { f, what in
                        context.progress(tally.update(k, f), "\(label) \(k + 1)/\(n): \(what)")
                    }
                    try Self.runShard(kind, context: shardContext, shard: first + k, count: n, path: paths[k])
                    let finished = done.add("") + n - missing.count
                    context.progress(tally.update(k, 1), "\(finished)/\(n) \(label)s done")
                } catch {
                    _ = errors.add("shard \(k + 1)/\(n): \(SafeFiles.describe(error))")
                }
            }
        }
        if let first = errors.messages.first { throw StageError(first) }
        return n - missing.count
    }
}

/// The fraction done of each shard of a round, summed for the stage's progress bar.
final class ShardTally: @unchecked Sendable {
    private let lock = NSLock()
    private var fractions: [Double]

    /// `missing`: the shards still to run; the others count as done.
    init(count: Int, missing: [Int]) {
        fractions = Array(repeating: 1, count: count)
        for k in missing { fractions[k] = 0 }
    }

    /// Records shard `k` at fraction `f` and returns the round's fraction done.
    func update(_ k: Int, _ f: Double) -> Double {
        lock.lock(); defer { lock.unlock() }
        fractions[k] = min(1, max(fractions[k], f))
        return fractions.reduce(0, +) / Double(fractions.count)
    }
}

final class ShardErrors: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var messages: [String] = []
    func add(_ m: String) -> Int { lock.lock(); defer { lock.unlock() }; messages.append(m); return messages.count }
}
