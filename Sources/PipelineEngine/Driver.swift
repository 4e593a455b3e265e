import Foundation
import Logging

/// Options of one `run`.
public struct RunOptions: Sendable {
    public var jobs: Int
    public var targets: [String]
    public var dryRun: Bool
    public var showProgress: Bool
    /// Stage or template ids to rebuild even when fresh.
    public var force: [String]
    /// Hash every output instead of trusting matching stats.
    public var rehash: Bool
    /// Where stages run: nil for this process (the local executor), else e.g. a Slurm cluster.
    public var executor: (any StageExecutor)?
    public init(jobs: Int = 1, targets: [String] = [], dryRun: Bool = false, showProgress: Bool = false,
                force: [String] = [], rehash: Bool = false, executor: (any StageExecutor)? = nil) {
        self.jobs = jobs; self.targets = targets; self.dryRun = dryRun; self.showProgress = showProgress
        self.force = force; self.rehash = rehash; self.executor = executor
    }
}

/// What a run did.
public struct RunSummary: Sendable {
    public var ran: [String] = []
    public var failed: [(String, String)] = []
    public var skipped: [String] = []
    /// Stages that had to wait for a rebuilt input and turned out fresh (early cut-off).
    public var unchanged: [String] = []
    /// The plan's stages that were not fresh and within the targets, in order.
    public var planned: [PlannedStage] = []
    /// Files written by the stages that ran.
    public var written: [String] = []
}

/// Runs the stale stages of a pipeline: in dependency order, independent stages in parallel,
/// each writing to temporaries renamed into place, each leaving a record written last. What to
/// run comes from the `Planner`; the driver only schedules and executes.
public struct Driver: Sendable {
    public let pipeline: Pipeline
    public let registry: StageRegistry
    public let workspace: Workspace
    public var logger: Logger
    public let spec: SpecIdentity?

    public init(pipeline: Pipeline, registry: StageRegistry, workspace: Workspace,
                logger: Logger = Logger(label: "tlspipe"), spec: SpecIdentity? = nil) {
        self.pipeline = pipeline; self.registry = registry; self.workspace = workspace; self.logger = logger
        self.spec = spec ?? pipeline.identity
    }

    public var planner: Planner { Planner(pipeline: pipeline, registry: registry, workspace: workspace) }

    /// Instance ids named by `ids` (instance or sweep template ids); throws for an unknown one.
    public func resolve(_ ids: [String], option: String) throws -> Set<String> {
        var out = Set<String>()
        for t in ids {
            let matches = pipeline.instances.filter { $0.id == t || $0.templateID == t }.map(\.id)
            guard !matches.isEmpty else {
                throw SpecError(file: pipeline.file, path: "", message: "\(option) \(t): no such stage\(Suggest.phrase(t, among: pipeline.instances.map(\.templateID)))")
            }
            out.formUnion(matches)
        }
        return out
    }

    public func run(_ options: RunOptions) throws -> RunSummary {
        var wanted = Set(pipeline.instances.map(\.id))
        if !options.targets.isEmpty {
            wanted = []
            for id in try resolve(options.targets, option: "--target") { wanted.formUnion(pipeline.ancestors(of: id)) }
        }
        let forced = try resolve(options.force, option: "--force")
        var locks: [FolderLock] = []
        if !options.dryRun {
            try SafeFiles.ensureDirectory(workspace.dataDir)
            try SafeFiles.ensureDirectory(workspace.stateDir, noSymlinksBelow: workspace.dataDir)
            locks.append(try FolderLock(folder: workspace.stateDir, name: "lock", what: workspace.dataDir))
            if pipeline.instances.contains(where: { planner.outputFiles($0).contains { $0.folder == .figures } }) {
                try SafeFiles.ensureDirectory(workspace.figuresDir)
                locks.append(try FolderLock(folder: workspace.figuresDir, name: ".tlspipe-lock", what: workspace.figuresDir))
            }
        }
        defer { withExtendedLifetime(locks) {} }
        if !options.dryRun { removeLeftoverTemporaries() }

        let plan = planner.plan(files: DiskFiles(rehash: options.rehash), forced: forced)
        if !options.dryRun { refreshStats(plan) }
        let toRun = plan.stages.filter { !$0.fresh && wanted.contains($0.id) }
        var summary = RunSummary()
        summary.planned = toRun
        if options.dryRun || toRun.isEmpty { return summary }

        let code = CodeVersion.current()
        let cores = CoreShare()
        let state = SchedulerState(pending: toRun.map(\.id))
        let finished = DispatchSemaphore(value: 0)
        let total = toRun.count
        func report() {
            for (id, outcome) in state.drainReports() {
                switch outcome {
                case .success(let done?):
                    logger.info("done \(id) in \(String(format: "%.2f", done.seconds)) s")
                    for w in done.warnings { logger.warning("\(id): \(w)") }
                case .success(nil): logger.info("\(id) is fresh: its rebuilt inputs did not change")
                case .failure(let e): logger.error("FAILED \(id): \(SafeFiles.describe(e))")
                }
            }
        }
        while true {
            // Launch every ready stage while slots are free.
            let launch = state.takeReady(limit: max(1, options.jobs)) { id in
                pipeline.instance(id)!.dependencies.allSatisfy { !state.isPendingOrRunning($0) }
            } blocked: { id in
                pipeline.instance(id)!.dependencies.contains { state.hasFailed($0) }
            }
            for id in launch.skipped {
                logger.error("skipped \(id): an input failed")
            }
            for (n, id) in launch.started {
                logger.info("[\(n)/\(total)] \(id) (\(pipeline.instance(id)!.kind)) …")
                // A thread of its own, not the dispatch pool: a stage on a cluster waits for
                // hours, and hundreds may wait at once.
                let thread = Thread {
                    let result = Result { try runOne(id, code: code, cores: cores, forced: forced.contains(id), options: options) }
                    state.finish(id, result: result)
                    finished.signal()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            if state.isDone { break }
            finished.wait()
            report()
        }
        report()
        summary.ran = state.succeeded
        summary.written = state.written
        summary.failed = state.failures
        summary.skipped = state.skipped
        summary.unchanged = state.cutOff
        return summary
    }

    /// Fresh artifacts just verified by hash get their stat recorded, so later checks skip the hash.
    func refreshStats(_ plan: Plan) {
        for st in plan.stages where st.fresh && !st.rehashed.isEmpty {
            guard var record = RecordStore.read(workspace, st.id) else { continue }
            for k in record.outputs.indices {
                let path = workspace.path(of: record.outputs[k].file)
                if st.rehashed.contains(path) { record.outputs[k].stat = FileStat.of(path) }
            }
            try? RecordStore.write(workspace, record)
        }
    }

    /// Temporaries of a killed run (only names of the engine's own shape), removed under the locks.
    func removeLeftoverTemporaries() {
        var dirs = [workspace.dataDir, workspace.figuresDir, workspace.recordsDir]
        if SafeFiles.isRealDirectory(workspace.shardsDir) {
            dirs += ((try? FileManager.default.contentsOfDirectory(atPath: workspace.shardsDir)) ?? []).map { workspace.shardsDir + "/" + $0 }
        }
        for dir in dirs { SafeFiles.removeEngineTemporaries(in: dir) }
    }

    /// Runs one stage: asks the planner again now that its inputs are built (nil: fresh after
    /// all, the early cut-off), then runs it here or through the run's executor.
    func runOne(_ id: String, code: CodeVersion, cores: CoreShare, forced: Bool, options: RunOptions) throws -> StageExecution.Done? {
        guard let stage = try prepare(id, forced: forced, rehash: options.rehash) else { return nil }
        if let executor = options.executor { return try executor.execute(stage, driver: self, options: options) }
        let execution: [(String, JSONValue)] = [("executor", .string("local")), ("jobs", .int(options.jobs))]
        return try executeLocally(stage, code: code, cores: cores, jobs: options.jobs, execution: execution,
                                  progress: ProgressLine.make(id: id, enabled: options.showProgress))
    }

    /// The stage as it must run now (its inputs' records, its key), or nil if it is fresh.
    public func prepare(_ id: String, forced: Bool = false, rehash: Bool = false) throws -> PreparedStage? {
        guard let inst = pipeline.instance(id) else { throw StageError("no stage \(id) in \(pipeline.file)") }
        let verdict = planner.decide(inst, own: RecordStore.load(workspace, id), files: DiskFiles(rehash: rehash),
                                     forced: forced) { dep in (true, RecordStore.read(workspace, dep)) }
        if verdict.fresh { return nil }
        var inputs: [StageExecution.Input] = []
        for (slot, ids) in inst.inputs {
            for dep in ids {
                guard let r = RecordStore.read(workspace, dep), let primary = r.outputs.first else {
                    throw StageError("input \(dep) of \(id) has no record")
                }
                let ref = InputRef(slot: slot, stage: dep, key: r.key, content: r.content, sha256: primary.sha256,
                                   path: workspace.path(of: primary.file))
                inputs.append(.init(ref: ref, lineage: Params(r.lineage.objectMembers ?? [])))
            }
        }
        guard let kind = registry[inst.kind] else { throw StageError("unknown stage kind \(inst.kind)") }
        let key = StageKey.compute(kind: inst.kind, version: kind.version, params: inst.resultParams, inputs: inputs.map(\.ref))
        return PreparedStage(instance: inst, inputs: inputs, key: key, finals: planner.outputPaths(inst),
                             shardDir: workspace.shardsDir + "/" + id, sharded: kind is any ShardedStageKind)
    }

    /// The request by which a prepared stage (or one of its shards) runs through `StageExecution`.
    public func request(_ stage: PreparedStage, code: CodeVersion, jobs: Int, execution: [(String, JSONValue)],
                        progress: @escaping @Sendable (Double, String) -> Void) -> StageExecution.Request {
        var request = StageExecution.Request(
            instance: stage.instance, inputs: stage.inputs, finals: stage.finals, code: code, spec: spec,
            progress: progress, shardDir: stage.shardDir, shardRoot: workspace.stateDir, jobs: jobs, execution: execution)
        let logger = self.logger
        request.note = { logger.info("\($0)") }
        return request
    }

    /// Runs a prepared stage in this process: the shared execution path, then the record, written last.
    public func executeLocally(_ stage: PreparedStage, code: CodeVersion, cores: CoreShare, jobs: Int,
                               execution: [(String, JSONValue)],
                               progress: @escaping @Sendable (Double, String) -> Void = { _, _ in }) throws -> StageExecution.Done {
        let inst = stage.instance
        let done = try StageExecution(registry: registry, cores: cores)
            .execute(request(stage, code: code, jobs: jobs, execution: execution, progress: progress))
        let files = planner.outputFiles(inst)
        var record = StageRecord(
            stage: inst.id, kind: inst.kind, version: registry[inst.kind]!.version, key: done.key, params: inst.resultParams.json,
            lineage: done.lineage.json, inputs: stage.inputs.map(\.ref),
            outputs: zip(files, done.outputs).map { RecordedOutput(file: $0, sha256: $1.sha256, stat: FileStat.of($1.path)) },
            content: done.content, finished: Clock.iso8601(done.end))
        record.execution = .object(execution + inst.params.values.filter { n, _ in inst.resultParams[n] == nil })
        try RecordStore.write(workspace, record)
        return done
    }

    /// What a stage run elsewhere (a cluster job) left: its record, if it is the one `stage`
    /// asked for and its outputs are intact; nil otherwise.
    public func completed(_ stage: PreparedStage, seconds: Double) -> StageExecution.Done? {
        guard let r = RecordStore.read(workspace, stage.instance.id), r.key == stage.key,
              prepared(stage.instance.id) == nil else { return nil }
        let outputs = r.outputs.map { (path: workspace.path(of: $0.file), sha256: $0.sha256) }
        return StageExecution.Done(key: r.key, outputs: outputs, content: r.content, lineage: Params(r.lineage.objectMembers ?? []),
                                   end: Date(), seconds: seconds)
    }

    /// `prepare` without throwing: nil when the stage is fresh (or cannot be prepared).
    func prepared(_ id: String) -> PreparedStage? { (try? prepare(id)) ?? nil }
}

/// A stage instance that must run, with its inputs as they are now and the key it will have:
/// what any executor needs (this process, or a cluster node through `tlspipe exec-stage`).
public struct PreparedStage: Sendable {
    public let instance: StageInstance
    public let inputs: [StageExecution.Input]
    public let key: String
    public let finals: [String]
    public let shardDir: String
    public let sharded: Bool
}

/// Runs prepared stages somewhere other than this process (a cluster). It returns once the
/// stage's record is written, or throws why it could not be.
public protocol StageExecutor: Sendable {
    var name: String { get }
    func execute(_ stage: PreparedStage, driver: Driver, options: RunOptions) throws -> StageExecution.Done
}

/// A one-line progress display on a terminal (stderr), or nothing.
enum ProgressLine {
    static func make(id: String, enabled: Bool) -> @Sendable (Double, String) -> Void {
        guard enabled else { return { _, _ in } }
        let state = ProgressState()
        return { f, msg in
            guard let elapsed = state.due(final: f >= 1) else { return }
            let width = 20, filled = min(width, max(0, Int((f * Double(width)).rounded(.down))))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let eta = f > 0.005 && f < 1 ? ", " + duration(elapsed * (1 - f) / f) + " left" : ""
            FileHandle.standardError.write(Data("\r  \(id) \(bar) \(Int((f * 100).rounded(.down)))% \(msg) (\(duration(elapsed))\(eta))\u{1B}[K".utf8))
            if f >= 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }

    static func duration(_ s: Double) -> String {
        s < 90 ? String(format: "%.0f s", s) : s < 5400 ? String(format: "%.0f min", s / 60) : String(format: "%.1f h", s / 3600)
    }
}

/// Redraws at most ten times a second (a fast stage reports thousands of steps).
final class ProgressState: @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date()
    private var last = Date.distantPast

    /// Seconds since the start if the bar should be redrawn now, else nil.
    func due(final: Bool) -> Double? {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard final || now.timeIntervalSince(last) >= 0.1 else { return nil }
        last = now
        return now.timeIntervalSince(start)
    }
}

/// Mutable scheduling state shared between the driver and its worker threads.
final class SchedulerState: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [String]
    private var running = Set<String>()
    private var failed = Set<String>()
    private(set) var succeeded: [String] = []
    private(set) var written: [String] = []
    private(set) var failures: [(String, String)] = []
    private(set) var skipped: [String] = []
    private(set) var cutOff: [String] = []
    private var reports: [(String, Result<StageExecution.Done?, Error>)] = []
    private(set) var startedCount = 0

    init(pending: [String]) { self.pending = pending }

    func isPendingOrRunning(_ id: String) -> Bool {
        // Called from inside takeReady, which already holds the lock.
        pending.contains(id) || running.contains(id) || failed.contains(id)
    }

    func hasFailed(_ id: String) -> Bool { failed.contains(id) }

    func takeReady(limit: Int, ready: (String) -> Bool, blocked: (String) -> Bool) -> (started: [(Int, String)], skipped: [String]) {
        lock.lock(); defer { lock.unlock() }
        var started: [(Int, String)] = []
        var skippedNow: [String] = []
        var changed = true
        while changed {
            changed = false
            for id in pending where blocked(id) {
                pending.removeAll { $0 == id }
                failed.insert(id)
                skipped.append(id)
                skippedNow.append(id)
                changed = true
            }
        }
        for id in pending where running.count < limit && ready(id) {
            pending.removeAll { $0 == id }
            running.insert(id)
            startedCount += 1
            started.append((startedCount, id))
        }
        return (started, skippedNow)
    }

    func finish(_ id: String, result: Result<StageExecution.Done?, Error>) {
        lock.lock(); defer { lock.unlock() }
        running.remove(id)
        switch result {
        case .success(nil): cutOff.append(id)
        case .success(let done?): succeeded.append(id); written += done.outputs.map(\.path)
        case .failure(let e): failed.insert(id); failures.append((id, SafeFiles.describe(e)))
        }
        reports.append((id, result))
    }

    func drainReports() -> [(String, Result<StageExecution.Done?, Error>)] {
        lock.lock(); defer { lock.unlock() }
        let r = reports
        reports = []
        return r
    }

    var isDone: Bool {
        lock.lock(); defer { lock.unlock() }
        return running.isEmpty && pending.isEmpty
    }
}
