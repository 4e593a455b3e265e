import Foundation
import HDF5
import Physics
import PipelineEngine
import TestSupport
import XCTest

/// The built binary against planted files, full disks, special files and odd options: exit 0, 1
/// or 2 with one line, never a trap, and nothing written where it should not be.
final class CLISafetyTests: XCTestCase {
    let staticSpec = #"""
    {"name": "small", "stages": [
      {"id": "static", "kind": "static-disorder", "params": {"sites": 40, "realizations": 4, "batches": 2, "seed": 1, "temperatures": [0.5, 1]}},
      {"id": "filtered", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "static"}},
      {"id": "rta", "kind": "rta", "params": {"omega0": 0.1}, "inputs": {"static": "static"}}
    ]}
    """#

    func assertOneLine(_ out: CLI.Output, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(out.stderr.contains("Fatal error") || out.stderr.contains("Backtrac") || out.stderr.contains("Crash")
                       || out.stderr.contains("NSCocoaErrorDomain"), "\(what): \(out.stderr)", file: file, line: line)
        XCTAssertTrue([0, 1, 2].contains(out.status), "\(what): exit \(out.status): \(out.stderr)", file: file, line: line)
    }

    /// Deleting an HDF5 artifact rebuilds exactly that stage: its datasets come out identical,
    /// so the planner's early cut-off keeps both consumers (HDF5 writes are deterministic).
    func testDeletedArtifactRebuildsExactlyOneStage() throws {
        let s = Scratch()
        s.write(staticSpec)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        try FileManager.default.removeItem(atPath: s.dir + "/data/spec/static.h5")
        let dry = try CLI.run(["run", "spec.json", "--dry-run"], in: s.dir)
        XCTAssertTrue(dry.stdout.contains("would run static"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("may run   filtered"), dry.stdout)
        let again = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("ran 1 stage(s), 2 kept"), again.stdout)
    }

    /// Changing an execution-only parameter (shards) reruns nothing.
    func testChangingShardsRerunsNothing() throws {
        let s = Scratch()
        func spec(_ shards: Int) -> String {
            #"{"name": "f", "stages": [{"id": "ft", "kind": "ftlm", "params": {"sites": 4, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 10, "random_vectors": 2, "batches": 2, "seed": 1, "shards": \#(shards)}}]}"#
        }
        s.write(spec(1))
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        s.write(spec(2))
        let again = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertTrue(again.stdout.contains("nothing to do"), again.stdout + again.stderr)
    }

    /// Symlinks planted in the state folder are never followed.
    func testPlantedSymlinksAreNotFollowed() throws {
        let s = Scratch()
        s.write(staticSpec)
        let victim = s.dir + "/victim.txt"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: s.dir + "/data/spec/.tlspipe", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: s.dir + "/data/spec/.tlspipe/lock", withDestinationPath: victim)
        let out = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertEqual(out.status, 1, out.stderr)
        XCTAssertTrue(out.stderr.contains("symlink"), out.stderr)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n", "the lock's target is untouched")

        // A symlinked shard folder pointing at a folder with a file that looks like a temporary.
        try FileManager.default.removeItem(atPath: s.dir + "/data/spec/.tlspipe/lock")
        let victimDir = s.dir + "/victimdir"
        try FileManager.default.createDirectory(atPath: victimDir, withIntermediateDirectories: true)
        try "keep".write(toFile: victimDir + "/.x.h5.tlspipe-abcdefghijkl.tmp", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: s.dir + "/data/ftlm/.tlspipe/shards", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: s.dir + "/data/ftlm/.tlspipe/shards/ft", withDestinationPath: victimDir)
        s.write(#"{"name": "f", "stages": [{"id": "ft", "kind": "ftlm", "params": {"sites": 4, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 10, "random_vectors": 2, "batches": 2, "seed": 1}}]}"#, to: "ftlm.json")
        let sharded = try CLI.run(["run", "ftlm.json"], in: s.dir)
        XCTAssertEqual(sharded.status, 1, sharded.stderr)
        XCTAssertTrue(sharded.stderr.contains("symlink"), sharded.stderr)
        XCTAssertEqual(filesUnder(victimDir), [".x.h5.tlspipe-abcdefghijkl.tmp"], "nothing written into or deleted from the link's target")
    }

    /// Cleanup removes only the engine's own temporaries; a user's look-alikes and a stage whose
    /// id contains ".tmp-" keep their files.
    func testCleanupSparesUsersFiles() throws {
        let s = Scratch()
        s.write(#"{"name": "t", "stages": [{"id": "static.tmp-1", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "batches": 2, "seed": 1, "temperatures": [1]}}]}"#)
        try FileManager.default.createDirectory(atPath: s.dir + "/data/spec", withIntermediateDirectories: true)
        try "draft".write(toFile: s.dir + "/data/spec/draft.tmp-v2.tex", atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        let again = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertTrue(again.stdout.contains("nothing to do"), again.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/data/spec/draft.tmp-v2.tex"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/data/spec/static.tmp-1.h5"))
    }

    /// A kept shard whose bytes changed is recomputed, never merged.
    func testCorruptKeptShardIsRecomputed() throws {
        let s = Scratch()
        s.write(#"{"name": "sh", "stages": [{"id": "x", "kind": "debug-shards", "params": {"shards": 4, "log": "shards.log"}}]}"#)
        let env: [String: String] = [:]
        let failed = try CLI.run(["run", "spec.json"], in: s.dir, env: env.merging(["TLSPIPE_DEBUG_FAIL_SHARD": "2"]) { $1 }, testkit: true)
        XCTAssertEqual(failed.status, 1)
        try FileManager.default.removeItem(atPath: s.dir + "/shards.log")
        let shardDir = s.dir + "/data/spec/.tlspipe/shards/x"
        let shard = try XCTUnwrap(filesUnder(shardDir).first { $0.contains("shard2of4") && $0.hasSuffix(".h5") })
        // Flip one byte in the middle, and empty another shard.
        let h = try XCTUnwrap(FileHandle(forUpdatingAtPath: shardDir + "/" + shard))
        let size = try h.seekToEnd()
        try h.seek(toOffset: size / 2)
        let byte = try h.read(upToCount: 1)![0]
        try h.seek(toOffset: size / 2)
        h.write(Data([byte ^ 0xFF]))
        try h.close()
        let first = try XCTUnwrap(filesUnder(shardDir).first { $0.contains("shard1of4") && $0.hasSuffix(".h5") })
        try Data().write(to: URL(fileURLWithPath: shardDir + "/" + first))
        let again = try CLI.run(["run", "spec.json"], in: s.dir, env: env, testkit: true)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOfFile: s.dir + "/shards.log", encoding: .utf8).split(separator: "\n").sorted(), ["0", "1", "2"])
        let f = try HDF5File.open(s.dir + "/data/spec/x.h5")
        defer { f.close() }
        XCTAssertEqual(try f.root.readDoubles("values").values, [0, 1, 4, 9])
    }

    /// A full disk fails the stage with errno's text, exit 1, leaves nothing half-written, and
    /// the next run (with space) completes. Needs a small tmpfs (root in a sandbox that allows
    /// mounts); skipped with the reason otherwise.
    func testFullDiskFailsCleanlyAndRecovers() throws {
        let mnt = FileManager.default.temporaryDirectory.appendingPathComponent("tlspipe-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mnt) }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=96k", "tmpfs", mnt]
        mount.standardError = FileHandle.nullDevice
        try? mount.run()
        mount.waitUntilExit()
        try XCTSkipUnless(mount.terminationStatus == 0, "cannot mount a small tmpfs here (needs root and mount rights)")
        defer {
            let u = Process()
            u.executableURL = URL(fileURLWithPath: "/bin/umount")
            u.arguments = [mnt]
            try? u.run()
            u.waitUntilExit()
        }
        let s = Scratch()
        s.write(#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": 40, "realizations": 4, "seed": 1, "temperatures": [0.5, 1, 2, 5]}}]}"#)
        let full = try CLI.run(["run", "spec.json", "--data-dir", mnt + "/data", "--figures-dir", mnt + "/figures"], in: s.dir)
        assertOneLine(full, "full disk")
        XCTAssertEqual(full.status, 1, full.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: mnt + "/data/s.h5"))
        XCTAssertTrue(filesUnder(mnt + "/data").allSatisfy { !$0.hasSuffix(".tmp") && !$0.hasSuffix(".h5") }, "\(filesUnder(mnt + "/data"))")
        // With room, the same folder recovers.
        let u = Process()
        u.executableURL = URL(fileURLWithPath: "/bin/mount")
        u.arguments = ["-o", "remount,size=16m", mnt]
        try u.run()
        u.waitUntilExit()
        let again = try CLI.run(["run", "spec.json", "--data-dir", mnt + "/data", "--figures-dir", mnt + "/figures"], in: s.dir)
        XCTAssertEqual(again.status, 0, again.stderr)
    }

    func testAuditExitCodesAndSpecialFiles() throws {
        let s = Scratch()
        s.write(staticSpec)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        let missing = try CLI.run(["audit", "data/spec/nothing.h5"], in: s.dir)
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertEqual(try CLI.run(["audit", "data/spec/rta.h5"], in: s.dir).status, 0)
        // From another working folder: input paths are stored relative to the artifact's folder.
        let elsewhere = try CLI.run(["audit", s.dir + "/data/spec/rta.h5"], in: "/")
        XCTAssertEqual(elsewhere.status, 0, elsewhere.stdout + elsewhere.stderr)
        XCTAssertTrue(elsewhere.stdout.contains("[sha256 ok]"), elsewhere.stdout)
        // A changed input: exit 1.
        try FileManager.default.removeItem(atPath: s.dir + "/data/spec/static.h5")
        try FileManager.default.createSymbolicLink(atPath: s.dir + "/data/spec/static.h5", withDestinationPath: "/dev/zero")
        let changed = try CLI.run(["audit", "data/spec/rta.h5"], in: s.dir)
        XCTAssertEqual(changed.status, 1, changed.stdout)
        XCTAssertTrue(changed.stdout.contains("[MISSING]") || changed.stdout.contains("[CHANGED"), changed.stdout)
        // Special files never hang a command.
        for args in [["status", "spec.json"], ["run", "spec.json", "--dry-run"], ["audit", "/dev/zero"],
                     ["compute", "filter", "delta=0.1", "--input", "spectrum=/dev/zero", "--output", "f.h5"], ["validate", "/dev/zero"]] {
            let out = try CLI.run(args, in: s.dir)
            assertOneLine(out, args.joined(separator: " "))
        }
        // A record path that is a folder, not a file: a message, not a Foundation dump.
        try FileManager.default.removeItem(atPath: s.dir + "/data/spec/.tlspipe/records/rta.json")
        try FileManager.default.createDirectory(atPath: s.dir + "/data/spec/.tlspipe/records/rta.json", withIntermediateDirectories: true)
        let st = try CLI.run(["status", "spec.json"], in: s.dir)
        assertOneLine(st, "record is a folder")
        XCTAssertTrue(st.stdout.contains("record cannot be read") || st.stdout.contains("its record cannot be read"), st.stdout)
    }

    func testOptionsAndComputeOutputs() throws {
        let s = Scratch()
        let jobs = try CLI.run(["run", "spec.json", "--jobs", "-1"], in: s.dir)
        XCTAssertEqual(jobs.status, 2)
        XCTAssertTrue(jobs.stderr.contains("--jobs"), jobs.stderr)
        // A figure computed ad hoc lands where --output says.
        s.write(staticSpec)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        let fig = try CLI.run(["compute", "figure", "recipe=spectra", "temperature=1", "--input", "curves=data/spec/filtered.h5",
                               "--output", "x/abc.pdf"], in: s.dir)
        XCTAssertEqual(fig.status, 0, fig.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/x/abc.pdf"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/x/abc.provenance.json"))
        // A title with '/' is only text; a quote in the spec name gives valid DOT.
        s.write(#"{"name": "a \"quoted\" spec", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1]}}]}"#, to: "q.json")
        let dot = try CLI.run(["graph", "q.json"], in: s.dir)
        XCTAssertTrue(dot.stdout.hasPrefix("digraph \"a \\\"quoted\\\" spec\""), dot.stdout)
        // compute names its input's physics from the artifact: dc paper_band on a filter-free ftlm file.
        s.write(#"{"name": "f", "stages": [{"id": "ft", "kind": "ftlm", "params": {"sites": 4, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 10, "random_vectors": 2, "batches": 2, "seed": 1}}]}"#, to: "f.json")
        XCTAssertEqual(try CLI.run(["run", "f.json"], in: s.dir).status, 0)
        let dc = try CLI.run(["compute", "dc", "paper_band=true", "--input", "spectrum=data/f/ft.h5", "--output", "dc.h5"], in: s.dir)
        XCTAssertEqual(dc.status, 0, dc.stderr)
    }

    /// Text from a spec never runs as a command: gnuplot executes backquoted text even inside
    /// strings and comments, and a newline would start a line of its own.
    func testFigureTextCannotRunCommands() throws {
        let s = Scratch()
        let marker = s.dir + "/pwned"
        let title = "a/b `touch \(marker)` \nsystem('touch \(marker)2') \" ' $HOME"
        let spec = JSONValue.object([("name", .string("t")), ("stages", .array([
            try JSONValue.parse(#"{"id": "s", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1]}}"#),
            try JSONValue.parse(#"{"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "s"}}"#),
            .object([("id", .string("fig")), ("kind", .string("figure")), ("inputs", .object([("curves", .string("f"))])),
                     ("params", .object([("name", .string("a")), ("recipe", .string("spectra")), ("temperature", .double(1)),
                                         ("title", .string(title))]))]),
        ]))])
        s.write(spec.pretty)
        let out = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "backquotes ran a command")
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker + "2"), "a newline started a gnuplot command")
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/figures/spec/a.png"))
    }

    /// Mutated specs and artifacts: only exit codes 0, 1, 2 with a message, never a trap.
    func testFuzzedSpecsAndArtifactsNeverTrap() throws {
        let s = Scratch()
        let base = Array(staticSpec.utf8)
        var rng = Xoshiro256(seed: 20261202)  // the same cases on every machine
        var mutants: [[UInt8]] = []
        for k in 0..<60 {
            var b = base
            switch k % 6 {
            case 0: b[Int(rng.next() % UInt64(b.count))] = UInt8(rng.next() % 256)
            case 1: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            case 2: b = Array(String(repeating: "[", count: 1000 + Int(rng.next() % 5000)).utf8)
            case 3:
                let text = String(decoding: b, as: UTF8.self).replacingOccurrences(of: "\"sites\": 40", with: "\"sites\": \(["1e308", "-1", "0", "2147483648", "1e-300", "9223372036854775807"][Int(rng.next() % 6)])")
                b = Array(text.utf8)
            case 4:
                let text = String(decoding: b, as: UTF8.self).replacingOccurrences(of: "\"delta\": 0.1", with: "\"delta\": \(["1e-300", "1e300", "0", "-0.0", "5e-324"][Int(rng.next() % 5)])")
                b = Array(text.utf8)
            default:
                let i = Int(rng.next() % UInt64(b.count))
                b.insert(contentsOf: Array("{\"a\":[1,2,{\"b\":null}]}".utf8), at: i)
            }
            mutants.append(b)
        }
        for (k, m) in mutants.enumerated() {
            try Data(m).write(to: URL(fileURLWithPath: s.dir + "/m\(k).json"))
            for command in [["validate", "m\(k).json"], ["status", "m\(k).json"]] {
                assertOneLine(try CLI.run(command, in: s.dir), "mutant \(k) \(command[0])")
            }
        }
        // Artifacts: a real one with bytes flipped or truncated, given to compute and audit.
        s.write(staticSpec)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        let good = try Data(contentsOf: URL(fileURLWithPath: s.dir + "/data/spec/static.h5"))
        for k in 0..<12 {
            var b = [UInt8](good)
            if k % 2 == 0 {
                for _ in 0..<8 { b[Int(rng.next() % UInt64(b.count))] ^= UInt8(1 + rng.next() % 255) }
            } else {
                b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            }
            try Data(b).write(to: URL(fileURLWithPath: s.dir + "/bad\(k).h5"))
            assertOneLine(try CLI.run(["audit", "bad\(k).h5"], in: s.dir), "artifact \(k) audit")
            assertOneLine(try CLI.run(["compute", "filter", "delta=0.1", "--input", "spectrum=bad\(k).h5", "--output", "out\(k).h5"], in: s.dir),
                          "artifact \(k) compute")
        }
    }
}
