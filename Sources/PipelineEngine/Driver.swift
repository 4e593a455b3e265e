import Foundation
import Logging

/// Options of one `run`.
public struct RunOptions: Sendable {
    public var jobs: Int
    public var targets: [String]
    public var dryRun: Bool
    public var showProgress: Bool
    public init(jobs: Int = 1, targets: [String] = [], dryRun: Bool = false, showProgress: Bool = false) {
        self.jobs = jobs; self.targets = targets; self.dryRun = dryRun; self.showProgress = showProgress
    }
}

/// What a run did.
public struct RunSummary: Sendable {
    public var ran: [String] = []
    public var failed: [(String, String)] = []
    public var skipped: [String] = []
    /// Planned stages found fresh after their inputs were rebuilt identically.
    public var unchanged: [String] = []
    public var planned: [(String, [String])] = []
}

/// Runs the stale stages of a pipeline: in dependency order, independent stages in parallel,
/// each writing to temporary files renamed into place, each leaving a record written last.
public struct Driver: Sendable {
    public let pipeline: Pipeline
    public let registry: StageRegistry
    public let workspace: Workspace
    public let logger: Logger

    public init(pipeline: Pipeline, registry: StageRegistry, workspace: Workspace,
                logger: Logger = Logger(label: "tlspipe")) {
        self.pipeline = pipeline; self.registry = registry; self.workspace = workspace; self.logger = logger
    }

    public var checker: StalenessChecker { StalenessChecker(pipeline: pipeline, registry: registry, workspace: workspace) }

    public func run(_ options: RunOptions) throws -> RunSummary {
        for t in options.targets where pipeline.instance(t) == nil && !pipeline.instances.contains(where: { $0.templateID == t }) {
            throw SpecError(file: pipeline.file, path: "", message: "--target \(t): no such stage")
        }
        let lock = try options.dryRun ? nil : FolderLock(folder: workspace.stateDir)
        defer { withExtendedLifetime(lock) {} }
        if !options.dryRun { removeLeftoverTemporaries() }

        let statuses = checker.statuses()
        if !options.dryRun { refreshStats(statuses) }
        var wanted = Set(pipeline.instances.map(\.id))
        if !options.targets.isEmpty {
            wanted = []
            for inst in pipeline.instances where options.targets.contains(inst.id) || options.targets.contains(inst.templateID) {
                wanted.formUnion(pipeline.ancestors(of: inst.id))
            }
        }
        let toRun = statuses.filter { !$0.fresh && wanted.contains($0.id) }
        var summary = RunSummary()
        summary.planned = toRun.map { ($0.id, $0.reasons) }
        if options.dryRun || toRun.isEmpty { return summary }

        let code = CodeVersion.current()
        for dir in [workspace.dataDir, workspace.figuresDir] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let state = SchedulerState(pending: toRun.map(\.id))
        let finished = DispatchSemaphore(value: 0)
        let total = toRun.count
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
                DispatchQueue.global().async {
                    let result = Result { try runOne(id, code: code, showProgress: options.showProgress, jobs: options.jobs) }
                    state.finish(id, result: result)
                    finished.signal()
                }
            }
            if state.isDone { break }
            finished.wait()
            for (id, outcome) in state.drainReports() {
                switch outcome {
                case .success(let seconds?): logger.info("done \(id) in \(String(format: "%.2f", seconds)) s")
                case .success(nil): logger.info("\(id) is fresh: its rebuilt inputs did not change")
                case .failure(let e): logger.error("FAILED \(id): \(e)")
                }
            }
        }
        for (id, outcome) in state.drainReports() {
            switch outcome {
            case .success(let seconds?): logger.info("done \(id) in \(String(format: "%.2f", seconds)) s")
            case .success(nil): logger.info("\(id) is fresh: its rebuilt inputs did not change")
            case .failure(let e): logger.error("FAILED \(id): \(e)")
            }
        }
        summary.ran = state.succeeded
        summary.failed = state.failures
        summary.skipped = state.skipped
        summary.unchanged = state.cutOff
        return summary
    }

    /// Fresh artifacts just verified by hash get their stat recorded, so later checks skip the hash.
    func refreshStats(_ statuses: [InstanceStatus]) {
        for st in statuses where st.fresh {
            guard var record = RecordStore.read(workspace, st.id) else { continue }
            var changed = false
            for o in record.outputs {
                let now = FileStat.of(o.path)
                if record.stats[o.path] != now { record.stats[o.path] = now; changed = true }
            }
            if changed { try? RecordStore.write(workspace, record) }
        }
    }

    /// Temporary files of a killed run: never mistaken for artifacts, removed under the lock.
    func removeLeftoverTemporaries() {
        let shardRoot = workspace.stateDir + "/shards"
        let shardDirs = ((try? FileManager.default.contentsOfDirectory(atPath: shardRoot)) ?? []).map { shardRoot + "/" + $0 }
        for dir in [workspace.dataDir, workspace.figuresDir, workspace.recordsDir] + shardDirs {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names where name.contains(".tmp-") {
                try? FileManager.default.removeItem(atPath: dir + "/" + name)
            }
        }
    }

    /// Runs one stage of the pipeline: key from the current input records, then the shared
    /// execution path, then the record, written last.
    /// Returns nil when the stage turned out fresh once its rebuilt inputs came out byte-identical
    /// (early cut-off: its key did not change).
    func runOne(_ id: String, code: CodeVersion, showProgress: Bool, jobs: Int) throws -> Double? {
        let inst = pipeline.instance(id)!
        var records: [String: StageRecord] = [:]
        for dep in inst.dependencies { records[dep] = RecordStore.read(workspace, dep) }
        guard let refs = checker.inputRefs(inst, records: records) else {
            throw StageError("an input of \(id) has no record")
        }
        if let mine = RecordStore.read(workspace, id), mine.key == checker.key(of: inst, inputs: refs),
           checker.artifactProblems(paths: checker.outputPaths(inst), record: mine).isEmpty {
            return nil
        }
        var inputParams: [String: Params] = [:]
        var inputSweeps: [String: [(String, JSONValue)]] = [:]
        for ref in refs {
            inputParams[ref.stage] = pipeline.instance(ref.stage)!.params
            inputSweeps[ref.stage] = pipeline.instance(ref.stage)!.sweepValues
        }
        let done = try StageExecution(registry: registry).execute(
            inst, inputs: refs, inputParams: inputParams, inputSweeps: inputSweeps, finals: checker.outputPaths(inst),
            code: code, showProgress: showProgress,
            shardDir: workspace.stateDir + "/shards/" + id, jobs: jobs)
        var record = StageRecord(stage: id, kind: inst.kind, version: registry[inst.kind]!.version, key: done.key,
                                 params: inst.params.json, inputs: refs, outputs: done.outputs,
                                 finished: Clock.iso8601(done.end))
        for o in done.outputs { record.stats[o.path] = FileStat.of(o.path) }
        try RecordStore.write(workspace, record)
        return done.seconds
    }

}

/// Mutable scheduling state shared between the driver and its worker threads.
final class SchedulerState: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [String]
    private var running = Set<String>()
    private var failed = Set<String>()
    private(set) var succeeded: [String] = []
    private(set) var failures: [(String, String)] = []
    private(set) var skipped: [String] = []
    private(set) var cutOff: [String] = []
    private var reports: [(String, Result<Double?, Error>)] = []
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

    func finish(_ id: String, result: Result<Double?, Error>) {
        lock.lock(); defer { lock.unlock() }
        running.remove(id)
        switch result {
        case .success(nil): cutOff.append(id)
        case .success: succeeded.append(id)
        case .failure(let e): failed.insert(id); failures.append((id, "\(e)"))
        }
        reports.append((id, result))
    }

    func drainReports() -> [(String, Result<Double?, Error>)] {
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
