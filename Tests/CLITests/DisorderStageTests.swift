import Foundation
import HDF5
import PipelineEngine
import TestSupport
import XCTest

/// The `ed` stage's real-space path: disorder parameters as a spec writes them.
final class DisorderStageTests: XCTestCase {
    /// W = 0 with explicit per-site distributions that are fixed: the real-space path gives the
    /// momentum-sector spectrum; with disorder, realisations give batch spectra (error bars) and
    /// the same seed gives the same artifact.
    func testRealSpaceEDStage() throws {
        let s = Scratch()
        s.write(#"""
        {"name": "dis", "stages": [
          {"id": "clean", "kind": "ed", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [0.5, 2], "bin_width": 0.001}},
          {"id": "clean-rs", "kind": "ed", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [0.5, 2], "bin_width": 0.001,
            "g_distribution": {"type": "fixed", "value": 1}, "omega_max": 7}},
          {"id": "dirty", "kind": "ed", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [0.5, 2], "bin_width": 0.001,
            "disorder_width": 1, "omega0_distribution": {"max": 1, "min": 0.05, "type": "log-uniform"}, "realizations": 3, "seed": 5}}
        ]}
        """#)
        let out = try CLI.run(["run", "spec.json", "--jobs", "2"], in: s.dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        func read(_ id: String, _ name: String) throws -> [Double] {
            let f = try HDF5File.open(s.dir + "/data/spec/\(id).h5")
            defer { f.close() }
            return try f.root.readDoubles(name).values
        }
        let a = try read("clean", "kinetic_energy"), b = try read("clean-rs", "kinetic_energy")
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-10) }
        XCTAssertEqual(try read("clean", "drude_weight").count, 2)
        let batches = try read("dirty", "batch_kinetic_energy")
        XCTAssertEqual(batches.count, 6, "3 realisations × 2 temperatures")
        XCTAssertNotEqual(batches[0], batches[2], "realisations differ")
        // Member order in a distribution object is not part of the key.
        s.write((try String(contentsOfFile: s.spec, encoding: .utf8)).replacingOccurrences(
            of: #"{"max": 1, "min": 0.05, "type": "log-uniform"}"#, with: #"{"type": "log-uniform", "min": 0.05, "max": 1}"#))
        let again = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertTrue(again.stdout.contains("nothing to do"), again.stdout)
    }

    /// Real-space FTLM: realisations (and their batches) are shards, and sharded equals
    /// unsharded bit for bit; the artifact feeds the usual filter and d.c. stages.
    func testRealSpaceFTLMShardsBitForBit() throws {
        let s = Scratch()
        func spec(_ shards: Int) -> String {
            #"{"name": "d", "stages": [{"id": "ft", "kind": "ftlm", "params": {"sites": 6, "g": 1, "omega0": 0.5, "temperatures": [0.5, 2], "lanczos_steps": 40, "random_vectors": 4, "batches": 2, "seed": 3, "disorder_width": 1, "realizations": 3, "shards": \#(shards)}}, {"id": "dc", "kind": "dc", "inputs": {"spectrum": "ft"}, "params": {"delta_min": 0.02, "delta_max": 0.1}}]}"#
        }
        var results: [[[Double]]] = []
        for shards in [1, 6] {
            s.write(spec(shards), to: "s\(shards).json")
            let out = try CLI.run(["run", "s\(shards).json", "--jobs", "2", "--data-dir", "d\(shards)"], in: s.dir)
            XCTAssertEqual(out.status, 0, out.stderr)
            let f = try HDF5File.open(s.dir + "/d\(shards)/ft.h5")
            defer { f.close() }
            results.append(try ["weight", "batch_weight", "drude_weight", "kinetic_energy", "batch_kinetic_energy"].map { try f.root.readDoubles($0).values })
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0][4].count, 6, "3 realisations × 2 temperatures as error samples")
        s.write(spec(7), to: "bad.json")
        let bad = try CLI.run(["validate", "bad.json"], in: s.dir)
        XCTAssertTrue(bad.stderr.contains("shards: must not exceed realizations × batches = 6"), bad.stderr)
    }

    func testDisorderParameterErrors() throws {
        let s = Scratch()
        for (params, expected) in [
            (#""omega0_distribution": {"type": "log-uniform", "min": 0, "max": 1}, "seed": 1"#, "params.omega0_distribution: log-uniform needs min > 0"),
            (#""g_distribution": {"type": "uniform", "mni": 0.5, "max": 1}"#, "params.g_distribution: unknown member 'mni'"),
            (#""g_distribution": {"type": "gaussian"}"#, "params.g_distribution: type: must be one of fixed, uniform, log-uniform, binary"),
            (#""disorder_width": 1, "realizations": 4"#, "params.seed: several random realisations need a seed"),
            (#""disorder_width": 1, "seed": 1, "twists": 2"#, "params.twists: the real-space path (disorder) has no twists"),
            (#""disorder_width": 1, "seed": 1, "sites": 10"#, "params.sites: the real-space ED (disorder) diagonalises N·2^N states densely: at most 9 sites"),
        ] {
            var p = #""sites": 6, "g": 1, "omega0": 0.5, "temperatures": [1], "#
            p += params
            if params.contains("\"sites\": 10") { p = p.replacingOccurrences(of: #""sites": 6, "#, with: "") }
            s.write(#"{"name": "e", "stages": [{"id": "x", "kind": "ed", "params": {"# + p + "}}]}")
            let r = try CLI.run(["validate", "spec.json"], in: s.dir)
            XCTAssertEqual(r.status, 2, params)
            XCTAssertTrue(r.stderr.contains(expected), "\(params): \(r.stderr)")
        }
    }

    /// `dmft` with local disorder (DMFT+CPA): W = 0 written out is today's dmft (same payload);
    /// W > 0 is labelled DMFT+CPA and, at g = 0, is the CPA (a physics test checks it against an
    /// independent CPA); a distributed ω0 too fine for the grid is refused with the reason.
    func testDMFTWithLocalDisorder() throws {
        let s = Scratch()
        s.write(#"""
        {"name": "cpa", "stages": [
          {"id": "clean", "kind": "dmft", "params": {"g": 1, "omega0": 0.5, "temperatures": [1], "max_step": 0.01, "omega_max": 1}},
          {"id": "zero", "kind": "dmft", "params": {"g": 1, "omega0": 0.5, "temperatures": [1], "max_step": 0.01, "omega_max": 1,
            "disorder_width": 0, "disorder_kind": "binary"}},
          {"id": "dirty", "kind": "dmft", "params": {"g": 1, "omega0": 0.5, "temperatures": [1], "max_step": 0.01, "omega_max": 1,
            "disorder_width": 1, "g_distribution": {"type": "uniform", "min": 0.5, "max": 1.5}, "disorder_nodes": 8}}
        ]}
        """#)
        let out = try CLI.run(["run", "spec.json", "--jobs", "2"], in: s.dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        func record(_ id: String) throws -> JSONValue {
            try JSONValue.parse(String(contentsOfFile: s.dir + "/data/spec/.tlspipe/records/\(id).json", encoding: .utf8))
        }
        XCTAssertEqual(try record("clean")["content"], try record("zero")["content"], "W = 0 must be today's dmft")
        let f = try HDF5File.open(s.dir + "/data/spec/dirty.h5")
        defer { f.close() }
        XCTAssertEqual(try f.root.attribute("label"), "DMFT+CPA (ω0 = 0.5, W = 1.0)")
        let rhoDirty = try f.root.readDoubles("rho").values[0]
        let c = try HDF5File.open(s.dir + "/data/spec/clean.h5")
        defer { c.close() }
        XCTAssertGreaterThan(rhoDirty, try c.root.readDoubles("rho").values[0], "disorder adds resistance")

        s.write(#"{"name": "e", "stages": [{"id": "x", "kind": "dmft", "params": {"g": 1, "omega0": 0.5, "temperatures": [1], "omega0_distribution": {"type": "uniform", "min": 0.005, "max": 1}}}]}"#)
        let r = try CLI.run(["validate", "spec.json"], in: s.dir)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("params.omega0_distribution: min must be at least 5 × max_step"), r.stderr)
    }
}

/// Sizes implied by the real-space path are checked before anything is allocated.
final class DisorderSizeTests: XCTestCase {
    func testRealSpaceMemoryIsCheckedAtValidation() throws {
        let s = Scratch()
        s.write(#"{"name": "e", "stages": [{"id": "x", "kind": "ftlm", "params": {"sites": 8, "g": 1, "omega0": 0.5, "temperatures": [1, 2, 3, 4, 5, 6, 7, 8], "lanczos_steps": 40, "random_vectors": 2, "batches": 2, "seed": 1, "disorder_width": 1, "realizations": 200000}}]}"#)
        let r = try CLI.run(["validate", "spec.json", "--memory-limit", "8G"], in: s.dir)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("spec.json: stages[0].params"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/data"))
    }
}
