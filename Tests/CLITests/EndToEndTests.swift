import Foundation
import HDF5
import LinearAlgebra
import PipelineEngine
import Stages
import TestSupport
import XCTest

/// The real stage kinds through the real binary: determinism, provenance, audit, compute.
final class EndToEndTests: XCTestCase {
    let spec = """
    {"name": "tiny", "defaults": {"g": 1.0}, "stages": [
      {"id": "static", "kind": "static-disorder", "params": {"sites": 40, "realizations": 6, "batches": 3, "seed": 5, "temperatures": [0.5, 1.0]}},
      {"id": "filtered", "kind": "filter", "inputs": {"spectrum": "static"}, "params": {"delta": 0.05, "omega_max": 3}},
      {"id": "rta", "kind": "rta", "inputs": {"static": "static"}, "sweep": {"omega0": [0.05, 0.5]}, "params": {"omega_max": 2, "omega_step": 0.01}},
      {"id": "fig", "kind": "figure", "inputs": {"curves": ["filtered", "rta@omega0=0.05"]}, "params": {"name": "figx", "recipe": "spectra", "temperature": 1.0}}
    ]}
    """

    func datasets(_ path: String) throws -> [String: [Double]] {
        let f = try HDF5File.open(path)
        defer { f.close() }
        var out: [String: [Double]] = [:]
        for name in ["omega", "temperature", "sigma", "sigma_error", "weight", "weighted_omega", "drude_weight", "sigma_dc", "rho", "batch_weight"] where f.root.exists(name) {
            out[name] = try f.root.readDoubles(name).values
        }
        return out
    }

    func testSameSpecSameSeedBitIdenticalAndFullProvenance() throws {
        let s = Scratch()
        s.write(spec)
        for dir in ["d1", "d2"] {
            let out = try CLI.run(["run", "spec.json", "--jobs", "2", "--data-dir", dir, "--figures-dir", dir + "-fig"], in: s.dir)
            XCTAssertEqual(out.status, 0, out.stderr)
        }
        for name in ["static.h5", "filtered.h5", "rta@omega0=0.05.h5", "rta@omega0=0.5.h5"] {
            let a = try datasets(s.dir + "/d1/" + name), b = try datasets(s.dir + "/d2/" + name)
            XCTAssertFalse(a.isEmpty)
            XCTAssertEqual(a, b, "\(name) must be bit-identical")
        }
        // Provenance: root attributes of an artifact.
        let f = try HDF5File.open(s.dir + "/d1/rta@omega0=0.05.h5")
        let prov = try JSONValue.parse(try f.root.attribute("provenance")!)
        f.close()
        XCTAssertEqual(prov["stage_id"]?.stringValue, "rta@omega0=0.05")
        XCTAssertEqual(prov["kind"]?.stringValue, "rta")
        XCTAssertEqual(prov["params"]?["omega0"]?.doubleValue, 0.05)
        XCTAssertEqual(prov["key"]?.stringValue?.count, 64)
        let input = prov["inputs"]?.arrayValue?.first
        // Stored relative to the artifact's folder, so audit works from any working folder.
        XCTAssertEqual(input?["path"]?.stringValue, "static.h5")
        XCTAssertEqual(input?["content"]?.stringValue?.count, 64)
        XCTAssertEqual(prov["lineage"]?["sites"]?.intValue, 40, "the lineage carries the static stage's N")
        XCTAssertEqual(prov["spec"]?["name"]?.stringValue, "tiny")
        XCTAssertEqual(input?["sha256"]?.stringValue, FileDigest.sha256(s.dir + "/d1/static.h5"))
        for field in ["code", "tool", "host", "start_time", "end_time", "wall_seconds"] { XCTAssertNotNil(prov[field], field) }
        XCTAssertNotNil(prov["code"]?["git_commit"])
        XCTAssertEqual(prov["code"]?["implementation_version"]?.intValue, 1)
        // The static stage records its seed.
        let sf = try HDF5File.open(s.dir + "/d1/static.h5")
        XCTAssertEqual(try JSONValue.parse(try sf.root.attribute("seeds")!)["seed"]?.intValue, 5)
        sf.close()

        // Figures: every file exists, is non-empty and is named in the provenance record.
        for ext in ["pdf", "png", "dat", "gp", "provenance.json"] {
            let p = s.dir + "/d1-fig/figx." + ext
            let size = (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 100, p)
        }
        // Audit walks the figure down to the root artifact with hashes checked.
        let audit = try CLI.run(["audit", "d1-fig/figx.pdf"], in: s.dir)
        XCTAssertEqual(audit.status, 0, audit.stderr)
        for needle in ["stage fig (figure", "d1/filtered.h5", "d1/rta@omega0=0.05.h5", "d1/static.h5", "[sha256 ok]"] {
            XCTAssertTrue(audit.stdout.contains(needle), "audit must mention \(needle):\n\(audit.stdout)")
        }
        // Explain names a changed parameter; status and graph work.
        s.write(spec.replacingOccurrences(of: "\"delta\": 0.05", with: "\"delta\": 0.07"))
        let explain = try CLI.run(["explain", "spec.json", "filtered", "--data-dir", "d1", "--figures-dir", "d1-fig"], in: s.dir)
        XCTAssertTrue(explain.stdout.contains("parameter delta changed: 0.05 → 0.07"), explain.stdout)
        let dry = try CLI.run(["run", "spec.json", "--dry-run", "--data-dir", "d1", "--figures-dir", "d1-fig"], in: s.dir)
        // filtered must run; the figure after it runs only if filtered's content changes.
        XCTAssertEqual(dry.stdout.split(separator: "\n").filter { $0.hasPrefix("would run") }.count, 1, dry.stdout)
        XCTAssertEqual(dry.stdout.split(separator: "\n").filter { $0.hasPrefix("may run") }.count, 1, dry.stdout)
        let graph = try CLI.run(["graph", "spec.json"], in: s.dir)
        XCTAssertTrue(graph.stdout.contains("\"static\" -> \"rta@omega0=0.05\""), graph.stdout)
    }

    /// `compute` runs a stage outside any spec and writes the same numbers as the pipeline.
    func testComputeMatchesPipeline() throws {
        let s = Scratch()
        s.write(spec)
        XCTAssertEqual(try CLI.run(["run", "spec.json", "--target", "filtered"], in: s.dir).status, 0)
        let c1 = try CLI.run(["compute", "static-disorder", "sites=40", "realizations=6", "batches=3", "seed=5",
                              "temperatures=0.5,1", "--output", "adhoc/static.h5"], in: s.dir)
        XCTAssertEqual(c1.status, 0, c1.stderr)
        let c2 = try CLI.run(["compute", "filter", "delta=0.05", "omega_max=3", "--input", "spectrum=adhoc/static.h5",
                              "--output", "adhoc/filtered.h5"], in: s.dir)
        XCTAssertEqual(c2.status, 0, c2.stderr)
        XCTAssertEqual(try datasets(s.dir + "/data/spec/static.h5"), try datasets(s.dir + "/adhoc/static.h5"))
        XCTAssertEqual(try datasets(s.dir + "/data/spec/filtered.h5"), try datasets(s.dir + "/adhoc/filtered.h5"))
        let audit = try CLI.run(["audit", "adhoc/filtered.h5"], in: s.dir)
        XCTAssertTrue(audit.stdout.contains("adhoc/static.h5") && audit.stdout.contains("[sha256 ok]"), audit.stdout)
    }

    /// The committed JSON Schema is the one generated from the registered kinds, and the
    /// shipped specs validate.
    func testSchemaIsCurrentAndShippedSpecsValidate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("pipelines/tlspipe.schema.json"), encoding: .utf8)
        XCTAssertEqual(committed, SpecSchema.schema(StageKinds.registry()).pretty + "\n",
                       "run `tlspipe schema > pipelines/tlspipe.schema.json`")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("pipelines").path)
        for name in names where name.hasSuffix(".json") && !name.contains("schema") {
            XCTAssertNoThrow(try SpecLoader(registry: StageKinds.registry()).load(file: root.appendingPathComponent("pipelines/" + name).path), name)
        }
        // The README's "your first spec" is a valid spec.
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "```json\n"))
        let end = try XCTUnwrap(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let first = try JSONValue.parse(String(readme[start.upperBound..<end.lowerBound]))
        XCTAssertNoThrow(try SpecLoader(registry: StageKinds.registry()).parse(first, file: "README.md"))
    }

    /// `dc` on an exact spectrum with a known answer: the free chain (g = 0) has only the ω = 0
    /// weight D = πβ⟨v_k²⟩, so σ_δ(0) = D/(√(2π)δ) and ρ grows linearly with δ.
    func testDCOnFreeChainED() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["compute", "ed", "sites=6", "g=0", "omega0=0.5", "temperatures=1", "twists=3", "--output", "ed.h5"], in: s.dir).status, 0)
        let dc = try CLI.run(["compute", "dc", "delta_min=0.01", "delta_max=0.05", "--input", "spectrum=ed.h5", "--output", "dc.h5"], in: s.dir)
        XCTAssertEqual(dc.status, 0, dc.stderr)
        let f = try HDF5File.open(s.dir + "/dc.h5")
        defer { f.close() }
        let ks = (0..<18).map { 2 * Double.pi * Double($0) / 18 }
        let z = ks.reduce(0) { $0 + exp(2 * cos($1)) }
        let drude = Double.pi * ks.reduce(0) { $0 + 4 * sin($1) * sin($1) * exp(2 * cos($1)) } / z
        let central = (0.01 * 0.05).squareRoot()
        XCTAssertEqual(try f.root.readDoubles("rho").values[0], (2 * Double.pi).squareRoot() * central / drude, accuracy: 1e-10)
        XCTAssertEqual(try f.root.readDoubles("rho_low").values[0], (2 * Double.pi).squareRoot() * 0.01 / drude, accuracy: 1e-10)
        XCTAssertEqual(try f.root.readDoubles("rho_high").values[0], (2 * Double.pi).squareRoot() * 0.05 / drude, accuracy: 1e-10)
    }
    /// OpenBLAS falls back to pre-AVX2 kernels on CPUs it does not know (this project's Xeon VM:
    /// "Prescott", 4–6× slower dgemm); tlspipe then asks for the CPU's class. A stage's provenance
    /// names the kernels it ran with: on an AVX2 CPU never a pre-AVX2 set.
    func testStagesRunWithTheCPUsBLASKernels() throws {
        let flags = BLASKernels.cpuFlags()
        try XCTSkipUnless(flags.contains("avx2") && flags.contains("fma"), "this CPU has no AVX2: OpenBLAS's own choice stands")
        let s = Scratch()
        s.write(#"{"name": "z", "stages": [{"id": "f", "kind": "ftlm", "params": {"sites": 4, "g": 1, "omega0": 0.5, "temperatures": [1], "lanczos_steps": 10, "random_vectors": 2, "batches": 2, "seed": 1}}]}"#)
        let run = try CLI.run(["run", "spec.json"], in: s.dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let f = try HDF5File.open(s.dir + "/data/spec/f.h5")
        defer { f.close() }
        let core = try JSONValue.parse(try f.root.attribute("provenance") ?? "{}")["blas"]?["core"]?.stringValue ?? ""
        // A user's own OPENBLAS_CORETYPE (inherited by the binary) stands.
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            XCTAssertFalse(BLASKernels.preAVX2.contains(core.lowercased()), "ran with OpenBLAS core \(core) on an AVX2 CPU")
        }
        XCTAssertFalse(core.isEmpty)
    }
}
