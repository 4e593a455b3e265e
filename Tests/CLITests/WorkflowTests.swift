import Foundation
import TestSupport
import XCTest

/// The everyday loop at the terminal: specs that share ids, explain, outputs, clean.
final class WorkflowTests: XCTestCase {
    func spec(_ sites: Int, title: String = "") -> String {
        #"""
        {"name": "w", "stages": [
          {"id": "static", "kind": "static-disorder", "params": {"sites": \#(sites), "realizations": 2, "batches": 2, "seed": 1, "temperatures": [1]}},
          {"id": "filtered", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "static"}},
          {"id": "fig", "kind": "figure", "params": {"name": "w", "recipe": "spectra", "temperature": 1, "title": "\#(title)"}, "inputs": {"curves": "filtered"}}
        ]}
        """#
    }

    /// Two specs with the same stage ids keep their own default folders.
    func testSpecsWithTheSameIdsDoNotTouchEachOther() throws {
        let s = Scratch()
        s.write(spec(20), to: "a.json")
        s.write(spec(30), to: "b.json")
        XCTAssertEqual(try CLI.run(["run", "a.json"], in: s.dir).status, 0)
        XCTAssertEqual(try CLI.run(["run", "b.json"], in: s.dir).status, 0)
        for name in ["a.json", "b.json"] {
            XCTAssertTrue(try CLI.run(["run", name], in: s.dir).stdout.contains("nothing to do"), name)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/data/a/static.h5"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/data/b/static.h5"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.dir + "/figures/b/w.pdf"))
    }

    /// explain gives the stage's own reasons first, then the upstream root cause.
    func testExplainNamesOwnReasonsAndTheUpstreamCause() throws {
        let s = Scratch()
        s.write(spec(20))
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        s.write(spec(24, title: "new title"))
        let out = try CLI.run(["explain", "spec.json", "fig"], in: s.dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        let own = lines.firstIndex { $0.contains("parameter title changed") }
        let cause = lines.firstIndex { $0.contains("because static changed") && $0.contains("parameter sites changed: 20 → 24") }
        XCTAssertNotNil(own, out.stdout)
        XCTAssertNotNil(cause, out.stdout)
        if let own, let cause { XCTAssertLessThan(own, cause, "own reasons first") }
        let json = try CLI.run(["status", "spec.json", "--json"], in: s.dir)
        XCTAssertTrue(json.stdout.contains("\"code\": \"parameter_changed\""), json.stdout)
    }

    func testOutputsCleanAndForceFromTheCommandLine() throws {
        let s = Scratch()
        s.write(spec(20))
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        let outputs = try CLI.run(["outputs", "spec.json"], in: s.dir)
        XCTAssertTrue(outputs.stdout.contains("fresh   data/spec/static.h5  (static)"), outputs.stdout)
        XCTAssertTrue(outputs.stdout.contains("figures/spec/w.pdf"), outputs.stdout)
        let forced = try CLI.run(["run", "spec.json", "--force", "static"], in: s.dir)
        XCTAssertTrue(forced.stdout.contains("ran 1 stage(s), 2 kept"), forced.stdout)
        let clean = try CLI.run(["clean", "spec.json"], in: s.dir)
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data/spec/static.h5"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/figures/spec/w.pdf"))
    }
}

/// The progress display on a pseudo-terminal (through `script`), and none when output is not one.
final class ProgressDisplayTests: XCTestCase {
    func testProgressOnATerminalAndQuietOtherwise() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) is not installed")
        let s = Scratch()
        s.write(#"{"name": "f", "stages": [{"id": "ft", "kind": "ftlm", "params": {"sites": 10, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 100, "random_vectors": 4, "batches": 4, "seed": 1, "shards": 2}}]}"#)
        let (status, text) = try runProgram("/usr/bin/script", ["-qec", "env -u CI '\(CLI.binary)' run spec.json", "/dev/null"], in: s.dir)
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("%") && text.contains("random vector") && text.contains("sector"), text)
        XCTAssertTrue(text.contains("done ft in"), "compact log lines on a terminal: \(text)")
        XCTAssertFalse(text.contains("info tlspipe"), "no timestamp or logger label on a terminal: \(text)")
        // Not a terminal: plain lines, no carriage returns.
        let plain = try CLI.run(["run", "spec.json", "--force", "ft"], in: s.dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(plain.stderr.contains("\r") || plain.stdout.contains("\r"), plain.stderr)
        let quiet = try CLI.run(["run", "spec.json", "--force", "ft", "--quiet"], in: s.dir, env: ["TLSPIPE_LOG": "info"])
        XCTAssertFalse(quiet.stderr.contains("done ft"), quiet.stderr)
    }
}

/// The `rho` recipe overlays ρ(T) from any dc, DMFT and RTA inputs, and needs at least one.
final class RhoRecipeTests: XCTestCase {
    func testRhoRecipeDrawsEveryMethodAndNeedsAnInput() throws {
        let s = Scratch()
        s.write(#"""
        {"name": "rho", "stages": [
          {"id": "static", "kind": "static-disorder", "params": {"sites": 60, "realizations": 4, "seed": 1, "temperatures": [0.5, 1, 2]}},
          {"id": "rta", "kind": "rta", "params": {"omega0": 0.5}, "inputs": {"static": "static"}},
          {"id": "ft", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [0.5, 1, 2], "lanczos_steps": 40, "random_vectors": 2, "batches": 2, "seed": 1}},
          {"id": "dc", "kind": "dc", "params": {"paper_band": true}, "inputs": {"spectrum": "ft"}},
          {"id": "fig", "kind": "figure", "params": {"name": "rho", "recipe": "rho"}, "inputs": {"dc": "dc", "rta": "rta"}}
        ]}
        """#)
        let out = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        let table = try String(contentsOfFile: s.dir + "/figures/spec/rho.dat", encoding: .utf8)
        XCTAssertTrue(table.contains("FTLM (N = 6, g = 1, ω0 = 0.5)") && table.contains("RTA (N = 60"), table)
        s.write(#"{"name": "x", "stages": [{"id": "fig", "kind": "figure", "params": {"name": "rho", "recipe": "rho"}}]}"#, to: "empty.json")
        let empty = try CLI.run(["validate", "empty.json"], in: s.dir)
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.contains("needs at least one of the inputs dc, dmft, rta"), empty.stderr)
    }
}
