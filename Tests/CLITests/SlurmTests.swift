import Foundation
import PipelineEngine
import TestSupport
import XCTest

/// `run --executor slurm` against a real Slurm (slurmctld + slurmd on this machine, started by
/// the tests themselves), never a mock. Skipped only when Slurm cannot be installed here.
final class SlurmTests: XCTestCase {
    nonisolated(unsafe) static var cluster: SlurmTestCluster?

    override class func setUp() {
        super.setUp()
        cluster = SlurmTestCluster()
    }

    override class func tearDown() {
        cluster?.stop()
        cluster = nil
        super.tearDown()
    }

    /// SLURM_CONF for the commands under test (skips with the reason when there is no cluster).
    func slurmEnv(_ extra: [String: String] = [:]) throws -> [String: String] {
        guard let c = Self.cluster else { throw XCTSkip("no Slurm cluster") }
        guard let conf = c.conf else {
            if !c.installed { throw XCTSkip(c.whyNot) }
            XCTFail(c.whyNot)
            throw XCTSkip("see the failure above")
        }
        return ["SLURM_CONF": conf].merging(extra) { $1 }
    }

    /// Small, quick test jobs (a fast poll so each test takes seconds).
    func profile(_ s: Scratch) {
        s.write(#"{"poll_seconds": 0.3, "time": "10:00"}"#, to: "slurm.json")
    }

    static let quickSpec = #"""
    {"name": "sl", "stages": [
     {"id": "x", "kind": "debug-shards", "params": {"shards": 4, "log": "shards.log"}},
     {"id": "a", "kind": "debug-sleep", "params": {"seconds": 1, "value": 2}},
     {"id": "b", "kind": "debug-sleep", "params": {"seconds": 0.5}, "inputs": {"upstream": ["a", "x"]}}
    ]}
    """#

    func record(_ s: Scratch, _ id: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOfFile: s.dir + "/data/spec/.tlspipe/records/\(id).json", encoding: .utf8))
    }

    func shardLog(_ s: Scratch) -> [String] {
        ((try? String(contentsOfFile: s.dir + "/shards.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).sorted()
    }

    /// One job array per sharded stage, its tasks named in the merged artifact's provenance;
    /// every record says where it ran; the payloads equal a local run's bit for bit.
    func testShardedStageRunsAsOneArrayAndMatchesALocalRun() throws {
        let env = try slurmEnv()
        let s = Scratch()
        s.write(Self.quickSpec)
        profile(s)
        let r = try CLI.run(["run", "spec.json", "--executor", "slurm", "--slurm-profile", "slurm.json"], in: s.dir, env: env, testkit: true)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(shardLog(s), ["0", "1", "2", "3"])

        let book = try JSONValue.parse(String(contentsOfFile: s.dir + "/data/spec/.tlspipe/slurm/jobs.json", encoding: .utf8))
        let jobs = book["jobs"]?.arrayValue ?? []
        let arrays = jobs.filter { $0["role"]?.stringValue == "shards" }
        XCTAssertEqual(arrays.count, 1, "one array for the sharded stage: \(book.pretty)")
        XCTAssertEqual(arrays.first?["tasks"]?.arrayValue?.compactMap(\.intValue), [0, 1, 2, 3])
        XCTAssertEqual(jobs.count, 4, "array + merge + a + b")
        let arrayID = try XCTUnwrap(arrays.first?["job"]?.stringValue)

        let audit = try CLI.run(["audit", "data/spec/x.h5", "--json"], in: s.dir)
        let provenance = try JSONValue.parse(audit.stdout)
        let ranOn = provenance["shards"]?["ran_on"]?.arrayValue ?? []
        XCTAssertEqual(ranOn.count, 4, audit.stdout)
        for (k, task) in ranOn.enumerated() {
            XCTAssertEqual(task["shard"]?.intValue, k)
            XCTAssertEqual(task["slurm_job_id"]?.stringValue, "\(arrayID)_\(k)")
            XCTAssertEqual(task["slurm_array_task_id"]?.stringValue, "\(k)")
            XCTAssertEqual(task["node"]?.stringValue, "localhost")
        }
        for id in ["x", "a", "b"] {
            let execution = try record(s, id)["execution"]
            XCTAssertEqual(execution?["executor"]?.stringValue, "slurm", id)
            XCTAssertNotNil(execution?["slurm_job_id"]?.stringValue, id)
            XCTAssertEqual(execution?["node"]?.stringValue, "localhost", id)
        }

        let local = Scratch()
        local.write(Self.quickSpec)
        XCTAssertEqual(try CLI.run(["run", "spec.json", "--jobs", "2"], in: local.dir, testkit: true).status, 0)
        for id in ["x", "a", "b"] {
            let remote = try record(s, id), here = try record(local, id)
            XCTAssertEqual(remote["content"], here["content"], "\(id): the payload differs from a local run")
            XCTAssertEqual(remote["key"], here["key"], id)
        }
        let status = try CLI.run(["status", "spec.json"], in: s.dir, env: env, testkit: true)
        XCTAssertTrue(status.stdout.contains("3 fresh, 0 stale"), status.stdout)
    }

    /// A driver killed mid-run leaves its jobs queued; started again it waits for them instead
    /// of submitting them again, and the run completes.
    func testAKilledDriverReattachesWithoutSubmittingTwice() throws {
        let env = try slurmEnv()
        let s = Scratch()
        s.write(Self.quickSpec.replacingOccurrences(of: #""seconds": 1, "value": 2"#, with: #""seconds": 6, "value": 2"#))
        profile(s)
        let args = ["run", "spec.json", "--executor", "slurm", "--slurm-profile", "slurm.json"]
        let first = try CLI.start(args, in: s.dir, env: env, testkit: true)
        let bookFile = s.dir + "/data/spec/.tlspipe/slurm/jobs.json"
        let deadline = Date().addingTimeInterval(30)
        // Kill it once it has submitted the array, the merge and a (b waits for them).
        while Date() < deadline {
            if let text = try? String(contentsOfFile: bookFile, encoding: .utf8),
               (try? JSONValue.parse(text))?["jobs"]?.arrayValue?.count == 3 { break }
            usleep(50_000)
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data/spec/a.h5"), "a's job should still be running")
        // status shows the jobs the dead driver left in the queue.
        let status = try CLI.run(["status", "spec.json", "--json"], in: s.dir, env: env, testkit: true)
        let stageA = try JSONValue.parse(status.stdout).arrayValue?.first { $0["id"]?.stringValue == "a" }
        XCTAssertEqual(stageA?["slurm_jobs"]?.arrayValue?.count, 1, status.stdout)
        XCTAssertTrue(["PENDING", "RUNNING"].contains(stageA?["slurm_jobs"]?.arrayValue?.first?["state"]?.stringValue ?? ""), status.stdout)

        let second = try CLI.run(args, in: s.dir, env: env.merging(["TLSPIPE_LOG": "info"]) { $1 }, testkit: true)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("re-attached"), second.stderr)
        // Every job name (data folder + stage key + role) was submitted once.
        let prefix = try XCTUnwrap(Self.cluster).queue().filter { job in
            (try? JSONValue.parse(String(contentsOfFile: bookFile, encoding: .utf8)))?["jobs"]?.arrayValue?
                .contains { $0["name"]?.stringValue == job.name } ?? false
        }
        var jobsPerName: [String: Set<String>] = [:]
        for j in prefix { jobsPerName[j.name, default: []].insert(String(j.id.split(separator: "_")[0])) }
        XCTAssertEqual(jobsPerName.count, 4, "\(jobsPerName)")
        for (name, ids) in jobsPerName { XCTAssertEqual(ids.count, 1, "\(name) submitted \(ids.count) times: \(ids)") }
        XCTAssertEqual(shardLog(s), ["0", "1", "2", "3"], "no shard ran twice")
    }

    /// A job cancelled from outside and an array task that exits non-zero fail their stages with
    /// Slurm's state in the message; an independent stage completes; a rerun finishes the work,
    /// running only the missing shard.
    func testCancelledAndFailedJobsFailOnlyTheirStages() throws {
        let env = try slurmEnv()
        let s = Scratch()
        // The same DAG twice: first with a slow stage to cancel, then with a quick one.
        func write(slowSeconds: Int) {
            s.write(#"""
            {"name": "sl", "stages": [
             {"id": "x", "kind": "debug-shards", "params": {"shards": 3, "log": "shards.log"}},
             {"id": "slow", "kind": "debug-sleep", "params": {"seconds": \#(slowSeconds)}},
             {"id": "after", "kind": "debug-sleep", "params": {"seconds": 0}, "inputs": {"upstream": ["slow"]}},
             {"id": "free", "kind": "debug-sleep", "params": {"seconds": 0, "value": 3}}
            ]}
            """#)
        }
        write(slowSeconds: 30)
        profile(s)
        let args = ["run", "spec.json", "--executor", "slurm", "--slurm-profile", "slurm.json"]
        let run = try CLI.start(args, in: s.dir, env: env.merging(["TLSPIPE_DEBUG_FAIL_SHARD": "1"]) { $1 }, testkit: true)
        let bookFile = s.dir + "/data/spec/.tlspipe/slurm/jobs.json"
        var slowJob: String? = nil
        let deadline = Date().addingTimeInterval(60)
        while slowJob == nil && Date() < deadline {
            if let text = try? String(contentsOfFile: bookFile, encoding: .utf8) {
                slowJob = (try? JSONValue.parse(text))?["jobs"]?.arrayValue?.first { $0["stage"]?.stringValue == "slow" }?["job"]?.stringValue
            }
            usleep(50_000)
        }
        let id = try XCTUnwrap(slowJob)
        // Cancel it once it runs (someone else's scancel).
        while Date() < deadline, Self.cluster?.queue().first(where: { $0.id == id })?.state != "RUNNING" { usleep(100_000) }
        XCTAssertEqual(try runProgram("/usr/bin/env", ["SLURM_CONF=" + env["SLURM_CONF"]!, "scancel", id]).status, 0)
        let out = (run.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        let stderr = String(decoding: out, as: UTF8.self)
        XCTAssertEqual(run.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("slow: Slurm job \(id) CANCELLED"), stderr)
        XCTAssertTrue(stderr.contains("x: Slurm job ") && stderr.contains("_1 FAILED, exit 1") && stderr.contains("shard 1 failed on purpose"), stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/data/spec/free.h5"), "the independent stage completes")
        for gone in ["x", "slow", "after"] { XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data/spec/\(gone).h5"), gone) }
        XCTAssertEqual(shardLog(s), ["0", "2"])

        write(slowSeconds: 1)
        let again = try CLI.run(args, in: s.dir, env: env, testkit: true)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(shardLog(s), ["0", "1", "2"], "only the failed shard ran again")
        XCTAssertTrue(again.stdout.contains("ran 3 stage(s)"), again.stdout)
    }

    /// SIGTERM (no terminal to ask on) cancels the jobs this run submitted.
    func testSigtermCancelsTheRunsJobs() throws {
        let env = try slurmEnv()
        let s = Scratch()
        s.write(#"{"name": "sl", "stages": [{"id": "slow", "kind": "debug-sleep", "params": {"seconds": 60}}]}"#)
        profile(s)
        let run = try CLI.start(["run", "spec.json", "--executor", "slurm", "--slurm-profile", "slurm.json"], in: s.dir, env: env, testkit: true)
        let bookFile = s.dir + "/data/spec/.tlspipe/slurm/jobs.json"
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !FileManager.default.fileExists(atPath: bookFile) { usleep(50_000) }
        let text = try String(contentsOfFile: bookFile, encoding: .utf8)
        let id = try XCTUnwrap(JSONValue.parse(text)["jobs"]?.arrayValue?.first?["job"]?.stringValue)
        kill(run.processIdentifier, SIGTERM)
        let err = String(decoding: (run.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 143, err)
        XCTAssertTrue(err.contains("cancelled Slurm job(s) \(id)"), err)
        var state = ""
        while Date() < deadline {
            state = Self.cluster?.queue().first { $0.id == id }?.state ?? ""
            if state == "CANCELLED" { break }
            usleep(100_000)
        }
        XCTAssertEqual(state, "CANCELLED")
    }

    /// Ctrl-C on a terminal (a pty from `script`) asks before cancelling: "n" leaves the job
    /// queued for the next run, "y" cancels it.
    func testCtrlCOnATerminalAsksFirst() throws {
        let env = try slurmEnv()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("no script(1) to give the run a terminal") }
        for answer in ["n", "y"] {
            let s = Scratch()
            s.write(#"{"name": "sl", "stages": [{"id": "slow", "kind": "debug-sleep", "params": {"seconds": 60, "value": 7}}]}"#)
            profile(s)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            p.arguments = ["-qfec", "'\(CLI.testkit)' run spec.json --executor slurm --slurm-profile slurm.json", "/dev/null"]
            p.currentDirectoryURL = URL(fileURLWithPath: s.dir)
            var environment = ProcessInfo.processInfo.environment
            for (k, v) in env { environment[k] = v }
            environment["SHELL"] = "/bin/bash"
            p.environment = environment
            let input = Pipe(), output = Pipe()
            p.standardInput = input
            p.standardOutput = output
            p.standardError = output
            try p.run()
            let bookFile = s.dir + "/data/spec/.tlspipe/slurm/jobs.json"
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, !FileManager.default.fileExists(atPath: bookFile) { usleep(50_000) }
            let id = try XCTUnwrap(JSONValue.parse(String(contentsOfFile: bookFile, encoding: .utf8))["jobs"]?.arrayValue?.first?["job"]?.stringValue)
            // The run itself (not script, not its shell): the process whose command line starts with it.
            let child = try runProgram("/usr/bin/pgrep", ["-f", "^" + CLI.testkit + " run spec.json --executor slurm"])
            let pid = try XCTUnwrap(Int32(child.output.split(separator: "\n").first ?? ""), "no run under script: \(child.output)")
            kill(pid, SIGINT)
            usleep(500_000)
            input.fileHandleForWriting.write(Data((answer + "\n").utf8))
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertTrue(text.contains("cancel the 1 Slurm job(s) this run submitted (\(id)) with scancel? [y/N]"), text)
            var state = ""
            while Date() < deadline {
                state = Self.cluster?.queue().first { $0.id == id }?.state ?? ""
                if answer == "n" || state == "CANCELLED" { break }
                usleep(100_000)
            }
            if answer == "n" {
                XCTAssertTrue(text.contains("left Slurm job(s) \(id) in the queue"), text)
                XCTAssertTrue(["PENDING", "RUNNING"].contains(state), state)
                _ = try runProgram("/usr/bin/env", ["SLURM_CONF=" + env["SLURM_CONF"]!, "scancel", id])
            } else {
                XCTAssertTrue(text.contains("cancelled Slurm job(s) \(id)"), text)
                XCTAssertEqual(state, "CANCELLED")
            }
        }
    }

    /// Usage errors need no cluster: no sbatch, a bad profile, Slurm options without Slurm.
    func testUsageErrorsAreOneLineExitTwo() throws {
        let s = Scratch()
        s.write(Self.quickSpec)
        let noSlurm = try CLI.run(["run", "spec.json", "--executor", "slurm"], in: s.dir, env: ["PATH": "/nonexistent"], testkit: true)
        XCTAssertEqual(noSlurm.status, 2)
        XCTAssertTrue(noSlurm.stderr.contains("sbatch not found on PATH"), noSlurm.stderr)
        s.write(#"{"partiton": "x"}"#, to: "bad.json")
        let bad = try CLI.run(["run", "spec.json", "--executor", "slurm", "--slurm-profile", "bad.json"], in: s.dir, testkit: true)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("bad.json: partiton: unknown setting") && bad.stderr.contains("partition"), bad.stderr)
        s.write(#"{"kinds": {"ftlm": {"time": "two hours"}}}"#, to: "bad2.json")
        let bad2 = try CLI.run(["run", "spec.json", "--executor", "slurm", "--slurm-profile", "bad2.json"], in: s.dir, testkit: true)
        XCTAssertEqual(bad2.status, 2)
        XCTAssertTrue(bad2.stderr.contains("bad2.json: kinds.ftlm.time: expected a Slurm time limit"), bad2.stderr)
        let local = try CLI.run(["run", "spec.json", "--partition", "x"], in: s.dir, testkit: true)
        XCTAssertEqual(local.status, 2)
        XCTAssertTrue(local.stderr.contains("--partition: only with --executor slurm"), local.stderr)
        let executor = try CLI.run(["run", "spec.json", "--executor", "pbs"], in: s.dir, testkit: true)
        XCTAssertEqual(executor.status, 2)
        XCTAssertTrue(executor.stderr.contains("--executor pbs: expected local or slurm"), executor.stderr)
        for r in [noSlurm, bad, bad2, local, executor] {
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data"), "nothing written")
    }
}

/// The default spec through Slurm: every artifact's payload equals a local run's bit for bit.
/// (About three minutes: both runs of the whole default spec.)
final class SlurmDefaultSpecTests: XCTestCase {
    func testDefaultSpecThroughSlurmEqualsALocalRun() throws {
        let cluster = SlurmTestCluster()
        defer { cluster.stop() }
        guard let conf = cluster.conf else {
            if !cluster.installed { throw XCTSkip(cluster.whyNot) }
            XCTFail(cluster.whyNot)
            return
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let spec = root + "/pipelines/default.json"
        let s = Scratch()
        s.write(#"{"poll_seconds": 1}"#, to: "slurm.json")
        let started = Date()
        let remote = try CLI.run(["run", spec, "--executor", "slurm", "--slurm-profile", "slurm.json", "--data-dir", "slurm-data",
                                  "--figures-dir", "slurm-figures", "--quiet"], in: s.dir, env: ["SLURM_CONF": conf])
        XCTAssertEqual(remote.status, 0, remote.stderr)
        let slurmSeconds = Date().timeIntervalSince(started)
        let localStart = Date()
        let local = try CLI.run(["run", spec, "--jobs", "2", "--data-dir", "local-data", "--figures-dir", "local-figures", "--quiet"], in: s.dir)
        XCTAssertEqual(local.status, 0, local.stderr)
        print(String(format: "default spec: %.0f s through Slurm, %.0f s locally (--jobs 2)", slurmSeconds, Date().timeIntervalSince(localStart)))
        let records = filesUnder(s.dir + "/local-data/.tlspipe/records").filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThan(records.count, 20)
        var compared = 0
        for name in records {
            let here = try JSONValue.parse(String(contentsOfFile: s.dir + "/local-data/.tlspipe/records/" + name, encoding: .utf8))
            let there = try JSONValue.parse(String(contentsOfFile: s.dir + "/slurm-data/.tlspipe/records/" + name, encoding: .utf8))
            XCTAssertEqual(there["execution"]?["executor"]?.stringValue, "slurm", name)
            XCTAssertEqual(here["key"], there["key"], name)
            // Artifacts (HDF5 payloads) must be identical; figures are drawn by gnuplot from them.
            guard here["outputs"]?.arrayValue?.first?["folder"]?.stringValue == "data" else { continue }
            XCTAssertEqual(here["content"], there["content"], "\(name): the payload differs from a local run")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 20)
    }
}
