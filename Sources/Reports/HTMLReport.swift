import Foundation
import PipelineEngine
import Stages

/// A static HTML report of a spec's state: every figure with its files, the DAG as SVG, and per
/// stage what made it (kind, version, parameters with units, inputs with hashes checked now,
/// code, host, executor, wall time) or why it is stale. No server, no outside JavaScript: it
/// opens from disk. Figure files are copied beside it, so the folder can be handed over whole.
public enum HTMLReport {
    public struct Written: Sendable {
        public let index: String
        public let files: [String]
    }

    public static func write(_ driver: Driver, to dir: String) throws -> Written {
        let evidence = EvidenceCollector.collect(driver)
        let plan = driver.planner.plan()
        try SafeFiles.ensureDirectory(dir + "/figures")
        var written: [String] = []
        // Figures: copy their files next to the report.
        var figureBlocks: [String] = []
        for e in evidence where e.kind == "figure" {
            let files = e.outputs.map(\.path)
            var links: [String] = []
            var png: String? = nil
            for path in files where SafeFiles.isRegularFile(path) {
                let name = (path as NSString).lastPathComponent
                let target = dir + "/figures/" + name
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: path, toPath: target)
                written.append(target)
                if name.hasSuffix(".png") { png = "figures/" + name } else {
                    let what = name.hasSuffix(".pdf") ? "PDF" : name.hasSuffix(".dat") ? "data table" : name.hasSuffix(".gp") ? "gnuplot script" : "provenance (JSON)"
                    links.append("<a href=\"figures/\(esc(name))\">\(what)</a>")
                }
            }
            let params = Dictionary(e.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            let recipe = params["recipe"].map(unquote) ?? ""
            let title = params["title"].map(unquote).flatMap { $0.isEmpty ? nil : $0 } ?? (params["name"].map(unquote) ?? e.id)
            let summary = StageKinds.figureRecipes.first { $0.name == recipe }?.draws ?? ""
            let sources = e.inputs.map { "\(esc($0.stage))" }.joined(separator: ", ")
            figureBlocks.append("""
            <figure class="\(e.decision == .fresh ? "fresh" : "stale")">
              <h3>\(esc(title)) <span class="tag \(e.decision.rawValue)">\(label(e.decision))</span></h3>
              \(png.map { "<img src=\"\(esc($0))\" alt=\"\(esc(title))\">" } ?? "<p class=\"missing\">not drawn yet</p>")
              <figcaption>\(esc(summary.replacingOccurrences(of: "`", with: "")))\(sources.isEmpty ? "" : ". Drawn from " + sources + ".")<br>\(links.joined(separator: " · "))</figcaption>
            </figure>
            """)
        }
        // The DAG.
        let dot = DAG.dot(driver.pipeline, plan: plan)
        let svg: String
        switch DAG.svg(dot) {
        case .success(let s): svg = s.range(of: "<svg").map { String(s[$0.lowerBound...]) } ?? s  // drop the XML prologue
        case .failure(let e): svg = "<p class=\"missing\">\(esc(e.message))</p>"
        }
        try Data(dot.utf8).write(to: URL(fileURLWithPath: dir + "/dag.dot"))
        written.append(dir + "/dag.dot")
        // Stages.
        var rows: [String] = []
        for e in evidence {
            var details: [String] = []
            details.append("<p><b>\(esc(e.kind))</b>\(e.implementationVersion.map { " v\($0)" } ?? ""), \(label(e.decision))"
                           + (e.reasons.isEmpty ? "" : ": " + e.reasons.map { esc($0.description) }.joined(separator: "; "))
                           + (e.waitsFor.isEmpty ? "" : "; waits for " + e.waitsFor.map(esc).joined(separator: ", ")) + "</p>")
            details.append("<table class=\"params\"><tr><th>parameter</th><th>value</th><th>unit</th></tr>"
                           + e.parameters.map { "<tr><td>\(esc($0.name))</td><td>\(esc($0.value))</td><td>\(esc($0.unit))</td></tr>" }.joined() + "</table>")
            if !e.inputs.isEmpty {
                details.append("<table class=\"inputs\"><tr><th>input</th><th>stage</th><th>file</th><th>SHA-256 (recorded)</th><th>check</th></tr>"
                    + e.inputs.map { i in
                        let ok = i.check.verified
                        let state = ok ? "verified" : (i.check.currentSHA == nil ? "MISSING" : "CHANGED since used")
                        return "<tr class=\"\(ok ? "ok" : "bad")\"><td>\(esc(i.slot))</td><td>\(esc(i.stage))</td><td>\(esc(i.check.path))</td><td><code>\(esc(String((i.check.recordedSHA ?? "").prefix(16))))…</code></td><td>\(state)</td></tr>"
                    }.joined() + "</table>")
            }
            let outs = e.outputs.map { o in
                let state = o.currentSHA == nil ? "missing" : (o.verified ? "verified" : (o.recordedSHA == nil ? "no record" : "MODIFIED"))
                return "<li class=\"\(o.verified ? "ok" : "bad")\">\(esc(o.path)): \(state)</li>"
            }.joined()
            details.append("<ul class=\"outputs\">\(outs)</ul>")
            if e.provenance != nil {
                details.append("<p class=\"facts\">code \(esc(String(e.commit.prefix(12))))\(e.dirty ? " (uncommitted changes)" : ""), host \(esc(e.host)), executor \(esc(e.executor))"
                               + (e.wallSeconds.map { String(format: ", wall time %.2f s", $0) } ?? "") + (e.end.map { ", finished \(esc($0))" } ?? "") + "</p>")
            }
            if e.kind == "ftlm", let p = e.provenance { details.append(ftlmErrors(p)) }
            rows.append("""
            <details class="stage \(e.decision.rawValue)\(e.allVerified ? "" : " unverified")" id="\(esc("stage-" + e.id))">
              <summary><span class="tag \(e.decision.rawValue)">\(label(e.decision))</span> <b>\(esc(e.id))</b> <span class="kind">\(esc(e.kind))</span>\(e.allVerified || e.decision != .fresh ? "" : " <span class=\"tag bad\">hash mismatch</span>")</summary>
              \(details.joined(separator: "\n  "))
            </details>
            """)
        }
        let fresh = evidence.filter { $0.decision == .fresh }.count
        let spec = driver.pipeline
        let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(spec.name)): tlspipe report</title>
        <style>\(css)</style></head>
        <body>
        <header><h1>\(esc(spec.name))</h1>
        <p>\(esc(spec.description))</p>
        <p class="facts">spec \(esc(spec.file))\(spec.identity.map { " (SHA-256 <code>\(esc(String($0.sha256.prefix(16))))…</code>)" } ?? ""); data in \(esc(driver.workspace.dataDir)), figures in \(esc(driver.workspace.figuresDir));
        \(fresh) of \(evidence.count) stages fresh; report written \(esc(ISO8601DateFormatter().string(from: Date()))) by \(esc(CodeVersion.toolVersion)).</p></header>
        <main>
        <section><h2>Figures</h2><div class="figures">\(figureBlocks.isEmpty ? "<p>no figure stages</p>" : figureBlocks.joined(separator: "\n"))</div></section>
        <section><h2>How the figures were made</h2><div class="dag">\(svg)</div>
        <p class="legend"><span class="tag fresh">fresh</span> <span class="tag stale">stale</span> <span class="tag must_build_to_know">waits</span> (<a href="dag.dot">DOT</a>)</p></section>
        <section><h2>Stages</h2>\(rows.joined(separator: "\n"))</section>
        </main></body></html>
        """
        let index = dir + "/index.html"
        try Data(html.utf8).write(to: URL(fileURLWithPath: index))
        written.append(index)
        return Written(index: index, files: written)
    }

    static func label(_ d: Decision) -> String {
        switch d { case .fresh: return "fresh"; case .stale: return "stale"; case .mustBuildToKnow: return "waits" }
    }

    static func unquote(_ s: String) -> String {
        (try? JSONValue.parse(s))?.stringValue ?? s
    }

    /// The statistical errors an FTLM stage reached, from its provenance.
    static func ftlmErrors(_ p: JSONValue) -> String {
        var parts: [String] = []
        if let ec = p["error_control"] {
            let errs = (ec["relative_error"]?.arrayValue ?? []).compactMap(\.doubleValue).map { String(format: "%.2g%%", 100 * $0) }
            parts.append("error control: target \(ec["target_error"]?.doubleValue.map { String(format: "%.2g%%", 100 * $0) } ?? "?"), "
                         + "\(ec["random_vectors_per_sector"]?.intValue.map(String.init) ?? "?") vectors per sector, met: \(ec["met"]?.boolValue == true ? "yes" : "NO"); "
                         + "relative statistical error of σ_δ(0) per temperature: " + errs.joined(separator: ", "))
        } else {
            parts.append("statistical errors: from the spread of the batches (see the artifact's batch datasets)")
        }
        if let exact = p["exact_states_per_sector"]?.arrayValue { parts.append("exact low states per sector: " + exact.compactMap(\.intValue).map(String.init).joined(separator: ", ")) }
        if let r = p["resolution"] {
            let res = (r["relative_error"]?.arrayValue ?? []).compactMap(\.doubleValue).map { String(format: "%.2g%%", 100 * $0) }
            let stat = (r["relative_statistical_error"]?.arrayValue ?? []).compactMap(\.doubleValue).map { String(format: "%.2g%%", 100 * $0) }
            parts.append("at δ = \(r["delta"]?.doubleValue.map(JSONValue.format) ?? "?"): statistical error " + stat.joined(separator: ", ")
                         + "; resolution (finite Lanczos steps) error " + res.joined(separator: ", ")
                         + (r["exceeds_statistical"]?.boolValue == true ? " (EXCEEDS the statistical error: more steps would change the result)" : ""))
        } else {
            parts.append("resolution (finite Lanczos steps) error: not recorded (artifact from an older version)")
        }
        return "<p class=\"ftlm\">" + parts.map(esc).joined(separator: "<br>") + "</p>"
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let css = """
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; line-height: 1.45; }
    header { background: #1f3b57; color: #fff; padding: 1.2em 2em; }
    header h1 { margin: 0 0 .2em 0; font-weight: 600; }
    header .facts { color: #d7e3ee; }
    main { padding: 1em 2em 3em 2em; max-width: 1400px; }
    h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em; font-weight: 600; }
    .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 1.2em; }
    figure { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 0; padding: .8em; }
    figure h3 { margin: 0 0 .5em 0; font-size: 1.05em; }
    figure img { width: 100%; height: auto; border: 1px solid #eee; }
    figcaption { font-size: .9em; color: #444; margin-top: .4em; }
    .dag svg { max-width: 100%; height: auto; background: #fff; border: 1px solid #ddd; border-radius: 6px; }
    .tag { display: inline-block; font-size: .75em; padding: .1em .5em; border-radius: 3px; font-weight: 600; }
    .tag.fresh { background: #d9f2d9; color: #1e5b1e; }
    .tag.stale { background: #f9d0b0; color: #7a3300; }
    .tag.must_build_to_know { background: #fbf0b8; color: #6b5600; }
    .tag.bad { background: #c62828; color: #fff; }
    details.stage { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: .4em 0; padding: .4em .8em; }
    details.stage.unverified.fresh { border-color: #c62828; }
    details summary { cursor: pointer; }
    .kind { color: #666; }
    table { border-collapse: collapse; margin: .4em 0; font-size: .88em; }
    th, td { border: 1px solid #e0e0e0; padding: .2em .6em; text-align: left; }
    th { background: #f2f2f2; }
    tr.bad td, li.bad { color: #c62828; font-weight: 600; }
    .facts { font-size: .88em; color: #555; }
    .missing { color: #c62828; }
    code { font-size: .9em; }
    """
}
