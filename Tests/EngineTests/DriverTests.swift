import Foundation
import TestSupport
import XCTest
@testable import PipelineEngine

/// The engine with a physics-free stage kind: staleness, reruns, sweeps, corruption.
final class DriverTests: XCTestCase {
    /// a → b → c, and d on its own.
    func chainSpec(bValue: Double = 1, note: String = "") -> String {
        """
        {"name": "chain", "stages": [
          {"id": "a", "kind": "recorder", "params": {"value": 1}},
          {"id": "b", "kind": "recorder", "params": {"value": \(bValue), "note": "\(note)"}, "inputs": {"upstream": "a"}},
          {"id": "c", "kind": "recorder", "params": {"value": 3}, "inputs": {"upstream": ["b", "a"]}},
          {"id": "d", "kind": "recorder", "params": {"value": 4}}
        ]}
        """
    }

    func testSecondRunRunsNothing() throws {
        let s = Scratch()
        s.write(chainSpec())
        XCTAssertEqual(Set(try s.run(jobs: 2)), ["a", "b", "c", "d"])
        XCTAssertEqual(try s.run(jobs: 2), [])
        XCTAssertTrue(try s.driver().planner.plan().stages.allSatisfy { $0.fresh })
    }

    func testChangingOneParameterRerunsExactlyThatStageAndDependents() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        s.write(chainSpec(bValue: 2))
        let st = Dictionary(uniqueKeysWithValues: try s.driver().planner.plan().stages.map { ($0.id, $0) })
        XCTAssertTrue(st["a"]!.fresh && st["d"]!.fresh)
        XCTAssertEqual(st["b"]!.reasons, [.parameterChanged(name: "value", old: "1.0", new: "2.0")])
        XCTAssertEqual(st["b"]!.decision, .stale)
        // c's own record matches: it waits for b, and runs only if b's content changes.
        XCTAssertEqual(st["c"]!.reasons, [])
        XCTAssertEqual(st["c"]!.decision, .mustBuildToKnow)
        XCTAssertEqual(st["c"]!.staleInputs.map(\.stage), ["b"])
        XCTAssertEqual(try s.run(), ["b", "c"])
        XCTAssertEqual(try s.run(), [])
        // A note changes b's key, and b reruns; its output is the same bytes (the note is not
        // written), so c is cut off: it does not run.
        s.write(chainSpec(bValue: 2, note: "x"))
        XCTAssertEqual(try s.run(), ["b"])
    }

    func testCodeVersionChangeIsNamed() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let st = try s.driver(version: 2).planner.plan().stages
        XCTAssertEqual(st.first { $0.id == "a" }!.reasons, [.codeVersionChanged(old: 1, new: 2)])
        XCTAssertEqual(Set(try s.run(version: 2)), ["a", "b", "c", "d"])
    }

    func testCorruptedArtifactIsDetectedAndRebuilt() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let path = s.workspace.dataDir + "/a.txt"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try "tampered\n".write(toFile: path, atomically: false, encoding: .utf8)
        let a = try s.driver().planner.plan().stages.first { $0.id == "a" }!
        XCTAssertFalse(a.fresh)
        XCTAssertEqual(a.reasons.map(\.code), ["output_modified"])
        // Rebuilt with the same bytes as before, so consumers keep their keys (early cut-off).
        XCTAssertEqual(try s.run(), ["a"])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), original)
        // A deleted artifact is rebuilt too.
        try FileManager.default.removeItem(atPath: s.workspace.dataDir + "/c.txt")
        XCTAssertEqual(try s.run(), ["c"])
    }

    func testTargetRunsOnlyWhatItNeeds() throws {
        let s = Scratch()
        s.write(chainSpec())
        XCTAssertEqual(try s.run(targets: ["b"]), ["a", "b"])
        XCTAssertEqual(Set(try s.run()), ["c", "d"])
    }

    func testFailedStageSkipsDependentsAndKeepsOthers() throws {
        let s = Scratch()
        s.write("""
        {"name": "f", "stages": [
          {"id": "a", "kind": "recorder", "params": {"value": 1, "fail": true}},
          {"id": "b", "kind": "recorder", "params": {"value": 2}, "inputs": {"upstream": "a"}},
          {"id": "d", "kind": "recorder", "params": {"value": 4}}
        ]}
        """)
        let summary = try s.driver().run(RunOptions(jobs: 2))
        XCTAssertEqual(summary.failed.map(\.0), ["a"])
        XCTAssertEqual(summary.skipped, ["b"])
        XCTAssertEqual(summary.ran, ["d"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.workspace.dataDir + "/a.txt"))
        XCTAssertTrue(filesUnder(s.workspace.dataDir).allSatisfy { !$0.hasSuffix(".tmp") })
    }

    func testSweepsExpandLinkAndAggregate() throws {
        let s = Scratch()
        s.write("""
        {"name": "sweep", "defaults": {"note": "shared"}, "stages": [
          {"id": "src", "kind": "recorder", "sweep": {"value": [0.5, 2]}},
          {"id": "per", "kind": "recorder", "sweep": {"value": [0.5, 2]}, "inputs": {"upstream": "src"}},
          {"id": "all", "kind": "recorder", "params": {"value": 9}, "inputs": {"upstream": "per"}}
        ]}
        """)
        let d = try s.driver()
        XCTAssertEqual(d.pipeline.instances.map(\.id), ["src@value=0.5", "src@value=2.0", "per@value=0.5", "per@value=2.0", "all"])
        XCTAssertEqual(d.pipeline.instance("per@value=2.0")!.dependencies, ["src@value=2.0"])
        XCTAssertEqual(d.pipeline.instance("all")!.dependencies, ["per@value=0.5", "per@value=2.0"])
        XCTAssertEqual(d.pipeline.instance("all")!.params.string("note"), "shared")
        XCTAssertEqual(try s.run(jobs: 2).count, 5)
        let all = try String(contentsOfFile: s.workspace.dataDir + "/all.txt", encoding: .utf8)
        XCTAssertTrue(all.contains("from per@value=0.5") && all.contains("from per@value=2.0"), all)
    }

    func testStageKeyDependsOnEverythingItShould() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let k1 = try s.driver().planner.plan().stages.map { $0.expectedKey }
        let k2 = try s.driver().planner.plan().stages.map { $0.expectedKey }
        XCTAssertEqual(k1, k2)
        XCTAssertEqual(Set(k1.compactMap { $0 }).count, 4, "distinct stages have distinct keys")
        // Canonical parameters: key order and 1 vs 1.0 do not matter.
        let reg = s.registry()
        let p1 = try SpecLoader(registry: reg).parse(try JSONValue.parse(#"{"name":"x","stages":[{"id":"a","kind":"recorder","params":{"value":1,"note":"n"}}]}"#), file: "x")
        let p2 = try SpecLoader(registry: reg).parse(try JSONValue.parse(#"{"name":"x","stages":[{"id":"a","kind":"recorder","params":{"note":"n","value":1.0}}]}"#), file: "x")
        XCTAssertEqual(p1.instances[0].params.json.canonical, p2.instances[0].params.json.canonical)
    }

    /// Early cut-off on content: a deleted artifact is rebuilt; its bytes come out the same, so
    /// nothing downstream runs. `status` before the run says so (b, c wait), and a run agrees.
    func testDeletedArtifactRebuiltIdenticallyStopsTheRebuild() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        try FileManager.default.removeItem(atPath: s.workspace.dataDir + "/a.txt")
        let plan = try s.driver().planner.plan()
        XCTAssertEqual(plan["a"]!.decision, .stale)
        XCTAssertEqual(plan["b"]!.decision, .mustBuildToKnow)
        XCTAssertEqual(plan["c"]!.decision, .mustBuildToKnow)
        let summary = try s.driver().run(RunOptions())
        XCTAssertEqual(summary.ran, ["a"])
        XCTAssertEqual(Set(summary.unchanged), ["b", "c"])
        XCTAssertTrue(try s.driver().planner.plan().stages.allSatisfy { $0.fresh })
    }

    /// Any spelling of the same folders is the same run.
    func testFolderSpellingsAreTheSameRun() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let reg = s.registry()
        let pipeline = try SpecLoader(registry: reg).load(file: s.spec)
        for spelling in [s.dir + "/data/", s.dir + "/./data", s.dir + "/data//"] {
            let d = Driver(pipeline: pipeline, registry: reg, workspace: Workspace(dataDir: spelling, figuresDir: s.dir + "/figures"))
            XCTAssertTrue(d.planner.plan().stages.allSatisfy { $0.fresh }, spelling)
        }
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(s.dir)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        let relative = Driver(pipeline: pipeline, registry: reg, workspace: Workspace(dataDir: "data", figuresDir: "figures"))
        XCTAssertTrue(relative.planner.plan().stages.allSatisfy { $0.fresh })
    }

    func testForceRebuildsNamedStagesOnly() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let summary = try s.driver().run(RunOptions(force: ["b"]))
        XCTAssertEqual(summary.ran, ["b"])
        XCTAssertEqual(summary.unchanged, ["c"], "c keeps its record: b came out identical")
        XCTAssertThrowsError(try s.driver().run(RunOptions(force: ["nope"])))
    }

    func testCorruptRecordSaysSo() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        try "{not json".write(toFile: s.workspace.dataDir + "/.tlspipe/records/a.json", atomically: true, encoding: .utf8)
        let a = try s.driver().planner.plan()["a"]!
        XCTAssertEqual(a.reasons.map(\.code), ["record_unreadable"])
        XCTAssertEqual(try s.run(), ["a"])
    }

    /// `accept`: a change known not to matter is taken without a rebuild, and recorded.
    func testAcceptTakesARecipeChangeWithoutRebuilding() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        s.write(chainSpec(note: "a comment"))
        XCTAssertEqual(try s.driver().planner.plan()["b"]!.reasons.map(\.code), ["parameter_changed"])
        let accepted = try s.driver().accept(["b"])
        XCTAssertEqual(accepted.map(\.0), ["b"])
        XCTAssertTrue(try s.driver().planner.plan().stages.allSatisfy { $0.fresh })
        XCTAssertEqual(try s.run(), [])
        let record = try String(contentsOfFile: s.workspace.dataDir + "/.tlspipe/records/b.json", encoding: .utf8)
        XCTAssertTrue(record.contains("\"accepted\"") && record.contains("parameter_changed"), record)
        // Data cannot be accepted: a modified artifact must be rebuilt.
        try "tampered".write(toFile: s.workspace.dataDir + "/a.txt", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try s.driver().accept(["a"]))
    }

    /// `clean --orphans` removes only what no stage of the spec produces any more; `outputs` lists files and states.
    func testCleanOrphansAndOutputs() throws {
        let s = Scratch()
        func spec(_ values: String) -> String {
            #"{"name": "sw", "stages": [{"id": "src", "kind": "recorder", "sweep": {"value": [\#(values)]}}]}"#
        }
        s.write(spec("1, 2, 3"))
        XCTAssertEqual(try s.run().count, 3)
        s.write(spec("1, 2"))
        let outs = try s.driver().outputs()
        XCTAssertEqual(outs.map(\.state), ["fresh", "fresh"])
        let removed = try s.driver().clean(orphansOnly: true)
        XCTAssertTrue(removed.contains(s.workspace.dataDir + "/src@value=3.0.txt"), "\(removed)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.workspace.dataDir + "/src@value=1.0.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.workspace.dataDir + "/src@value=3.0.txt"))
        XCTAssertEqual(try s.run(), [])
        // A full clean removes the spec's files; the next run rebuilds them.
        _ = try s.driver().clean(orphansOnly: false)
        XCTAssertEqual(try s.driver().outputs().map(\.state), ["missing", "missing"])
        XCTAssertEqual(try s.run().count, 2)
    }

    /// A tamper that keeps size, mtime and inode is invisible to the stat shortcut; `rehash`
    /// (run/status --rehash) hashes every artifact and finds it.
    func testRehashFindsATamperThatKeepsTheStat() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let path = s.workspace.dataDir + "/a.txt"
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var bytes = [UInt8](original)
        bytes[0] = bytes[0] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        let fd = open(path, O_WRONLY)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
        close(fd)
        var times = [st.st_atim, st.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        XCTAssertTrue(try s.driver().planner.plan()["a"]!.fresh, "same size, mtime and inode: the stat shortcut trusts it")
        let deep = try s.driver().planner.plan(files: DiskFiles(rehash: true))
        XCTAssertEqual(deep["a"]!.reasons.map(\.code), ["output_modified"])
    }
}
