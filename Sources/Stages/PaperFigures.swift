import Figures
import Foundation
import HDF5
import PipelineEngine

/// The paper's figures, panel by panel, from the artifacts of a spec.
enum PaperFigures {
    static let sigmaLabel = "σ(ω)  [e²a²/ħ per particle]"

    static func fmt(_ x: Double) -> String {
        let t = JSONValue.format(x)
        return t.hasSuffix(".0") ? String(t.dropLast(2)) : t
    }

    /// One σ(ω) row as a series, with its statistical band if the artifact has one.
    static func spectrum(_ c: CurveArtifact, path: String, T: Double, wmax: Double, label: String, style: LineStyle = .solid) throws -> Series {
        let row = try c.row(T, path: path)
        let keep = c.omega.indices.filter { c.omega[$0] <= wmax && row.sigma[$0].isFinite }
        let band = row.error.map { e in (keep.map { row.sigma[$0] - e[$0] }, keep.map { row.sigma[$0] + e[$0] }) }
        return Series(label: label, x: keep.map { c.omega[$0] }, y: keep.map { row.sigma[$0] }, band: band, style: style)
    }

    /// ρ(T) of a dc, rta or dmft artifact; the δ band of a dc artifact when present.
    static func resistivity(_ path: String, label: String, style: LineStyle) throws -> Series {
        let f = try HDF5File.open(path)
        defer { f.close() }
        let T = try f.root.readDoubles("temperature").values
        let rho = try f.root.readDoubles("rho").values
        let keep = T.indices.filter { T[$0] > 0 && rho[$0].isFinite && rho[$0] > 0 }
        var band: ([Double], [Double])? = nil
        if f.root.exists("rho_low") {
            let lo = try f.root.readDoubles("rho_low").values, hi = try f.root.readDoubles("rho_high").values
            band = (keep.map { lo[$0] }, keep.map { hi[$0] })
        }
        return Series(label: label, x: keep.map { T[$0] }, y: keep.map { rho[$0] }, band: band, style: style)
    }

    static func byOmega0(_ inputs: [InputArtifact]) -> [(Double, InputArtifact)] {
        inputs.compactMap { i in i.parameter(ModelParameters.omega0.name).map { ($0, i) } }.sorted { $0.0 < $1.0 }
    }

    static func matching(_ inputs: [InputArtifact], _ w0: Double) -> InputArtifact? {
        byOmega0(inputs).first { abs($0.0 - w0) < 1e-12 }?.1
    }

    /// Fig. 1: FTLM σ(ω) at several T for each ω0 (left) and ρ(T): FTLM with δ band, DMFT, RTA (right).
    static func fig1(_ context: StageContext) throws -> Figure {
        let p = context.params
        let temps = try FigureRecipes.need(p, FigureStage.temperatures), wmax = p[FigureStage.omegaMax]
        var panels: [Panel] = []
        for (k, (w0, input)) in byOmega0(context.inputs("ftlm")).enumerated() {
            let c = try CurveArtifact.read(input.path)
            let series = try temps.map { try spectrum(c, path: input.path, T: $0, wmax: wmax, label: "T = \(fmt($0))") }
            var left = Panel(title: "(\(Character(UnicodeScalar(97 + k)!))) FTLM, ω0 = \(fmt(w0))", xLabel: "ω / t", yLabel: sigmaLabel, series: series)
            left.xRange = 0...wmax
            var right: [Series] = []
            if let dc = matching(context.inputs("dc"), w0) { right.append(try resistivity(dc.path, label: "FTLM (δ band)", style: .points)) }
            if let d = matching(context.inputs("dmft"), w0) { right.append(try resistivity(d.path, label: "DMFT", style: .dashed)) }
            if let r = matching(context.inputs("rta"), w0) { right.append(try resistivity(r.path, label: "RTA (p = ω0)", style: .dotted)) }
            var rp = Panel(title: "(\(Character(UnicodeScalar(101 + k)!))) ρ(T), ω0 = \(fmt(w0))", xLabel: "T / t", yLabel: "ρ  [ħ/(e²a²)]", series: right)
            rp.logY = true
            rp.logX = true
            panels += [left, rp]
        }
        return Figure(name: p[FigureStage.figureName], title: title(p, "Fig. 1: σ(ω) and ρ(T), g = 1"), columns: 2, panels: panels)
    }

    /// The system part of a curve's label, "N = 16" or "N = 18, 108 sampled twists", from
    /// `ModelParameters.label`'s "METHOD (N = …, ω0 = …)…"; nil for a label of another shape.
    static func system(of label: String) -> String? {
        guard let open = label.range(of: "(N = "), let end = label.range(of: ", ω0 =", range: open.upperBound..<label.endIndex) else { return nil }
        return String(label[label.index(after: open.lowerBound)..<end.lowerBound])
    }

    /// Fig. 2: FTLM σ(ω) at one T for increasing ω0; inset: peak position against ω0.
    static func fig2(_ context: StageContext) throws -> Figure {
        let p = context.params
        let T = try FigureRecipes.need(p, FigureStage.temperature), wmax = p[FigureStage.omegaMax]
        var mainSystems: [String] = []
        let series = try byOmega0(context.inputs("ftlm")).map { (w0, i) in
            let curve = try CurveArtifact.read(i.path)
            if let system = system(of: curve.label), !mainSystems.contains(system) { mainSystems.append(system) }
            return try spectrum(curve, path: i.path, T: T, wmax: wmax, label: "ω0 = \(fmt(w0))")
        }
        // The system the curves come from, in the title: the inset may read some ω0 elsewhere.
        let systems = mainSystems.isEmpty ? "" : ", " + mainSystems.joined(separator: "; ")
        var main = Panel(title: "σ(ω) at T = \(fmt(T))\(systems)", xLabel: "ω / t", yLabel: sigmaLabel, series: series)
        main.xRange = 0...wmax
        var inset: [Series] = []
        var noPeak: [Marker] = []
        var elsewhere: [String] = []
        for a in context.inputs("analysis") {
            let f = try HDF5File.open(a.path)
            defer { f.close() }
            guard f.root.exists("peak") else { continue }
            let w0 = try f.root.readDoubles("omega0").values, pk = try f.root.readDoubles("peak").values
            // Points read from another system than the main panel's are named in the inset's title.
            if let json = try f.root.attribute("curve_labels"),
               let labels = try? JSONDecoder().decode([String].self, from: Data(json.utf8)), labels.count == w0.count {
                for (k, label) in labels.enumerated() {
                    if let system = system(of: label), !mainSystems.contains(system) { elsewhere.append("ω0 = \(fmt(w0[k])): \(system)") }
                }
            }
            let keep = pk.indices.filter { pk[$0].isFinite }
            inset.append(Series(label: "peak position", x: keep.map { w0[$0] }, y: keep.map { pk[$0] }, style: .points))
            // No peak beyond the errors: an arrow at that ω0, since a wiggle's position means
            // nothing (the peak artifact keeps it as `candidate`).
            noPeak += pk.indices.filter { !pk[$0].isFinite }.map { Marker(x: w0[$0], label: "no peak") }
            inset.append(Series(label: "ω = ω0", x: w0, y: w0, style: .dotted))
        }
        let note = elsewhere.isEmpty ? "" : " (" + elsewhere.joined(separator: "; ") + ")"
        var ip = Panel(title: "inset: finite-frequency peak\(note)", xLabel: "ω0 / t", yLabel: "ω_{peak} / t", series: inset)
        ip.logX = true
        ip.markers = noPeak
        // Room beside the outermost ω0, so that an arrow there and its label stay inside the panel.
        let allW0 = inset.flatMap(\.x).filter { $0 > 0 && $0.isFinite }
        if let lo = allW0.min(), let hi = allW0.max() { ip.xRange = (lo / 1.3)...(hi * 1.3) }
        return Figure(name: p[FigureStage.figureName], title: title(p, "Fig. 2: σ(ω) for increasing ω0, g = 1"), columns: 2, panels: [main, ip])
    }

    /// Fig. 3: (a) FTLM, DMFT, static and RTA σ(ω) at one ω0 and T; (b) σ_dc(ω0) with the Eq. 5
    /// fit; (c) SW(0.25) and SW(∞) against ω0, FTLM and DMFT.
    static func fig3(_ context: StageContext) throws -> Figure {
        let p = context.params
        let T = try FigureRecipes.need(p, FigureStage.temperature), w0 = try FigureRecipes.need(p, FigureStage.omega0), wmax = p[FigureStage.omegaMax]
        var a: [Series] = []
        if let f = matching(context.inputs("ftlm"), w0) { a.append(try spectrum(try CurveArtifact.read(f.path), path: f.path, T: T, wmax: wmax, label: "FTLM")) }
        if let d = matching(context.inputs("dmft"), w0) { a.append(try spectrum(try CurveArtifact.read(d.path), path: d.path, T: T, wmax: wmax, label: "DMFT", style: .dashed)) }
        for s in context.inputs("static") { a.append(try spectrum(try CurveArtifact.read(s.path), path: s.path, T: T, wmax: wmax, label: "static TLS")) }
        if let r = matching(context.inputs("rta"), w0) { a.append(try spectrum(try CurveArtifact.read(r.path), path: r.path, T: T, wmax: wmax, label: "RTA", style: .dotted)) }
        var pa = Panel(title: "(a) ω0 = \(fmt(w0)), T = \(fmt(T))", xLabel: "ω / t", yLabel: sigmaLabel, series: a)
        pa.xRange = 0...wmax
        func dcSeries(_ inputs: [InputArtifact], _ label: String, _ style: LineStyle) throws -> Series? {
            var x: [Double] = [], y: [Double] = []
            for (w, i) in byOmega0(inputs) {
                let f = try HDF5File.open(i.path)
                defer { f.close() }
                let temps = try f.root.readDoubles("temperature").values, dc = try f.root.readDoubles("sigma_dc").values
                if let k = temps.firstIndex(where: { abs($0 - T) < 1e-9 }) { x.append(w); y.append(dc[k]) }
            }
            return x.isEmpty ? nil : Series(label: label, x: x, y: y, style: style)
        }
        var b: [Series] = []
        if let s = try dcSeries(context.inputs("dc"), "FTLM", .points) { b.append(s) }
        if let s = try dcSeries(context.inputs("dmft"), "DMFT", .dashed) { b.append(s) }
        // RTA at a handful of ω0 (the caption-filtered σ_dc): points, so that each one is seen.
        if let s = try dcSeries(context.inputs("rta"), "RTA", .points) { b.append(s) }
        var c: [Series] = []
        for an in context.inputs("analysis") {
            let f = try HDF5File.open(an.path)
            defer { f.close() }
            let label = try f.root.attribute("label") ?? ""
            if f.root.exists("omega_bar") {
                let x = try f.root.readDoubles("curve_omega0").values, y = try f.root.readDoubles("curve").values
                let keep = x.indices.filter { y[$0].isFinite }
                b.append(Series(label: label, x: keep.map { x[$0] }, y: keep.map { y[$0] }, style: .solid))
            } else if f.root.exists("sw") {
                let w = try f.root.readDoubles("omega0").values, cut = try f.root.readDoubles("cutoff").values
                let sw = try f.root.readDoubles("sw").values
                let source = an.stage.contains("dmft") ? "DMFT" : "FTLM"
                for (j, L) in cut.enumerated() {
                    c.append(Series(label: "\(source) SW(\(L > 50 ? "∞" : fmt(L)))", x: w, y: w.indices.map { sw[$0 * cut.count + j] },
                                    style: source == "DMFT" ? .dashed : .points))
                }
            }
        }
        var pb = Panel(title: "(b) σ_{dc} at T = \(fmt(T))", xLabel: "ω0 / t", yLabel: "σ_{dc}  [e²a²/ħ per particle]", series: b)
        pb.logX = true
        // σ_dc spans two decades between ω0 = 0.02 and 2: on a linear axis the low-ω0 points
        // and the Eq. 5 curves, the panel's point, sit flat at the bottom.
        pb.logY = true
        var pc = Panel(title: "(c) spectral weight at T = \(fmt(T))", xLabel: "ω0 / t", yLabel: "SW(Λ)", series: c)
        pc.logX = true
        return Figure(name: p[FigureStage.figureName], title: title(p, "Fig. 3: vertex corrections and RTA, g = 1"), columns: 3, panels: [pa, pb, pc])
    }

    /// Fig. 4: (a) twist-averaged FTLM against DMFT on a log scale at several T; (b) DMFT ρ(T) for
    /// several ω0 with arrows at T* = 0.4 ω0.
    static func fig4(_ context: StageContext) throws -> Figure {
        let p = context.params
        let temps = try FigureRecipes.need(p, FigureStage.temperatures), wmax = p[FigureStage.omegaMax]
        var a: [Series] = []
        let ftlm = context.inputs("ftlm").first
        let w0a = ftlm?.parameter(ModelParameters.omega0.name) ?? p[FigureStage.omega0] ?? 2
        let dmftA = context.inputs("dmft").first { abs(($0.parameter(ModelParameters.omega0.name) ?? -1) - w0a) < 1e-12 }
        for T in temps {
            if let f = ftlm { a.append(try spectrum(try CurveArtifact.read(f.path), path: f.path, T: T, wmax: wmax, label: "FTLM T = \(fmt(T))")) }
            if let d = dmftA { a.append(try spectrum(try CurveArtifact.read(d.path), path: d.path, T: T, wmax: wmax, label: "DMFT T = \(fmt(T))", style: .dashed)) }
        }
        for k in a.indices { a[k].y = a[k].y.map { $0 > 0 ? $0 : .nan } }
        var pa = Panel(title: "(a) ω0 = \(fmt(w0a)): FTLM (twists) vs DMFT", xLabel: "ω / t", yLabel: sigmaLabel, series: a)
        pa.logY = true
        pa.xRange = 0...wmax
        var b: [Series] = []
        var markers: [Marker] = []
        var offAxis: [Double] = []
        for (w0, d) in byOmega0(context.inputs("dmft")) {
            let series = try resistivity(d.path, label: "ω0 = \(fmt(w0))", style: .solid)
            b.append(series)
            // An arrow only where the curve is drawn: one off the axis would land in the next panel.
            if let lo = series.x.min(), let hi = series.x.max(), (lo...hi).contains(0.4 * w0) {
                markers.append(Marker(x: 0.4 * w0, label: "T*(\(fmt(w0)))"))
            } else {
                offAxis.append(w0)
            }
        }
        // The reader is told which arrows are missing rather than left to wonder.
        let missing = offAxis.isEmpty ? "" : "; T* of ω0 = " + offAxis.map(fmt).joined(separator: ", ") + " off the T axis"
        var pb = Panel(title: "(b) DMFT ρ(T); arrows at T* = 0.4 ω0" + missing, xLabel: "T / t", yLabel: "ρ  [ħ/(e²a²)]", series: b)
        pb.logY = true
        pb.logX = true
        pb.markers = markers
        return Figure(name: p[FigureStage.figureName], title: title(p, "Fig. 4: fast TLS regime, g = 1"), columns: 2, panels: [pa, pb])
    }

    /// Fig. 5: DMFT DOS and Γ = −Im Σ at the given temperatures (arrow: E0), then σ(ω) at several T.
    static func fig5(_ context: StageContext) throws -> Figure {
        let p = context.params
        guard let d = context.inputs("dmft").first else { throw StageError("fig5 needs a dmft input") }
        let f = try HDF5File.open(d.path)
        defer { f.close() }
        let temps = try f.root.readDoubles("temperature").values
        let nu = try f.root.readDoubles("nu").values
        let dos = try f.root.readDoubles("dos").values, gamma = try f.root.readDoubles("gamma").values
        let e0 = try f.root.readDoubles("e0").values[0]
        let n = nu.count
        var panels: [Panel] = []
        let wanted = try FigureRecipes.need(p, FigureStage.temperatures)
        for (k, T) in wanted.enumerated() {
            guard let r = temps.firstIndex(where: { abs($0 - T) < 1e-9 }) else { throw StageError("\(d.path) has no T = \(T)") }
            let keep = nu.indices.filter { nu[$0] > -4 && nu[$0] < 4 }.filter { $0 % 2 == 0 }
            var panel = Panel(title: "(\(Character(UnicodeScalar(97 + k)!))) T = \(fmt(T))", xLabel: "ν / t", yLabel: "N*(ν), Γ(ν)", series: [
                Series(label: "DOS N*(ν)", x: keep.map { nu[$0] }, y: keep.map { dos[r * n + $0] }),
                Series(label: "Γ(ν) = −Im Σ", x: keep.map { nu[$0] }, y: keep.map { gamma[r * n + $0] }, style: .dashed),
            ])
            panel.markers = [Marker(x: e0, label: "E0")]
            panel.yRange = 0...1.2
            panels.append(panel)
        }
        let c = try CurveArtifact.read(d.path)
        // The ω = 0 peak grows as e^{ω0/T} at low T: a log axis and T ≥ 0.3 keep every curve visible.
        let shown = temps.filter { T in [0.3, 0.5, 1, 2, 5].contains { abs($0 - T) < 1e-9 } }
        let series = try shown.map { try spectrum(c, path: d.path, T: $0, wmax: p[FigureStage.omegaMax], label: "T = \(fmt($0))") }
        var pd = Panel(title: "(\(Character(UnicodeScalar(97 + wanted.count)!))) DMFT σ(ω)", xLabel: "ω / t", yLabel: sigmaLabel, series: series)
        pd.xRange = 0...p[FigureStage.omegaMax]
        pd.logY = true
        for k in pd.series.indices { pd.series[k].y = pd.series[k].y.map { $0 > 0 ? $0 : .nan } }
        panels.append(pd)
        return Figure(name: p[FigureStage.figureName], title: title(p, "Fig. 5: DMFT, g = 1, ω0 = \(fmt(d.parameter(ModelParameters.omega0.name) ?? 1))"), columns: 2, panels: panels)
    }

    static func title(_ p: Params, _ fallback: String) -> String { p[FigureStage.title].isEmpty ? fallback : p[FigureStage.title] }
}
