import Foundation
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
        XCTAssertTrue(try s.driver().checker.statuses().allSatisfy(\.fresh))
    }

    func testChangingOneParameterRerunsExactlyThatStageAndDependents() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        s.write(chainSpec(bValue: 2))
        let st = Dictionary(uniqueKeysWithValues: try s.driver().checker.statuses().map { ($0.id, $0) })
        XCTAssertTrue(st["a"]!.fresh && st["d"]!.fresh)
        XCTAssertEqual(st["b"]!.reasons, ["parameter value changed: 1.0 → 2.0"])
        XCTAssertEqual(st["c"]!.reasons, ["input 'upstream' (stage b) is stale"])
        XCTAssertEqual(try s.run(), ["b", "c"])
        XCTAssertEqual(try s.run(), [])
        // A parameter that does not change the numbers still changes the key: explicit, not clever.
        s.write(chainSpec(bValue: 2, note: "x"))
        XCTAssertEqual(try s.run(), ["b", "c"])
    }

    func testCodeVersionChangeIsNamed() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let st = try s.driver(version: 2).checker.statuses()
        XCTAssertEqual(st.first { $0.id == "a" }!.reasons, ["code changed: recorder implementation version 1 → 2"])
        XCTAssertEqual(Set(try s.run(version: 2)), ["a", "b", "c", "d"])
    }

    func testCorruptedArtifactIsDetectedAndRebuilt() throws {
        let s = Scratch()
        s.write(chainSpec())
        try s.run()
        let path = s.workspace.dataDir + "/a.txt"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try "tampered\n".write(toFile: path, atomically: false, encoding: .utf8)
        let a = try s.driver().checker.statuses().first { $0.id == "a" }!
        XCTAssertFalse(a.fresh)
        XCTAssertTrue(a.reasons.contains { $0.contains("artifact modified") }, "\(a.reasons)")
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
        XCTAssertTrue(filesUnder(s.workspace.dataDir).allSatisfy { !$0.contains(".tmp-") })
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
        let k1 = try s.driver().checker.statuses().map(\.expectedKey)
        let k2 = try s.driver().checker.statuses().map(\.expectedKey)
        XCTAssertEqual(k1, k2)
        XCTAssertEqual(Set(k1.compactMap { $0 }).count, 4, "distinct stages have distinct keys")
        // Canonical parameters: key order and 1 vs 1.0 do not matter.
        let reg = s.registry()
        let p1 = try SpecLoader(registry: reg).parse(try JSONValue.parse(#"{"name":"x","stages":[{"id":"a","kind":"recorder","params":{"value":1,"note":"n"}}]}"#), file: "x")
        let p2 = try SpecLoader(registry: reg).parse(try JSONValue.parse(#"{"name":"x","stages":[{"id":"a","kind":"recorder","params":{"note":"n","value":1.0}}]}"#), file: "x")
        XCTAssertEqual(p1.instances[0].params.json.canonical, p2.instances[0].params.json.canonical)
    }
}
