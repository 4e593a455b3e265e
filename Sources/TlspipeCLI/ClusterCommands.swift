import ArgumentParser
import Foundation
import PipelineEngine
import SlurmExecutor

/// Where `run` sends its stages, and the site's Slurm settings (never part of the spec).
struct ClusterOptions: ParsableArguments {
    @Option(help: "local (this machine) or slurm (one job per stage, one job array per sharded stage).") var executor: String = "local"
    @Option(help: "Slurm site settings (JSON: partition, account, qos, time, cpus_per_task, sbatch_options, kinds).") var slurmProfile: String?
    @Option(help: "Slurm partition (overrides the profile).") var partition: String?
    @Option(help: "Slurm account (overrides the profile).") var account: String?
    @Option(help: "Slurm QOS (overrides the profile).") var qos: String?
    @Option(help: "Slurm time limit of every job, e.g. 02:00:00 (overrides the profile).") var timeLimit: String?
    @Option(name: .customLong("sbatch-option"), help: "Extra sbatch option, e.g. --sbatch-option=--constraint=avx2; repeatable.") var sbatchOptions: [String] = []

    func useSlurm() throws -> Bool {
        switch executor {
        case "local":
            let given = [("--slurm-profile", slurmProfile), ("--partition", partition), ("--account", account), ("--qos", qos),
                         ("--time-limit", timeLimit)].filter { $0.1 != nil }.map(\.0) + (sbatchOptions.isEmpty ? [] : ["--sbatch-option"])
            if let first = given.first { throw CLIFailure(code: 2, message: "\(first): only with --executor slurm") }
            return false
        case "slurm": return true
        default: throw CLIFailure(code: 2, message: "--executor \(executor): expected local or slurm")
        }
    }

    func profile() throws -> SlurmProfile {
        var p = SlurmProfile()
        if let slurmProfile {
            do { p = try SlurmProfile.load(file: slurmProfile) } catch let e as SlurmError { throw CLIFailure(code: 2, message: e.description) }
        }
        func word(_ v: String?, _ option: String) throws -> String? {
            guard let v else { return nil }
            guard !v.isEmpty, !v.contains(where: { $0.isWhitespace }) else { throw CLIFailure(code: 2, message: "\(option) '\(v)': expected one word") }
            return v
        }
        p.partition = try word(partition, "--partition") ?? p.partition
        p.account = try word(account, "--account") ?? p.account
        p.qos = try word(qos, "--qos") ?? p.qos
        if let t = timeLimit {
            guard SlurmProfile.isTimeLimit(t) else { throw CLIFailure(code: 2, message: "--time-limit \(t): expected a Slurm time such as 90, 02:00:00 or 1-12:00:00") }
            p.time = t
        }
        for o in sbatchOptions where !o.hasPrefix("-") || o.contains(where: { $0.isNewline }) {
            throw CLIFailure(code: 2, message: "--sbatch-option \(o): expected an sbatch option such as --constraint=avx2")
        }
        p.sbatchOptions += sbatchOptions
        return p
    }
}

/// What a Slurm job runs on its node: one stage (or one shard of it) through the same code path
/// as the local executor, into the shared data folder. Not for people; `run --executor slurm`
/// writes these command lines.
struct ExecStage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-stage", abstract: "Run one stage or shard as a cluster job does (used by --executor slurm).",
        shouldDisplay: false)
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Option(help: "Stage instance id.") var stage: String
    @Option(help: "The stage key the driver expects (the job refuses to run another).") var key: String
    @Option(help: "Run only this shard (0-based) of a sharded stage.") var shard: String?
    @OptionGroup var ws: WorkspaceOptions

    /// This executable, for job scripts.
    static func toolPath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    func run() throws {
        // The driver validated sizes against its own limit; the node runs what it was given.
        let driver = try makeDriver(spec, ws, memoryLimit: .greatestFiniteMagnitude)
        let env = ProcessInfo.processInfo.environment
        let cpus = max(1, Int(env["SLURM_CPUS_PER_TASK"] ?? "") ?? 1)
        let node = env["SLURMD_NODENAME"] ?? ProcessInfo.processInfo.hostName
        let prepared: PreparedStage?
        do { prepared = try driver.prepare(stage) } catch { throw CLIFailure(code: 1, message: "\(stage): \(SafeFiles.describe(error))") }
        guard let prepared else { print("\(stage) is fresh: nothing to do"); return }
        guard prepared.key == key else {
            throw CLIFailure(code: 1, message: "\(stage): its key is now \(prepared.key.prefix(16)), not the submitted \(key.prefix(16)) (the spec or an input changed since submission); run again to resubmit")
        }
        let cores = CoreShare(cores: cpus)
        do {
            if let shardText = shard {
                guard let k = Int(shardText) else { throw CLIFailure(code: 2, message: "--shard \(shardText): expected a whole number") }
                var origin: [(String, JSONValue)] = [("executor", .string("slurm")), ("node", .string(node))]
                if let a = env["SLURM_ARRAY_JOB_ID"], let t = env["SLURM_ARRAY_TASK_ID"] {
                    origin += [("slurm_job_id", .string("\(a)_\(t)")), ("slurm_array_job_id", .string(a)), ("slurm_array_task_id", .string(t))]
                }
                let request = driver.request(prepared, code: CodeVersion.current(), jobs: 1, execution: [], progress: { _, _ in })
                try StageExecution(registry: driver.registry, cores: cores).runSingleShard(request, shard: k, origin: .object(origin))
                print("shard \(k) of \(stage) done")
            } else {
                var facts: [(String, JSONValue)] = [("executor", .string("slurm")), ("node", .string(node)), ("cpus", .int(cpus))]
                if let j = env["SLURM_JOB_ID"] { facts.append(("slurm_job_id", .string(j))) }
                if let p = env["SLURM_JOB_PARTITION"] { facts.append(("slurm_partition", .string(p))) }
                let done = try driver.executeLocally(prepared, code: CodeVersion.current(), cores: cores, jobs: cpus, execution: facts)
                for w in done.warnings { FileHandle.standardError.write(Data("warning: \(stage): \(w)\n".utf8)) }
                print("\(stage) done in \(String(format: "%.2f", done.seconds)) s")
            }
        } catch let e as CLIFailure { throw e } catch {
            throw CLIFailure(code: 1, message: "\(stage): \(SafeFiles.describe(error))")
        }
    }
}

/// Jobs of a data folder still in the Slurm queue, for `status` (empty without Slurm).
func queuedSlurmJobs(_ workspace: Workspace) -> [(entry: JobBook.Entry, job: QueuedJob)] {
    let book = JobBook(workspace: workspace)
    let entries = book.entries()
    guard !entries.isEmpty, SlurmCommands.which("squeue") != nil,
          let jobs = try? SlurmQueue(commands: SlurmCommands(), poll: 0).jobs(fresh: true) else { return [] }
    var out: [(JobBook.Entry, QueuedJob)] = []
    for j in jobs where !j.ended {
        if let e = entries.last(where: { $0.job == j.jobID }) { out.append((e, j)) }
    }
    return out
}
