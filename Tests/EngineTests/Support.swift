import Foundation
import XCTest
@testable import PipelineEngine

/// A physics-free stage kind for engine tests: writes its value plus its inputs' contents to a
/// text file and appends its id to `runs.log`, so tests can see exactly which stages ran.
struct RecorderKind: StageKind {
    let name = "recorder"
    let version: Int
    let log: String
    let summary = "test kind"
    let parameters = [
        ParameterSpec("value", .double(min: 0), help: "a number"),
        ParameterSpec("note", .string(), default: .string(""), help: "free text"),
        ParameterSpec("fail", .bool, default: .bool(false), help: "raise an error"),
    ]
    let inputs = [InputSpec("upstream", required: false, multiple: true, help: "anything")]

    func outputs(id: String, params: Params) -> [OutputFile] { [OutputFile(.data, id + ".txt")] }

    func run(_ context: StageContext) throws -> StageReport {
        if context.params.bool("fail") { throw StageError("asked to fail") }
        var text = "value \(context.params.double("value"))\n"
        for input in context.inputs("upstream") {
            text += "from \(input.stage): " + (try String(contentsOfFile: input.path, encoding: .utf8))
        }
        try text.write(toFile: context.outputPaths[0], atomically: false, encoding: .utf8)
        // O_APPEND: stages run concurrently with --jobs 2.
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        _ = (context.stageID + "\n").withCString { write(fd, $0, strlen($0)) }
        close(fd)
        return StageReport()
    }

    func stamp(outputPaths: [String], provenance: JSONValue) throws {}
}

/// A scratch folder with a spec file, a workspace and a run log.
final class Scratch {
    let dir: String
    var spec: String { dir + "/spec.json" }
    var log: String { dir + "/runs.log" }
    var workspace: Workspace { Workspace(dataDir: dir + "/data", figuresDir: dir + "/figures") }

    init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tlspipe-test-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ text: String, to name: String = "spec.json") { try! text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }

    func registry(version: Int = 1) -> StageRegistry { StageRegistry([RecorderKind(version: version, log: log)]) }

    func driver(version: Int = 1) throws -> Driver {
        let reg = registry(version: version)
        return Driver(pipeline: try SpecLoader(registry: reg).load(file: spec), registry: reg, workspace: workspace)
    }

    /// Runs the spec and returns the ids that ran, in order, then clears the log.
    @discardableResult
    func run(jobs: Int = 1, version: Int = 1, targets: [String] = []) throws -> [String] {
        let summary = try driver(version: version).run(RunOptions(jobs: jobs, targets: targets))
        XCTAssertTrue(summary.failed.isEmpty, "\(summary.failed)")
        let ran = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        try? FileManager.default.removeItem(atPath: log)
        return ran
    }
}

/// Runs the built `tlspipe` binary (beside the test bundle).
struct CLI {
    static var binary: String { executable("tlspipe") }
    /// The same command line with the test-only stage kinds (debug-sleep, debug-shards).
    static var testkit: String { executable("tlspipe-testkit") }

    static func executable(_ name: String) -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [here, here.deletingLastPathComponent()] {
            let p = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/" + name).path
    }

    struct Output { let status: Int32; let stdout: String; let stderr: String }

    @discardableResult
    static func run(_ args: [String], in dir: String, env: [String: String] = [:], testkit: Bool = false) throws -> Output {
        let p = try start(args, in: dir, env: env, testkit: testkit)
        let out = (p.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let err = (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    static func start(_ args: [String], in dir: String, env: [String: String] = [:], testkit: Bool = false) throws -> Process {
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
func filesUnder(_ dir: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
    return e.compactMap { $0 as? String }.sorted()
}
