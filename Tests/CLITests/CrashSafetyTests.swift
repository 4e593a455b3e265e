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

    /// Ctrl-C while a stage computes in OpenBLAS: the driver says what is kept and exits 130,
    /// without a crash. (It used to exit through the libraries' destructors, which freed
    /// OpenBLAS's buffers under a running dgemm: signal 11 and a backtrace after the message, in
    /// about one interrupt of ten of a real stage; `debug-gemm` keeps two threads in dgemm, so
    /// every interrupt lands in one.)
    func testCtrlCDuringAComputationExitsCleanly() throws {
        for wait in [0.2, 0.7] {
            let s = Scratch()
            s.write(#"{"name": "x", "stages": [{"id": "g", "kind": "debug-gemm", "params": {"seconds": 20}}]}"#)
            let p = try CLI.start(["run", "spec.json"], in: s.dir, testkit: true)
            XCTAssertTrue(waitFor { filesUnder(s.dir + "/data/spec").contains { $0.hasPrefix(".g.h5.tlspipe-") } })
            Thread.sleep(forTimeInterval: wait)
            kill(p.processIdentifier, SIGINT)
            let err = String(decoding: (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            _ = (p.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .exit, "after \(wait) s: \(err.prefix(2000))")
            XCTAssertEqual(p.terminationStatus, 130, "after \(wait) s: \(err.prefix(2000))")
            XCTAssertTrue(err.contains("interrupted: every finished stage is kept"), err)
            XCTAssertFalse(err.contains("crashed") || err.contains("Backtrac"), "after \(wait) s: \(err.prefix(2000))")
            XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data/spec/g.h5"))
        }
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
