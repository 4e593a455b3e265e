import Foundation

/// One line of `squeue -r` (array tasks one per line).
public struct QueuedJob: Sendable, Equatable {
    /// "123" or, for an array task, "123_4".
    public let id: String
    /// The job id, or the array's job id for a task.
    public let jobID: String
    public let task: Int?
    public let name: String
    /// PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, …
    public let state: String
    public let reason: String
    public let node: String
    /// Only from accounting (sacct); squeue does not show it.
    public var exitCode: Int? = nil

    /// Slurm's end states; any other state is a job still queued or running.
    public static let endStates: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY",
                                                 "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "REVOKED"]
    public var ended: Bool { Self.endStates.contains(state) }

    /// The format handed to squeue, and its parser (fields cannot contain "|": job names are ours).
    static let format = "%i|%F|%K|%j|%T|%r|%N"
    static func parse(line: Substring) -> QueuedJob? {
        let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 7 else { return nil }
        // CANCELLED jobs read "CANCELLED by 0" in some versions: keep the state word.
        let state = String(f[4].split(separator: " ").first ?? "")
        return QueuedJob(id: f[0], jobID: f[1], task: Int(f[2]), name: f[3], state: state, reason: f[5], node: f[6])
    }

    /// A line of `sacct --parsable2 --format=JobID,JobName,State,ExitCode,NodeList`.
    static func parse(accounting line: Substring) -> QueuedJob? {
        let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 5 else { return nil }
        let parts = f[0].split(separator: "_")
        let state = String(f[2].split(separator: " ").first ?? "")
        var job = QueuedJob(id: f[0], jobID: String(parts[0]), task: parts.count == 2 ? Int(parts[1]) : nil, name: f[1],
                            state: state, reason: "None", node: f[4])
        job.exitCode = Int(f[3].split(separator: ":").first ?? "")
        return job
    }
}

/// The queue as this user's jobs stand, read with one `squeue` call at most every `poll`
/// seconds however many stages wait on it. Ended jobs stay visible for Slurm's MinJobAge.
public final class SlurmQueue: @unchecked Sendable {
    let commands: SlurmCommands
    let poll: Double
    private let lock = NSLock()
    private var cached: [QueuedJob] = []
    private var readAt = Date.distantPast

    public init(commands: SlurmCommands, poll: Double) { self.commands = commands; self.poll = poll }

    /// This user's jobs, at most `poll` seconds old (fresh: read now).
    public func jobs(fresh: Bool = false) throws -> [QueuedJob] {
        lock.lock(); defer { lock.unlock() }
        if !fresh && Date().timeIntervalSince(readAt) < poll { return cached }
        let out = try commands.run("squeue", ["--noheader", "--array", "--states=all", "--me", "--format=" + QueuedJob.format])
        guard out.status == 0 else { throw SlurmError("squeue failed: \(out.firstError)") }
        cached = out.stdout.split(separator: "\n").compactMap { QueuedJob.parse(line: $0) }
        readAt = Date()
        return cached
    }

    /// Jobs as Slurm's accounting remembers them, for jobs that already left the queue; nil
    /// when accounting is off (then the job's exit file is all there is).
    public func accounting(_ ids: [String]) -> [QueuedJob]? {
        guard !ids.isEmpty, SlurmCommands.which("sacct") != nil,
              let out = try? commands.run("sacct", ["--noheader", "--parsable2", "--allocations", "--jobs=" + ids.joined(separator: ","),
                                                    "--format=JobID,JobName,State,ExitCode,NodeList"]),
              out.status == 0 else { return nil }
        return out.stdout.split(separator: "\n").compactMap { QueuedJob.parse(accounting: $0) }
    }

    /// Forget the cached view (after a submission, so the next read sees the new job).
    public func invalidate() { lock.lock(); readAt = .distantPast; lock.unlock() }
}
