import Foundation
import PipelineEngine

/// A scratch folder with a spec file, a workspace and a run log.
public final class Scratch {
    public let dir: String
    public var spec: String { dir + "/spec.json" }
    public var log: String { dir + "/runs.log" }
    public var workspace: Workspace { Workspace(dataDir: dir + "/data", figuresDir: dir + "/figures") }

    public init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tlspipe-test-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    public func write(_ text: String, to name: String = "spec.json") { try! text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
}

/// Runs the built `tlspipe` binary (beside the test bundle).
public struct CLI {
    public static var binary: String { executable("tlspipe") }
    /// The same command line with the test-only stage kinds (debug-sleep, debug-shards).
    public static var testkit: String { executable("tlspipe-testkit") }

    public static func executable(_ name: String) -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [here, here.deletingLastPathComponent()] {
            let p = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/" + name).path
    }

    public struct Output { public let status: Int32; public let stdout: String; public let stderr: String }

    @discardableResult
    public static func run(_ args: [String], in dir: String, env: [String: String] = [:], testkit: Bool = false) throws -> Output {
        let p = try start(args, in: dir, env: env, testkit: testkit)
        let out = (p.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let err = (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    public static func start(_ args: [String], in dir: String, env: [String: String] = [:], testkit: Bool = false) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: testkit ? CLI.testkit : binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var environment = ProcessInfo.processInfo.environment
        environment["TLSPIPE_LOG"] = "warning"
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        p.standardOutput = Pipe()
        p.standardError = Pipe()
        try p.run()
        return p
    }
}

/// Lists every file under a folder (relative paths), for "nothing written" checks.
public func filesUnder(_ dir: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
    return e.compactMap { $0 as? String }.sorted()
}

/// Runs any program and returns its exit code and its output (stdout and stderr together).
public func runProgram(_ exe: String, _ args: [String], in dir: String? = nil) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    if let dir { p.currentDirectoryURL = URL(fileURLWithPath: dir) }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, out)
}

/// A single-node Slurm cluster of the tests' own (scripts/slurm-test-cluster.sh), started once
/// per test class: `conf` is its SLURM_CONF, or nil with the reason it could not start.
public final class SlurmTestCluster: @unchecked Sendable {
    public let dir: String
    public let conf: String?
    public let whyNot: String
    /// Whether Slurm is installed here (a cluster that does not start despite it is a failure, not a skip).
    public let installed: Bool

    public init() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        dir = "/tmp/tlspipe-slurm-\(UUID().uuidString.prefix(8))"
        let script = root + "/scripts/slurm-test-cluster.sh"
        let result: (status: Int32, output: String) = (try? runProgram("/bin/bash", [script, "start", dir])) ?? (127, "cannot run \(script)")
        installed = result.status != 3
        if result.status == 0 {
            conf = dir + "/slurm.conf"
            whyNot = ""
        } else {
            conf = nil
            whyNot = result.status == 3
                ? "Slurm is not installed here (.ci/run installs slurm-wlm and munge as root): " + result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                : "the local Slurm cluster did not start: " + result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    public func stop() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        _ = try? runProgram("/bin/bash", [root + "/scripts/slurm-test-cluster.sh", "stop", dir])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// squeue's view of every job (ended ones too, for MinJobAge): "id|name|state" lines.
    public func queue() -> [(id: String, name: String, state: String)] {
        guard let conf else { return [] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["SLURM_CONF=" + conf, "squeue", "--noheader", "--array", "--states=all", "--format=%i|%j|%T"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return [] }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return out.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "|").map(String.init)
            return f.count == 3 ? (f[0], f[1], f[2]) : nil
        }
    }
}
