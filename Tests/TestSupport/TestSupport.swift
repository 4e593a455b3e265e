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
