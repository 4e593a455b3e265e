import Foundation

/// The one path by which a stage instance runs, in a pipeline or ad hoc (`tlspipe compute`):
/// outputs go to temporaries in their final folders, provenance is stamped into them, and
/// only complete files are renamed into place.
public struct StageExecution: Sendable {
    public let registry: StageRegistry
    public init(registry: StageRegistry) { self.registry = registry }

    public struct Done: Sendable {
        public let key: String
        public let outputs: [(path: String, sha256: String)]
        public let end: Date
        public let seconds: Double
    }

    /// The stage key of an instance with these inputs (see `StalenessChecker.key`).
    public func key(_ inst: StageInstance, inputs: [InputRef]) -> String {
        let kind = registry[inst.kind]!
        let payload = JSONValue.object([
            ("kind", .string(inst.kind)), ("version", .int(kind.version)), ("params", inst.params.json),
            ("inputs", .array(inputs.map { .object([("slot", .string($0.slot)), ("key", .string($0.key)), ("sha256", .string($0.sha256))]) })),
        ])
        return Hashing.sha256(payload.canonical)
    }

    /// `shardDir` holds the shard files of a sharded kind (kept across interrupted runs, removed
    /// after success); `jobs` caps the shards run at once.
    public func execute(_ inst: StageInstance, inputs refs: [InputRef], inputParams: [String: Params],
                        inputSweeps: [String: [(String, JSONValue)]] = [:],
                        finals: [String], code: CodeVersion, showProgress: Bool,
                        shardDir: String? = nil, jobs: Int = 1) throws -> Done {
        let kind = registry[inst.kind]!
        // Inputs must still match the hashes that enter the key (nobody edited them meanwhile).
        for ref in refs where Hashing.sha256(file: ref.path) != ref.sha256 {
            throw StageError("input \(ref.path) changed while the pipeline ran")
        }
        let key = key(inst, inputs: refs)
        let temps = finals.map { $0 + ".tmp-\(getpid())" }
        var artifacts: [String: [InputArtifact]] = [:]
        for ref in refs {
            artifacts[ref.slot, default: []].append(InputArtifact(
                stage: ref.stage, kind: "", path: ref.path, sha256: ref.sha256, key: ref.key,
                params: inputParams[ref.stage] ?? Params([]), sweep: inputSweeps[ref.stage] ?? []))
        }
        let id = inst.id
        let progress: @Sendable (Double, String) -> Void
        if showProgress {
            progress = { (f: Double, msg: String) in
                let pct = Int((f * 100).rounded())
                FileHandle.standardError.write(Data("\r  \(id): \(pct)% \(msg)\u{1B}[K".utf8))
                if f >= 1 { FileHandle.standardError.write(Data("\n".utf8)) }
            }
        } else {
            progress = { (_: Double, _: String) in }
        }
        var context = StageContext(stageID: id, params: inst.params, inputs: artifacts, outputPaths: temps,
                                   key: key, progress: progress)
        context.cores = CoreShare.machine
        for dir in Set(finals.map { ($0 as NSString).deletingLastPathComponent }) where !dir.isEmpty {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let start = Date()
        defer { for t in temps { try? FileManager.default.removeItem(atPath: t) } }
        var report: StageReport
        report = try CoreShare.machine.running {
            if let sharded = kind as? any ShardedStageKind {
                let dir = shardDir ?? (finals[0] + ".shards")
                // Its shards, not the stage, hold cores while they run.
                return try CoreShare.machine.aside {
                    try runShards(sharded, context: context, dir: dir, jobs: jobs, showProgress: showProgress)
                }
            }
            return try kind.run(context)
        }
        let end = Date()
        let provenance = ProvenanceBuilder.record(instance: inst, kind: kind, key: key, inputs: refs, code: code,
                                                  report: report, start: start, end: end)
        try kind.stamp(outputPaths: temps, provenance: provenance)
        for t in temps where !FileManager.default.fileExists(atPath: t) {
            throw StageError("stage kind \(inst.kind) did not write \(t)")
        }
        var outputs: [(path: String, sha256: String)] = []
        for t in temps {
            guard let sha = Hashing.sha256(file: t) else { throw StageError("cannot read back \(t)") }
            outputs.append((t, sha))
        }
        // Rename only once every output is complete and stamped.
        for (t, f) in zip(temps, finals) { try AtomicFile.rename(t, to: f) }
        if kind is any ShardedStageKind { try? FileManager.default.removeItem(atPath: shardDir ?? (finals[0] + ".shards")) }
        return Done(key: key, outputs: zip(finals, outputs).map { ($0, $1.sha256) }, end: end,
                    seconds: end.timeIntervalSince(start))
    }

    /// Runs the shards that are not on disk yet (at most `jobs` at once), round after round while
    /// the kind asks for more, then merges.
    func runShards(_ kind: any ShardedStageKind, context: StageContext, dir: String, jobs: Int,
                   showProgress: Bool) throws -> StageReport {
        let n = kind.shardCount(context.params)
        let maxRounds = max(1, kind.maxRounds(context.params))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var paths: [String] = []
        var reused = 0, rounds = 0
        for round in 0..<maxRounds {
            if round > 0, !(try kind.needsAnotherRound(context, shards: paths)) { break }
            let mine = (round * n ..< (round + 1) * n).map { k in
                maxRounds == 1 ? "\(dir)/\(context.key.prefix(16))-shard\(k + 1)of\(n).h5"
                               : "\(dir)/\(context.key.prefix(16))-round\(round + 1)-shard\(k - round * n + 1)of\(n).h5"
            }
            let label = maxRounds == 1 ? "shards" : "round \(round + 1), shards"
            reused += try runRound(kind, context: context, first: round * n, paths: mine, jobs: jobs, label: label)
            paths += mine
            rounds += 1
        }
        var report = try kind.merge(context, shards: paths)
        var info: [(String, JSONValue)] = [("count", .int(paths.count)), ("reused", .int(reused))]
        if maxRounds > 1 { info += [("rounds", .int(rounds)), ("max_rounds", .int(maxRounds))] }
        report.extra.append(("shards", .object(info)))
        return report
    }

    /// One round: the shards of `paths` (global indices from `first`) not yet on disk. Returns
    /// how many were already there.
    func runRound(_ kind: any ShardedStageKind, context: StageContext, first: Int, paths: [String], jobs: Int,
                  label: String) throws -> Int {
        let n = paths.count
        let missing = paths.indices.filter { !FileManager.default.fileExists(atPath: paths[$0]) }
        let errors = ShardErrors()
        let gate = DispatchSemaphore(value: max(1, jobs))
        let done = ShardErrors()
        DispatchQueue.concurrentPerform(iterations: missing.count) { i in
            gate.wait()
            defer { gate.signal() }
            CoreShare.machine.running {
                let k = missing[i]
                let tmp = paths[k] + ".tmp-\(getpid())"
                do {
                    try kind.runShard(context, shard: first + k, count: n, output: tmp)
                    try AtomicFile.rename(tmp, to: paths[k])
                    let finished = done.add("") + n - missing.count
                    context.progress(Double(finished) / Double(n), "\(label) (\(finished)/\(n), shard \(k + 1) done)")
                } catch {
                    try? FileManager.default.removeItem(atPath: tmp)
                    _ = errors.add("shard \(k + 1)/\(n): \(error)")
                }
            }
        }
        if let first = errors.messages.first { throw StageError(first) }
        return n - missing.count
    }
}

final class ShardErrors: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var messages: [String] = []
    func add(_ m: String) -> Int { lock.lock(); defer { lock.unlock() }; messages.append(m); return messages.count }
}
