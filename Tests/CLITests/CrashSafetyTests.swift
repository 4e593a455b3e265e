import Foundation
import TestSupport
import XCTest
import HDF5

/// A driver killed with SIGKILL mid-stage leaves nothing that counts as fresh; the next run
/// completes; two drivers never share a data folder.
final class CrashSafetyTests: XCTestCase {
    let env: [String: String] = [:]

    func spec(seconds: Double) -> String {
        """
        {"name": "slow", "stages": [
          {"id": "quick", "kind": "debug-sleep", "params": {"seconds": 0}},
          {"id": "slow", "kind": "debug-sleep", "params": {"seconds": \(seconds)}, "inputs": {"upstream": "quick"}}
        ]}
        """
    }

    func waitFor(_ condition: () -> Bool, timeout: Double = 30) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    func testSigkillMidStageLeavesNothingFreshAndNextRunCompletes() throws {
        let s = Scratch()
        s.write(spec(seconds: 3))
        let p = try CLI.start(["run", "spec.json"], in: s.dir, env: env, testkit: true)
        // The slow stage has begun writing its temporary file: kill the driver there.
        XCTAssertTrue(waitFor { filesUnder(s.dir + "/data/spec").contains { $0.hasPrefix(".slow.h5.tlspipe-") } })
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data/spec/slow.h5"))
        let status = try CLI.run(["status", "spec.json", "--json"], in: s.dir, env: env, testkit: true)
        XCTAssertEqual(status.status, 0, status.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(json.map { $0["fresh"] as! Bool }, [true, false], "the finished stage survives, the killed one is stale")
        // The next run completes, runs only the killed stage, and clears the leftover temporary.
        let again = try CLI.run(["run", "spec.json"], in: s.dir, env: env, testkit: true)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("ran 1 stage"), again.stdout)
        XCTAssertTrue(filesUnder(s.dir + "/data/spec").allSatisfy { !$0.hasSuffix(".tmp") }, "\(filesUnder(s.dir + "/data/spec"))")
        let after = try CLI.run(["run", "spec.json"], in: s.dir, env: env, testkit: true)
        XCTAssertTrue(after.stdout.contains("nothing to do"), after.stdout)
    }

    func testSecondDriverOnSameFolderIsRefused() throws {
        let s = Scratch()
        s.write(spec(seconds: 5))
        let p = try CLI.start(["run", "spec.json"], in: s.dir, env: env, testkit: true)
        XCTAssertTrue(waitFor { filesUnder(s.dir + "/data/spec").contains { $0.hasPrefix(".slow.h5.tlspipe-") } })
        let second = try CLI.run(["run", "spec.json"], in: s.dir, env: env, testkit: true)
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains("another tlspipe"), second.stderr)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }
}
