import Foundation
import HDF5
import XCTest

/// Sharded stages: identical numbers however they are split; finished shards survive a failure.
final class ShardingTests: XCTestCase {
    func ftlmSpec(shards: Int) -> String {
        """
        {"name": "ftlm", "stages": [
          {"id": "ft", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [0.3, 1],
            "lanczos_steps": 30, "random_vectors": 6, "batches": 6, "seed": 9, "shards": \(shards)}},
          {"id": "dc", "kind": "dc", "inputs": {"spectrum": "ft"}, "params": {"delta_min": 0.02, "delta_max": 0.1}}
        ]}
        """
    }

    func read(_ path: String, _ names: [String]) throws -> [[Double]] {
        let f = try HDF5File.open(path)
        defer { f.close() }
        return try names.map { try f.root.readDoubles($0).values }
    }

    func testShardedEqualsUnshardedBitForBit() throws {
        let s = Scratch()
        var results: [[[Double]]] = []
        for shards in [1, 3, 6] {
            s.write(ftlmSpec(shards: shards), to: "s\(shards).json")
            let out = try CLI.run(["run", "s\(shards).json", "--jobs", "2", "--data-dir", "d\(shards)"], in: s.dir)
            XCTAssertEqual(out.status, 0, out.stderr)
            results.append(try read(s.dir + "/d\(shards)/ft.h5", ["weight", "batch_weight", "drude_weight", "kinetic_energy"])
                           + (try read(s.dir + "/d\(shards)/dc.h5", ["rho", "rho_low", "rho_high"])))
            XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/d\(shards)/.tlspipe/shards/ft"), "shard files are removed after the merge")
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }

    func testFinishedShardsSurviveAFailedRun() throws {
        let s = Scratch()
        s.write(#"{"name": "sh", "stages": [{"id": "x", "kind": "debug-shards", "params": {"shards": 4, "log": "shards.log"}}]}"#)
        let env = ["TLSPIPE_DEBUG_KINDS": "1"]
        let failed = try CLI.run(["run", "spec.json", "--jobs", "2"], in: s.dir, env: env.merging(["TLSPIPE_DEBUG_FAIL_SHARD": "2"]) { $1 })
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("shard 3/4"), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data/x.h5"))
        let firstLog = try String(contentsOfFile: s.dir + "/shards.log", encoding: .utf8).split(separator: "\n").sorted()
        XCTAssertEqual(firstLog, ["0", "1", "3"])
        try FileManager.default.removeItem(atPath: s.dir + "/shards.log")
        let again = try CLI.run(["run", "spec.json", "--jobs", "2"], in: s.dir, env: env)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOfFile: s.dir + "/shards.log", encoding: .utf8), "2\n", "only the missing shard reruns")
        XCTAssertEqual(try read(s.dir + "/data/x.h5", ["values"]), [[0, 1, 4, 9]])
    }
}
