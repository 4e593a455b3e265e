import Foundation
import TestSupport
import XCTest

/// Malformed specs through the real binary: exit code 2, a message naming the file and the
/// JSON path, and nothing written.
final class SpecErrorTests: XCTestCase {
    let staticStage = #"{"id": "s", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1]}}"#

    /// (spec text, expected JSON path in the message, expected words)
    var cases: [(String, String, String)] {
        [
            (#"{"name": "x", "stages": [ }"#, "line 1, column 27", "invalid JSON"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "nonsense"}]}"#, "stages[0].kind", "unknown stage kind 'nonsense'"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1], "bogus": 1}}]}"#,
             "stages[0].params.bogus", "unknown parameter"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"realizations": 2, "seed": 1, "temperatures": [1]}}]}"#,
             "stages[0].params.sites", "required parameter missing"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": "many", "realizations": 2, "seed": 1, "temperatures": [1]}}]}"#,
             "stages[0].params.sites", "expected an integer"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": -1}, "inputs": {"spectrum": "s"}}]}"#,
             "stages[1].params.delta", "must be > 0"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1, -2]}}]}"#,
             "stages[0].params.temperatures[1]", "must be > 0"),
            (#"{"name": "x", "stages": [{"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "g"}}, {"id": "g", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "f"}}]}"#,
             "inputs.spectrum", "cycle"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "nowhere"}}]}"#,
             "stages[1].inputs.spectrum", "no stage with id 'nowhere'"),
            (#"{"name": "x", "stages": [\#(staticStage), \#(staticStage)]}"#, "stages[1].id", "duplicate id 's'"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "r", "kind": "rta", "sweep": {"omega0": 0.05}, "inputs": {"static": "s"}}]}"#,
             "stages[1].sweep.omega0", "non-empty list"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "r", "kind": "rta", "sweep": {"omega0": [0.05, -1]}, "inputs": {"static": "s"}}]}"#,
             "stages[1].sweep.omega0[1]", "must be > 0"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "r", "kind": "rta", "params": {"omega0": 0.1}}]}"#,
             "stages[1].inputs.static", "required input missing"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": ["s", "s"]}}]}"#,
             "stages[1].inputs.spectrum", "takes one artifact"),
            (#"{"name": "x", "stages": [], "extra": 1}"#, "extra", "unknown key"),
            (#"{"name": "x", "stages": []}"#, "stages", "non-empty list"),
            (#"{"name": "x", "defaults": {"zzz": 1}, "stages": [\#(staticStage)]}"#, "defaults.zzz", "no stage in this spec"),
            (#"{"name": "x", "stages": [{"id": "f", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 20, "random_vectors": 4, "batches": 4, "seed": 1, "target_error": 0.01}}]}"#,
             "stages[0].params.batches", "at least 8 batches"),
            // Engine 2, defect 1: ids are safe file names.
            (#"{"name": "x", "stages": [{"id": "..", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1]}}]}"#,
             "stages[0].id", "must start with a letter or digit"),
            (#"{"name": "x", "stages": [{"id": "\#(String(repeating: "a", count: 251))", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1]}}]}"#,
             "stages[0].id", "at most 100"),
            // Defect 2: sizes implied by parameters are refused before anything is allocated.
            (#"{"name": "x", "stages": [{"id": "f", "kind": "ftlm", "params": {"sites": 20, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 100000, "random_vectors": 4, "batches": 4, "seed": 1}}]}"#,
             "stages[0].params.lanczos_steps", "of memory"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "r", "kind": "rta", "params": {"omega0": 0.1, "omega_max": 1e9}, "inputs": {"static": "s"}}]}"#,
             "stages[1].params.omega_step", "2 million grid points"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "r", "kind": "rta", "params": {"omega0": 0.1, "omega_step": 1e-300}, "inputs": {"static": "s"}}]}"#,
             "stages[1].params.omega_step", "2 million grid points"),
            (#"{"name": "x", "stages": [{"id": "d", "kind": "dmft", "params": {"g": 1, "omega0": 0.5, "temperatures": [1], "omega_max": 1e300}}]}"#,
             "stages[0].params.omega_max", "of memory"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [\#((1...200000).map { "\($0)" }.joined(separator: ","))]}}]}"#,
             "stages[0].params.temperatures", "of memory"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": 20, "g": 1e308, "realizations": 2, "seed": 1, "temperatures": [1]}}]}"#,
             "stages[0].params.g", "histogram bins"),
            (String(repeating: "[", count: 100_000), "line 1", "nested deeper than"),
            // Defect 8: two stages writing one file.
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "s"}}, {"id": "a", "kind": "figure", "params": {"name": "same", "recipe": "spectra", "temperature": 1}, "inputs": {"curves": "f"}}, {"id": "b", "kind": "figure", "params": {"name": "same", "recipe": "spectra", "temperature": 1}, "inputs": {"curves": "f"}}]}"#,
             "stages[3]", "as does stage 'a'"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "s"}}, {"id": "a", "kind": "figure", "params": {"name": "same", "recipe": "spectra", "temperature": 1}, "sweep": {"title": ["x", "y"]}, "inputs": {"curves": "f"}}]}"#,
             "stages[2]", "as does stage"),
            // Defect 12: strict JSON numbers; input kinds checked at validation.
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": 040, "realizations": 2, "seed": 1, "temperatures": [1]}}]}"#,
             "line 1", "leading zero"),
            (#"{"name": "x", "stages": [{"id": "s", "kind": "static-disorder", "params": {"sites": +40, "realizations": 2, "seed": 1, "temperatures": [1]}}]}"#,
             "line 1", "expected a value"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "s"}}, {"id": "ff", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "f"}}]}"#,
             "stages[2].inputs.spectrum", "is a filter stage"),
            // Engine 2 / everyday workflow: run-time failures caught at validate.
            (#"{"name": "x", "stages": [{"id": "d", "kind": "dmft", "params": {"g": 1, "omega0": 0.5, "temperatures": [1]}}, {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "d"}}]}"#,
             "stages[1].inputs.spectrum", "is a dmft stage"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "s"}}, {"id": "fig", "kind": "figure", "params": {"name": "a", "recipe": "spectra", "temperature": 0.7}, "inputs": {"curves": "f"}}]}"#,
             "stages[2].params.temperature", "computes only T = 1.0"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "f", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "s"}}, {"id": "fig", "kind": "figure", "params": {"name": "a", "recipe": "fig1", "temperatures": [1]}, "inputs": {"ftlm": "f"}}]}"#,
             "stages[2].inputs.dc", "needs input 'dc'"),
            (#"{"name": "x", "stages": [{"id": "f", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 20, "random_vectors": 4, "batches": 4, "seed": 1, "exact_window": -1}}]}"#,
             "stages[0].params.exact_window", "must be"),
            // Twist averages: stratified draws need sector batches that divide the strata.
            (#"{"name": "x", "stages": [{"id": "f", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 2, "twists": 4, "temperatures": [1], "lanczos_steps": 20, "random_vectors": 4, "batches": 4, "seed": 1, "twist_sampling": "stratified"}}]}"#,
             "stages[0].params.twist_sampling", "needs batch_over"),
            (#"{"name": "x", "stages": [{"id": "f", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 2, "twists": 4, "temperatures": [1], "lanczos_steps": 20, "random_vectors": 1, "batches": 5, "batch_over": "sectors", "seed": 1, "twist_sampling": "stratified"}}]}"#,
             "stages[0].params.twist_sampling", "multiple of 2 × batches"),
            (#"{"name": "x", "stages": [{"id": "f", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 2, "twists": 4, "temperatures": [1], "lanczos_steps": 20, "random_vectors": 1, "batches": 14, "batch_over": "sectors", "seed": 1}}]}"#,
             "stages[0].params.batches", "must not exceed the 13 momentum sectors"),
            // Sweep overrides: the JSON path names the instance; a value is checked like params.
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "r", "kind": "rta", "sweep": {"omega0": [0.05, 0.1]}, "overrides": {"omega0=0.3": {"omega_step": 0.01}}, "inputs": {"static": "s"}}]}"#,
             #"stages[1].overrides["omega0=0.3"]"#, "no instance 'r@omega0=0.3'"),
            (#"{"name": "x", "stages": [\#(staticStage), {"id": "r", "kind": "rta", "sweep": {"omega0": [0.05, 0.1]}, "overrides": {"omega0=0.1": {"omega_step": -1}}, "inputs": {"static": "s"}}]}"#,
             #"stages[1].overrides["omega0=0.1"].omega_step"#, "must be > 0"),
        ]
    }

    func testMalformedSpecsExitTwoNameThePathAndWriteNothing() throws {
        for (k, (text, path, words)) in cases.enumerated() {
            let s = Scratch()
            let name = "bad\(k).json"
            s.write(text, to: name)
            for command in [["run", name], ["validate", name], ["status", name]] {
                let out = try CLI.run(command + (command[0] == "validate" ? [] : ["--data-dir", "d", "--figures-dir", "f"]), in: s.dir)
                XCTAssertEqual(out.status, 2, "case \(k) \(command[0]): \(out.stderr)")
                XCTAssertTrue(out.stderr.contains(name), "case \(k): message must name the file: \(out.stderr)")
                XCTAssertTrue(out.stderr.contains(path), "case \(k): message must name \(path): \(out.stderr)")
                XCTAssertTrue(out.stderr.contains(words), "case \(k): message must say '\(words)': \(out.stderr)")
                XCTAssertFalse(out.stderr.contains("Fatal error"), out.stderr)
            }
            XCTAssertEqual(filesUnder(s.dir), [name], "case \(k): nothing may be written")
        }
    }

    func testBadUsageExitsTwo() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["run"], in: s.dir).status, 2)
        XCTAssertEqual(try CLI.run(["frobnicate"], in: s.dir).status, 2)
        XCTAssertEqual(try CLI.run(["run", "missing.json"], in: s.dir).status, 2)
        let c = try CLI.run(["compute", "rta", "omega0=-1", "--output", "x.h5"], in: s.dir)
        XCTAssertEqual(c.status, 2)
        XCTAssertTrue(c.stderr.contains("params.omega0") && c.stderr.contains("must be > 0"), c.stderr)
        XCTAssertEqual(try CLI.run(["compute", "static-disorder", "sites=10", "--output", "x.h5"], in: s.dir).status, 2)
        XCTAssertEqual(filesUnder(s.dir), [])
        XCTAssertEqual(try CLI.run(["--help"], in: s.dir).status, 0)
    }

    /// One `validate` reports every independent error, with a suggestion for a misspelt kind.
    func testValidateReportsEveryErrorAtOnce() throws {
        let s = Scratch()
        s.write(#"""
        {"name": "three", "stages": [
          {"id": "s", "kind": "static-disorder", "params": {"sites": 20, "realizations": 2, "seed": 1, "temperatures": [1]}},
          {"id": "f", "kind": "fiter", "params": {"delta": 0.1}, "inputs": {"spectrum": "s"}},
          {"id": "r", "kind": "rta", "params": {"omega0": -1}, "inputs": {"static": "s"}},
          {"id": "d", "kind": "dc", "params": {"delta_min": 0.01, "delta_max": 0.05, "pionts": 3}, "inputs": {"spectrum": "s"}},
          {"id": "g", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "f"}}
        ]}
        """#)
        let out = try CLI.run(["validate", "spec.json"], in: s.dir)
        XCTAssertEqual(out.status, 2)
        for needle in ["stages[1].kind", "did you mean 'filter'", "stages[2].params.omega0", "stages[3].params.pionts", "did you mean 'points'"] {
            XCTAssertTrue(out.stderr.contains(needle), "\(needle):\n\(out.stderr)")
        }
        XCTAssertFalse(out.stderr.contains("no stage with id 'f'"), "a stage depending on a failed one adds no noise: \(out.stderr)")
    }
}
