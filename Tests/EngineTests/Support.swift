import Foundation
import TestSupport
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

extension Scratch {
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
