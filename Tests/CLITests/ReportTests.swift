import Foundation
import TestSupport
import XCTest

/// The HTML report and the Workflow Run RO-Crate: valid for the community's validator, hashes that
/// match, tampering flagged, a page a real browser draws, and nothing written into the data.
final class ReportTests: XCTestCase {
    let spec = #"""
    {"name": "rep", "description": "report test", "stages": [
      {"id": "static", "kind": "static-disorder", "params": {"sites": 40, "realizations": 4, "batches": 2, "seed": 1, "temperatures": [0.5, 1]}},
      {"id": "filtered", "kind": "filter", "params": {"delta": 0.1}, "inputs": {"spectrum": "static"}},
      {"id": "rta", "kind": "rta", "params": {"omega0": 0.1}, "inputs": {"static": "static"}},
      {"id": "fig", "kind": "figure", "params": {"name": "spectra", "recipe": "spectra", "temperature": 1, "title": "σ at T = 1"}, "inputs": {"curves": ["filtered", "rta"]}}
    ]}
    """#

    /// The validator from the virtual environment `.ci/run` makes (or TLSPIPE_ROC_VALIDATOR), with
    /// its offline context cache; nil when it is not installed.
    func validator() -> (exe: String, cache: String)? {
        let env = ProcessInfo.processInfo.environment
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let exe = env["TLSPIPE_ROC_VALIDATOR"] ?? root + "/.venv-ci/bin/rocrate-validator"
        let cache = env["TLSPIPE_ROC_CACHE"] ?? root + "/.venv-ci/roc-cache/cache"
        guard FileManager.default.isExecutableFile(atPath: exe), FileManager.default.fileExists(atPath: cache + ".sqlite") else { return nil }
        return (exe, cache)
    }

    func run(_ exe: String, _ args: [String], in dir: String? = nil) throws -> (Int32, String) {
        let r = try runProgram(exe, args, in: dir)
        return (r.status, r.output)
    }

    func testCrateValidatesAndItsHashesMatch() throws {
        let s = Scratch()
        s.write(spec)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        let out = try CLI.run(["export-crate", "spec.json", "--output", "crate"], in: s.dir)
        XCTAssertEqual(out.status, 0, out.stderr)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.dir + "/crate/ro-crate-metadata.json"))) as! [String: Any]
        let graph = meta["@graph"] as! [[String: Any]]
        let files = graph.filter { ($0["@type"] as? String) == "File" }
        XCTAssertGreaterThanOrEqual(files.count, 8)
        for f in files {
            let id = f["@id"] as! String
            XCTAssertEqual(f["sha256"] as? String, sha256(s.dir + "/crate/" + id), id)
        }
        let actions = graph.filter { ($0["@type"] as? String) == "CreateAction" }
        XCTAssertEqual(actions.count, 5, "one per stage and one for the run")
        let params = graph.filter { ($0["@type"] as? String) == "PropertyValue" && ($0["name"] as? String) == "temperatures" }
        XCTAssertEqual(params.first?["unitText"] as? String, "t")
        guard let v = validator() else {
            throw XCTSkip("roc-validator is not installed (.ci/run installs it in .venv-ci): crate not validated")
        }
        for profile in ["ro-crate-1.1", "workflow-run-crate-0.5"] {
            let (code, text) = try run(v.exe, ["-y", "validate", "--offline", "--cache-path", v.cache, "-p", profile,
                                               "--skip-availability-check", s.dir + "/crate"])
            XCTAssertEqual(code, 0, "\(profile):\n\(text.suffix(3000))")
        }
    }

    func testTamperedArtifactIsFlaggedInCrateAndReport() throws {
        let s = Scratch()
        s.write(spec)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        // Same size, different bytes: only a hash can tell.
        let path = s.dir + "/data/spec/filtered.h5"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let report = try CLI.run(["report", "spec.json", "--output", "rep"], in: s.dir)
        XCTAssertEqual(report.status, 0, report.stderr)
        let html = try String(contentsOfFile: s.dir + "/rep/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains("MODIFIED"), "the tampered artifact is shown as modified")
        XCTAssertTrue(html.contains("CHANGED since used"), "its consumers show their input changed")
        let crate = try CLI.run(["export-crate", "spec.json", "--output", "crate"], in: s.dir)
        XCTAssertEqual(crate.status, 0, crate.stderr)
        XCTAssertTrue(crate.stdout.contains("not fresh or not verified: ") && crate.stdout.contains("filtered"), crate.stdout)
        let meta = try String(contentsOfFile: s.dir + "/crate/ro-crate-metadata.json", encoding: .utf8)
        XCTAssertTrue(meta.contains("FailedActionStatus"), "a tampered stage is never 'completed' in the crate")
    }

    /// On a partly built spec both show the stale stages, exit 0 and write nothing into data/.
    func testPartlyBuiltSpecWritesNothingIntoTheData() throws {
        let s = Scratch()
        s.write(spec)
        XCTAssertEqual(try CLI.run(["run", "spec.json", "--target", "filtered"], in: s.dir).status, 0)
        let before = filesUnder(s.dir + "/data")
        let report = try CLI.run(["report", "spec.json", "--output", "rep"], in: s.dir)
        XCTAssertEqual(report.status, 0, report.stderr)
        let crate = try CLI.run(["export-crate", "spec.json", "--output", "crate"], in: s.dir)
        XCTAssertEqual(crate.status, 0, crate.stderr)
        XCTAssertEqual(filesUnder(s.dir + "/data"), before, "report and crate read only")
        let html = try String(contentsOfFile: s.dir + "/rep/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains("never built"), "stale stages with their reasons")
        let inside = try CLI.run(["report", "spec.json", "--output", "data/spec/rep"], in: s.dir)
        XCTAssertEqual(inside.status, 2, "a report inside the data folder it describes is refused")
    }

    /// A real headless browser opens the report: every figure image loads (natural width > 0),
    /// the DAG is an inline SVG, and a screenshot is taken.
    func testReportOpensInAHeadlessBrowser() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else { throw XCTSkip("chromium is not installed (.ci/run installs it): report not opened in a browser") }
        let s = Scratch()
        s.write(spec)
        XCTAssertEqual(try CLI.run(["run", "spec.json"], in: s.dir).status, 0)
        XCTAssertEqual(try CLI.run(["report", "spec.json", "--output", "rep"], in: s.dir).status, 0)
        let html = try String(contentsOfFile: s.dir + "/rep/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<svg"), "the DAG is inline SVG")
        XCTAssertFalse(html.contains("<script"), "no JavaScript in the report")
        // A probe page (the test's, not the report's) reads the images' natural widths.
        let probe = """
        <html><body><iframe id="r" src="rep/index.html" width="1400" height="900"></iframe><pre id="out">pending</pre>
        <script>
        document.getElementById('r').onload = function () {
          var imgs = document.getElementById('r').contentDocument.images, w = [];
          for (var i = 0; i < imgs.length; i++) w.push(imgs[i].naturalWidth);
          var svg = document.getElementById('r').contentDocument.querySelectorAll('svg').length;
          document.getElementById('out').textContent = 'widths=' + w.join(',') + ' svg=' + svg;
        };
        </script></body></html>
        """
        try probe.write(toFile: s.dir + "/probe.html", atomically: true, encoding: .utf8)
        let (_, dom) = try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                                          "--virtual-time-budget=5000", "--dump-dom", "file://" + s.dir + "/probe.html"])
        guard let r = dom.range(of: "widths=") else { return XCTFail("no probe result in:\n\(dom.suffix(2000))") }
        let line = String(dom[r.lowerBound...].prefix { $0 != "<" })
        let widths = line.dropFirst("widths=".count).prefix { $0 != " " }.split(separator: ",").compactMap { Int($0) }
        XCTAssertFalse(widths.isEmpty, line)
        XCTAssertTrue(widths.allSatisfy { $0 > 0 }, "every figure image loads: \(line)")
        XCTAssertTrue(line.contains("svg=") && !line.contains("svg=0"), line)
        let (_, _) = try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,1000",
                                        "--screenshot=" + s.dir + "/shot.png", "file://" + s.dir + "/rep/index.html"])
        let size = (try? FileManager.default.attributesOfItem(atPath: s.dir + "/shot.png")[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 10_000, "a screenshot of the report's first screen")
    }

    func sha256(_ path: String) -> String? {
        guard let (code, out) = try? run("/usr/bin/env", ["sha256sum", path]), code == 0 else { return nil }
        return out.split(separator: " ").first.map(String.init)
    }
}
