import Foundation
import Logging
import PipelineEngine

/// Runs stages as Slurm jobs. The driver stays the scheduler: it submits a stage when its
/// inputs are built (not a whole DAG chained with afterok up front), because whether a stage
/// runs at all is decided only then (early cut-off: a rebuilt input with identical content
/// leaves it fresh), and its key, which the job checks, depends on its inputs' content. Within
/// one stage the chain is Slurm's: a sharded stage is one job array (a task per missing shard)
/// and its merge job waits on it with `afterok`.
///
/// On the node every job runs `tlspipe exec-stage`, the local executor's own code path, into the
/// shared data folder (temporaries renamed into place; the record written last). Jobs are named
/// after the data folder and the stage key, so a driver started again finds the jobs a killed
/// one left in the queue and waits for them instead of submitting them twice.
public final class SlurmExecutor: StageExecutor, @unchecked Sendable {
    public let name = "slurm"
    public let profile: SlurmProfile
    let commands: SlurmCommands
    let queue: SlurmQueue
    /// The tlspipe binary the jobs run (on a shared file system on a real cluster).
    let tool: String
    let spec: String
    let workspace: Workspace
    let workingDirectory: String
    let book: JobBook
    let logger: Logger
    private let lock = NSLock()
    private var mine: [String] = []

    /// Checks that Slurm's commands are there (a missing sbatch is a usage error, exit 2).
    public init(profile: SlurmProfile, tool: String, spec: String, workspace: Workspace, logger: Logger) throws {
        for command in ["sbatch", "squeue", "scancel"] where SlurmCommands.which(command) == nil {
            throw SlurmError("--executor slurm: \(command) not found on PATH (load the site's Slurm module, or run with --executor local)")
        }
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        self.profile = profile
        self.commands = SlurmCommands()
        self.queue = SlurmQueue(commands: commands, poll: profile.pollSeconds)
        self.tool = absolute(tool)
        self.spec = absolute(spec)
        self.workspace = Workspace(dataDir: absolute(workspace.dataDir), figuresDir: absolute(workspace.figuresDir))
        self.workingDirectory = cwd
        self.book = JobBook(workspace: workspace)
        self.logger = logger
    }

    /// Job ids this driver submitted or re-attached to (what Ctrl-C offers to cancel).
    public var submitted: [String] { lock.lock(); defer { lock.unlock() }; return mine }

    /// Those of `submitted` still queued or running.
    public func activeSubmitted() -> [String] {
        let ids = Set(submitted)
        guard let jobs = try? queue.jobs(fresh: true) else { return Array(ids).sorted() }
        return Array(Set(jobs.filter { ids.contains($0.jobID) && !$0.ended }.map(\.jobID))).sorted()
    }

    /// Cancels the given jobs (whole arrays); returns scancel's complaint, if any.
    public func cancel(_ ids: [String]) -> String? {
        guard !ids.isEmpty else { return nil }
        let out = try? commands.run("scancel", ids)
        return out.map { $0.status == 0 ? nil : $0.firstError } ?? "scancel could not start"
    }

    /// Job names: the data folder's and the stage key's, so that they find each other again.
    func jobName(_ stage: PreparedStage, role: String) -> String {
        "tlspipe-\(FileDigest.sha256(text: workspace.dataDir).prefix(8))-\(stage.key.prefix(16))-\(role)"
    }

    public func execute(_ stage: PreparedStage, driver: Driver, options: RunOptions) throws -> StageExecution.Done {
        let start = Date()
        let shardsName = jobName(stage, role: "shards"), stageName = jobName(stage, role: "stage")
        let queued = try queue.jobs(fresh: true).filter { !$0.ended && ($0.name == shardsName || $0.name == stageName) }
        var watch = Set<String>()
        func attach(_ job: QueuedJob, _ what: String) {
            watch.insert(job.jobID)
            remember(job.jobID)
            logger.info("\(stage.instance.id): re-attached to Slurm job \(job.jobID) (\(what), \(job.state.lowercased()))")
        }
        if let running = queued.first(where: { $0.name == stageName }) {
            attach(running, stage.sharded ? "merge" : "stage")
            if let array = queued.first(where: { $0.name == shardsName }) { attach(array, "shards") }
        } else {
            var dependency: String? = nil
            if stage.sharded {
                if let array = queued.first(where: { $0.name == shardsName }) {
                    attach(array, "shards")
                    dependency = array.jobID
                } else {
                    let request = driver.request(stage, code: CodeVersion.current(), jobs: 1, execution: [], progress: { _, _ in })
                    let (missing, n) = StageExecution(registry: driver.registry, cores: CoreShare(cores: 1)).missingShards(request, key: stage.key)
                    if !missing.isEmpty {
                        let id = try submit(stage, driver: driver, name: shardsName, role: "shards", tasks: missing, dependency: nil)
                        logger.info("\(stage.instance.id): submitted shards as Slurm job array \(id) (\(missing.count) of \(n) tasks)")
                        watch.insert(id)
                        dependency = id
                    }
                }
            }
            let id = try submit(stage, driver: driver, name: stageName, role: "stage", tasks: [], dependency: dependency)
            logger.info("\(stage.instance.id): submitted as Slurm job \(id)\(dependency.map { " (merge, after \($0))" } ?? "")")
            watch.insert(id)
        }
        var ended = try wait(for: watch, stage: stage.instance.id)
        if let done = driver.completed(stage, seconds: Date().timeIntervalSince(start)) { return done }
        // Jobs that left the queue before we saw them end: ask accounting, when it is on.
        let gone = watch.filter { id in !ended.contains { $0.jobID == id } }
        if !gone.isEmpty, let remembered = queue.accounting(gone.sorted()) { ended += remembered }
        throw SlurmError(failure(ended, stage: stage))
    }

    func remember(_ id: String) { lock.lock(); if !mine.contains(id) { mine.append(id) }; lock.unlock() }

    /// One `sbatch`: the job script on stdin, resources from the kind and the profile.
    func submit(_ stage: PreparedStage, driver: Driver, name: String, role: String, tasks: [Int], dependency: String?) throws -> String {
        let inst = stage.instance
        let settings = profile.kinds[inst.kind] ?? .init()
        let cpus = settings.cpusPerTask ?? profile.cpusPerTask
        // A shard task holds one shard; a stage job (or a merge, which may run further rounds
        // itself) holds as many shards at once as it has cores.
        let kind = driver.registry[inst.kind]
        let estimate: Double
        if let sharded = kind as? any ShardedStageKind {
            estimate = sharded.sizesPerShard(inst.params).map(\.bytes).reduce(0, +) * Double(role == "shards" ? 1 : cpus)
        } else {
            estimate = kind?.sizes(inst.params).map(\.bytes).reduce(0, +) ?? 0
        }
        let memory = Self.memoryMiB(estimate: estimate, override: settings.memory)
        try SafeFiles.ensureDirectory(book.logs)
        try SafeFiles.ensureDirectory(book.exits)
        var args = ["--parsable", "--job-name=\(name)", "--chdir=\(workingDirectory)",
                    "--output=\(book.logs)/\(name)-\(tasks.isEmpty ? "%j" : "%A_%a").log",
                    "--cpus-per-task=\(cpus)", "--mem=\(memory)M"]
        if let time = settings.time ?? profile.time { args.append("--time=\(time)") }
        if let p = profile.partition { args.append("--partition=\(p)") }
        if let a = profile.account { args.append("--account=\(a)") }
        if let q = profile.qos { args.append("--qos=\(q)") }
        if !tasks.isEmpty { args.append("--array=\(Self.ranges(tasks))") }
        if let dependency { args += ["--dependency=afterok:\(dependency)", "--kill-on-invalid-dep=yes"] }
        args += profile.sbatchOptions
        let out = try commands.run("sbatch", args, input: script(stage, shardFromArray: !tasks.isEmpty))
        guard out.status == 0 else { throw SlurmError("sbatch refused \(inst.id) (\(role)): \(out.firstError)") }
        // --parsable prints "jobid" or "jobid;cluster".
        guard let id = out.stdout.split(separator: "\n").first.map({ String($0.split(separator: ";")[0]) }),
              !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmError("sbatch gave no job id for \(inst.id): \(out.stdout.prefix(200))")
        }
        remember(id)
        lock.lock(); defer { lock.unlock() }
        try book.append([.init(stage: inst.id, key: stage.key, job: id, role: role, tasks: tasks, name: name,
                               submitted: Self.timestamp(Date()))])
        queue.invalidate()
        return id
    }

    /// The job script: the same code path as a local run, and its exit code in a file (how a
    /// job's end is known when accounting is off and the job has left the queue).
    func script(_ stage: PreparedStage, shardFromArray: Bool) -> String {
        var command = [tool, "exec-stage", spec, "--stage", stage.instance.id, "--key", stage.key,
                       "--data-dir", workspace.dataDir, "--figures-dir", workspace.figuresDir].map(Self.quote)
        if shardFromArray { command += ["--shard", "\"$SLURM_ARRAY_TASK_ID\""] }
        return """
        #!/bin/sh
        # tlspipe: stage \(stage.instance.id) (\(stage.instance.kind)) of \(spec), key \(stage.key)
        \(command.joined(separator: " "))
        code=$?
        task=${SLURM_ARRAY_TASK_ID:+${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID}
        echo "$code" > \(Self.quote(book.exits))/"${task:-$SLURM_JOB_ID}"
        exit "$code"

        """
    }

    /// Waits until every watched job (and array task) has left the running states; returns the
    /// last view of them.
    func wait(for ids: Set<String>, stage: String) throws -> [QueuedJob] {
        var seen: [String: String] = [:]
        var tasksDone = 0
        var failingSince: Date? = nil
        while true {
            let jobs: [QueuedJob]
            do {
                jobs = try queue.jobs()
                failingSince = nil
            } catch {
                // The controller may be restarting: keep waiting, but not forever.
                let since = failingSince ?? Date()
                failingSince = since
                if Date().timeIntervalSince(since) > 600 { throw SlurmError("\(stage): cannot read the queue for 10 minutes: \(error)") }
                logger.warning("\(stage): \(error); retrying")
                Thread.sleep(forTimeInterval: max(profile.pollSeconds, 5))
                continue
            }
            let watched = jobs.filter { ids.contains($0.jobID) }
            for j in watched where seen[j.id] != j.state && j.task == nil {
                if j.state == "RUNNING" { logger.info("\(stage): Slurm job \(j.id) running on \(j.node)") }
            }
            // Arrays: one line each time more of their tasks are done (a long run shows progress).
            let tasks = watched.filter { $0.task != nil }
            let finished = tasks.filter(\.ended).count
            if !tasks.isEmpty && finished != tasksDone && finished > 0 {
                tasksDone = finished
                let running = tasks.filter { $0.state == "RUNNING" }.count
                logger.info("\(stage): \(finished)/\(tasks.count) shard tasks ended, \(running) running")
            }
            for j in watched { seen[j.id] = j.state }
            if watched.allSatisfy(\.ended) { return watched }
            Thread.sleep(forTimeInterval: profile.pollSeconds)
        }
    }

    /// Why a stage's jobs left no fresh record: Slurm's state and the tail of the job's log.
    func failure(_ ended: [QueuedJob], stage: PreparedStage) -> String {
        // The job that failed first: an array task, not the merge Slurm cancelled after it.
        let bad = ended.filter { $0.state != "COMPLETED" }
        let culprit = bad.first { $0.task != nil } ?? bad.first ?? ended.first
        guard let job = culprit else {
            return "its Slurm job left the queue without a record (see \(book.logs))"
        }
        var text = "Slurm job \(job.id) \(job.state)"
        if !["None", "", "NonZeroExitCode"].contains(job.reason) { text += " (\(job.reason))" }
        if let code = job.exitCode ?? exitCode(of: job) { text += ", exit \(code)" }
        if !job.node.isEmpty { text += " on \(job.node)" }
        if job.state == "COMPLETED" { text += " but left no fresh record (did the spec or an input change meanwhile?)" }
        let log = job.task != nil ? "\(book.logs)/\(job.name)-\(job.jobID)_\(job.task!).log" : "\(book.logs)/\(job.name)-\(job.jobID).log"
        if let tail = Self.tail(of: log), !tail.isEmpty { text += ": " + tail }
        return text + " (log: \(log))"
    }

    /// The exit code the job script wrote (absent when Slurm killed the job).
    func exitCode(of job: QueuedJob) -> Int? {
        // Named "123" for a job, "123_4" for an array task (as squeue prints them).
        for name in [job.id] {
            if let data = try? SafeFiles.readRegular("\(book.exits)/\(name)", noFollow: true, limit: 64),
               let n = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) { return n }
        }
        return nil
    }

    /// The last lines of a job's log that say something (an error line, usually).
    static func tail(of path: String, lines: Int = 3) -> String? {
        guard let data = try? SafeFiles.readRegular(path, noFollow: true, limit: 64 << 20) else { return nil }
        let text = String(decoding: data.suffix(16384), as: UTF8.self)
        let kept = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return kept.suffix(lines).joined(separator: " | ")
    }

    /// Memory to ask for, in MiB: the kind's estimate of its largest allocations with a quarter
    /// spare, plus 512 MiB for the process itself; or the profile's figure for the kind.
    static func memoryMiB(estimate: Double, override: Double?) -> Int {
        if let override { return max(1, Int((override / 1_048_576).rounded(.up))) }
        return Int((estimate * 1.25 / 1_048_576).rounded(.up)) + 512
    }

    /// "0-3,7,9-10": sbatch's array syntax for a set of task indices.
    static func ranges(_ tasks: [Int]) -> String {
        var parts: [String] = []
        var k = 0
        let t = tasks.sorted()
        while k < t.count {
            var j = k
            while j + 1 < t.count && t[j + 1] == t[j] + 1 { j += 1 }
            parts.append(j == k ? "\(t[k])" : "\(t[k])-\(t[j])")
            k = j + 1
        }
        return parts.joined(separator: ",")
    }

    static func timestamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    /// A POSIX shell word.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
