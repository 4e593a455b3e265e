import Foundation
import TestSupport
import XCTest
@testable import PipelineEngine

/// The planner on its own: records and files given in memory, nothing on disk touched.
final class PlannerTests: XCTestCase {
    /// Files that exist only in a dictionary: path → (bytes' hash, stat).
    struct MemoryFiles: FileOracle {
        var files: [String: (sha: String, facts: FileFacts)] = [:]
        func stat(_ path: String) -> FileFacts? { files[path]?.facts }
        func sha256(_ path: String) -> String? { files[path]?.sha }
    }

    let spec = #"""
    {"name": "chain", "stages": [
      {"id": "a", "kind": "recorder", "params": {"value": 1}},
      {"id": "b", "kind": "recorder", "params": {"value": 2}, "inputs": {"upstream": "a"}},
      {"id": "c", "kind": "recorder", "params": {"value": 3}, "inputs": {"upstream": "b"}}
    ]}
    """#

    /// A workspace under a folder that does not exist: the planner must not create it.
    let ws = Workspace(dataDir: "/nonexistent-tlspipe-planner/data", figuresDir: "/nonexistent-tlspipe-planner/figures")

    func record(_ inst: StageInstance, inputs: [InputRef], content: String, version: Int = 1) -> StageRecord {
        let key = StageKey.compute(kind: inst.kind, version: version, params: inst.resultParams, inputs: inputs)
        return StageRecord(stage: inst.id, kind: inst.kind, version: version, key: key, params: inst.resultParams.json,
                           lineage: inst.resultParams.json, inputs: inputs,
                           outputs: [RecordedOutput(file: OutputFile(.data, inst.id + ".txt"), sha256: "sha-" + inst.id,
                                                    stat: FileStat(size: 10, mtimeNS: 1, inode: 1))],
                           content: content, finished: "")
    }

    func built(_ pipeline: Pipeline) -> ([String: RecordLoad], MemoryFiles) {
        var records: [String: RecordLoad] = [:]
        var files = MemoryFiles()
        var previous: StageRecord? = nil
        for inst in pipeline.instances {
            let inputs = previous.map { [InputRef(slot: "upstream", stage: $0.stage, key: $0.key, content: $0.content, sha256: "", path: "")] } ?? []
            let r = record(inst, inputs: inputs, content: "content-" + inst.id)
            records[inst.id] = .ok(r)
            files.files[ws.dataDir + "/" + inst.id + ".txt"] = ("sha-" + inst.id, FileFacts(regular: true, size: 10, mtimeNS: 1, inode: 1))
            previous = r
        }
        return (records, files)
    }

    func testPlanFromMemoryTouchesNoFile() throws {
        let reg = StageRegistry([RecorderKind(version: 1, log: "/dev/null")])
        let pipeline = try SpecLoader(registry: reg).parse(try JSONValue.parse(spec), file: "chain.json")
        let planner = Planner(pipeline: pipeline, registry: reg, workspace: ws)
        var (records, files) = built(pipeline)

        // Everything recorded and on "disk": fresh.
        XCTAssertEqual(planner.plan(records: records, files: files).stages.map(\.decision), [.fresh, .fresh, .fresh])

        // Nothing recorded: a stale with code never_built, b and c must build to know.
        let empty = planner.plan(records: [:], files: MemoryFiles())
        XCTAssertEqual(empty.stages.map(\.decision), [.stale, .stale, .stale])
        XCTAssertEqual(empty.stages.map { $0.reasons.map(\.code) }, [["never_built"], ["never_built"], ["never_built"]])

        // a's artifact missing: a stale, b and c wait for it; c's root cause is a.
        let pathA = ws.dataDir + "/a.txt"
        let saved = files.files.removeValue(forKey: pathA)!
        var plan = planner.plan(records: records, files: files)
        XCTAssertEqual(plan.stages.map(\.decision), [.stale, .mustBuildToKnow, .mustBuildToKnow])
        XCTAssertEqual(plan["a"]!.reasons, [.outputMissing(pathA)])
        XCTAssertEqual(plan.rootCauses(of: "c").map(\.id), ["a"])

        // a's stat changed but its bytes match: fresh, and the executor will refresh the stat.
        files.files[pathA] = (saved.sha, FileFacts(regular: true, size: 10, mtimeNS: 2, inode: 1))
        plan = planner.plan(records: records, files: files)
        XCTAssertEqual(plan["a"]!.decision, .fresh)
        XCTAssertEqual(plan["a"]!.rehashed, [pathA])

        // Modified bytes: stale with a typed reason.
        files.files[pathA] = ("other", FileFacts(regular: true, size: 10, mtimeNS: 3, inode: 1))
        XCTAssertEqual(planner.plan(records: records, files: files)["a"]!.reasons.map(\.code), ["output_modified"])
        files.files[pathA] = saved

        // A corrupt record of b: b stale ("record_unreadable"), c waits.
        records["b"] = .unreadable("invalid JSON")
        plan = planner.plan(records: records, files: files)
        XCTAssertEqual(plan["b"]!.reasons.map(\.code), ["record_unreadable"])
        XCTAssertEqual(plan["c"]!.decision, .mustBuildToKnow)

        // Forced: stale with reason forced, its consumer waits.
        (records, files) = built(pipeline)
        plan = planner.plan(records: records, files: files, forced: ["b"])
        XCTAssertEqual(plan["b"]!.reasons, [.forced])
        XCTAssertEqual(plan["c"]!.decision, .mustBuildToKnow)

        // b rebuilt with different content: c is stale because of its input.
        if case .ok(let b) = records["b"]! {
            records["b"] = .ok(StageRecord(stage: b.stage, kind: b.kind, version: b.version, key: b.key, params: b.params,
                                           lineage: b.lineage, inputs: b.inputs, outputs: b.outputs, content: "new", finished: ""))
        }
        XCTAssertEqual(planner.plan(records: records, files: files)["c"]!.reasons, [.inputChanged(slot: "upstream", stage: "b")])

        XCTAssertFalse(FileManager.default.fileExists(atPath: "/nonexistent-tlspipe-planner"))
    }

    func testReasonsHaveStableCodesAndJSON() {
        let r = StaleReason.parameterChanged(name: "g", old: "1.0", new: "2.0")
        XCTAssertEqual(r.code, "parameter_changed")
        XCTAssertEqual(r.json["name"], .string("g"))
        XCTAssertEqual(r.json["old"], .string("1.0"))
        XCTAssertEqual(r.json["new"], .string("2.0"))
        XCTAssertEqual(r.description, "parameter g changed: 1.0 → 2.0")
    }

    /// Execution-only parameters (declared `affectsResults: false`) stay out of the key.
    func testExecutionOnlyParametersStayOutOfTheKey() throws {
        struct Split: StageKind {
            let name = "split"
            let version = 1
            let summary = "test"
            let parameters = [ParameterSpec("value", .double(), help: "a number"),
                              ParameterSpec("pieces", .int(min: 1), default: .int(1), affectsResults: false, help: "how the work is split")]
            let inputs: [InputSpec] = []
            func run(_ context: StageContext) throws -> StageReport { StageReport() }
            func stamp(outputPaths: [String], provenance: JSONValue) throws {}
        }
        let reg = StageRegistry([Split()])
        func key(_ pieces: Int) throws -> String {
            let p = try SpecLoader(registry: reg).parse(try JSONValue.parse(#"{"name":"x","stages":[{"id":"a","kind":"split","params":{"value":1,"pieces":\#(pieces)}}]}"#), file: "x")
            return StageKey.compute(kind: "split", version: 1, params: p.instances[0].resultParams, inputs: [])
        }
        XCTAssertEqual(try key(1), try key(7))
    }

    /// `overrides` gives one instance of a sweep its own parameters: its id and every reference
    /// to it stay, only its parameters (and so its key) change; its siblings are untouched.
    func testSweepOverridesChangeOneInstanceOnly() throws {
        let reg = StageRegistry([RecorderKind(version: 1, log: "/dev/null")])
        func parse(_ overrides: String) throws -> Pipeline {
            try SpecLoader(registry: reg).parse(try JSONValue.parse(#"""
            {"name": "x", "stages": [
              {"id": "a", "kind": "recorder", "params": {"note": "all"}, "sweep": {"value": [1, 2]}\#(overrides)},
              {"id": "b", "kind": "recorder", "inputs": {"upstream": "a"}, "params": {"value": 0}}
            ]}
            """#), file: "x.json")
        }
        let plain = try parse("")
        let over = try parse(#", "overrides": {"value=2": {"note": "own"}}"#)
        XCTAssertEqual(over.instances.map(\.id), plain.instances.map(\.id))
        func inst(_ p: Pipeline, _ id: String) -> StageInstance { p.instances.first { $0.id == id }! }
        XCTAssertEqual(inst(over, "a@value=2.0").resultParams["note"], .string("own"))
        XCTAssertEqual(inst(try parse(#", "overrides": {"value=2.0": {"note": "own"}}"#), "a@value=2.0").resultParams, inst(over, "a@value=2.0").resultParams)
        XCTAssertEqual(inst(over, "a@value=2.0").resultParams["value"], .double(2))
        XCTAssertEqual(inst(over, "a@value=1.0").resultParams, inst(plain, "a@value=1.0").resultParams)
        XCTAssertNotEqual(inst(over, "a@value=2.0").resultParams, inst(plain, "a@value=2.0").resultParams)
        XCTAssertEqual(inst(over, "b").inputs.map(\.1), inst(plain, "b").inputs.map(\.1))

        let bad: [(String, String, String)] = [
            (#", "overrides": {"value=3": {"note": "x"}}"#, #"stages[0].overrides["value=3"]"#, "no instance 'a@value=3' (its instances: 'value=1.0', 'value=2.0')"),
            (#", "overrides": {"value=2": {"value": 5}}"#, #"stages[0].overrides["value=2"].value"#, "is swept"),
            (#", "overrides": {"value=2": {"nope": 5}}"#, #"stages[0].overrides["value=2"].nope"#, "unknown parameter"),
            (#", "overrides": {"value=2": {"fail": 5}}"#, #"stages[0].overrides["value=2"].fail"#, "expected"),
            (#", "overrides": {"value=2": {}}"#, #"stages[0].overrides["value=2"]"#, "non-empty object"),
            (#", "overrides": [1]"#, "stages[0].overrides", "expected an object"),
        ]
        for (o, path, message) in bad {
            XCTAssertThrowsError(try parse(o), o) { e in
                let e = e as? SpecError
                XCTAssertEqual(e?.path, path, o)
                XCTAssertTrue(e?.message.contains(message) ?? false, "\(o): \(e?.message ?? "no SpecError")")
            }
        }
        XCTAssertThrowsError(try SpecLoader(registry: reg).parse(try JSONValue.parse(
            #"{"name": "x", "stages": [{"id": "a", "kind": "recorder", "params": {"value": 1}, "overrides": {"value=1": {"note": "x"}}}]}"#), file: "x.json")) { e in
            XCTAssertEqual((e as? SpecError)?.path, "stages[0].overrides")
            XCTAssertTrue((e as? SpecError)?.message.contains("only a swept stage") ?? false)
        }
    }

    func testJSONParserLimitsAndGrammar() {
        XCTAssertThrowsError(try JSONValue.parse(String(repeating: "[", count: 100_000)))
        XCTAssertNoThrow(try JSONValue.parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200)))
        for bad in ["040", "+40", "1.", ".5", "1e", "-", "01.5", "\"\\ud83d\"", "\"\\ude00x\"", "1e400"] {
            XCTAssertThrowsError(try JSONValue.parse(bad), bad)
        }
        XCTAssertEqual(try JSONValue.parse("\"\\ud83d\\ude00\""), .string("😀"))
        XCTAssertEqual(try JSONValue.parse("-0.5e-3"), .double(-0.0005))
        XCTAssertEqual(try JSONValue.parse("0"), .int(0))
    }

    func testEngineTemporariesAreRecognisedExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tlspipe-tmp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try SafeFiles.makeTemporary(for: dir + "/out.h5")
        let b = try SafeFiles.makeTemporary(for: dir + "/out.h5")
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(SafeFiles.isEngineTemporary((a as NSString).lastPathComponent))
        for user in ["draft.tmp-v2.tex", "static.tmp-1.h5", "x.tmp", ".x.tlspipe-ABC.tmp", "out.h5.tmp-123"] {
            XCTAssertFalse(SafeFiles.isEngineTemporary(user), user)
            FileManager.default.createFile(atPath: dir + "/" + user, contents: Data("keep".utf8))
        }
        SafeFiles.removeEngineTemporaries(in: dir)
        XCTAssertEqual(Set(filesUnder(dir)), ["draft.tmp-v2.tex", "static.tmp-1.h5", "x.tmp", ".x.tlspipe-ABC.tmp", "out.h5.tmp-123"])
    }

    func testRelativePaths() {
        XCTAssertEqual(RelativePath.from("/a/figures", to: "/a/data/x.h5"), "../data/x.h5")
        XCTAssertEqual(RelativePath.from("/a/data", to: "/a/data/x.h5"), "x.h5")
        XCTAssertEqual(Workspace(dataDir: "d/").dataDir, Workspace(dataDir: "./d").dataDir)
    }
}
