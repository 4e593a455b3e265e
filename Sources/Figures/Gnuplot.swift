import Foundation

public struct FigureError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Renders a `Figure` with gnuplot. The data table and script are written next to the figure
/// under their final names, so `cd figures && gnuplot NAME.gp` redraws it.
public enum GnuplotRenderer {
    /// The data table: one block per series (gnuplot `index`), columns x y [low high].
    public static func dataTable(_ fig: Figure) -> String {
        var out = "# \(plain(fig.title))\n# one block per series (gnuplot index i); columns: x y [band_low band_high]\n"
        var index = 0
        for (pi, panel) in fig.panels.enumerated() {
            for s in panel.series {
                out += "\n\n# index \(index): panel \(pi + 1) \"\(plain(panel.title))\" — \(plain(s.label))\n"
                for i in s.x.indices where s.x[i].isFinite && s.y[i].isFinite {
                    out += "\(fmt(s.x[i])) \(fmt(s.y[i]))"
                    if let b = s.band { out += " \(fmt(b.low[i])) \(fmt(b.high[i]))" }
                    out += "\n"
                }
                index += 1
            }
        }
        return out
    }

    static func fmt(_ v: Double) -> String { String(format: "%.10g", v) }

    /// Text as gnuplot may see it anywhere in a script: no control characters (a newline would
    /// end the line and start a command of its own) and no backquotes (gnuplot runs the text
    /// between backquotes as a shell command, even inside strings and comments).
    static func plain(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { u -> Unicode.Scalar in
            if u.value < 0x20 || u.value == 0x7F { return " " }
            return u == "`" ? "\u{2035}" : u
        }))
    }

    /// Text inside a double-quoted gnuplot string.
    static func escape(_ s: String) -> String {
        plain(s).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// The gnuplot script; `terminal` is "pdf" or "png".
    public static func script(_ fig: Figure, dataFile: String, output: String, terminal: String) -> String {
        let rows = (fig.panels.count + fig.columns - 1) / fig.columns
        let w = 4.2 * Double(fig.columns), h = 3.2 * Double(rows)
        var s = "# \(plain(fig.title))\nset encoding utf8\n"
        if terminal == "pdf" {
            s += "set terminal pdfcairo enhanced color font 'Sans,9' size \(w)in,\(h)in\n"
        } else {
            s += "set terminal pngcairo enhanced color font 'Sans,10' size \(Int(w * 150)),\(Int(h * 150))\n"
        }
        s += "set output '\(output)'\n"
        s += "set multiplot layout \(rows),\(fig.columns) title \"\(escape(fig.title))\"\n"
        s += "set key top right samplen 2 spacing 1.1 font ',8'\nset grid lc rgb '#dddddd'\n"
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
        var index = 0
        for panel in fig.panels {
            // The legend sits below the plot, where it can cover no data.
            s += "reset session\nset grid lc rgb '#dddddd'\nset key below samplen 2 font ',8' maxrows 4\n"
            s += "set title \"\(escape(panel.title))\"\nset xlabel \"\(escape(panel.xLabel))\"\nset ylabel \"\(escape(panel.yLabel))\"\n"
            s += panel.logX ? "set logscale x\nset format x '10^{%L}'\n" : "unset logscale x\n"
            s += panel.logY ? "set logscale y\nset format y '10^{%L}'\n" : "unset logscale y\n"
            if let r = panel.xRange { s += "set xrange [\(fmt(r.lowerBound)):\(fmt(r.upperBound))]\n" }
            if let r = panel.yRange {
                s += "set yrange [\(fmt(r.lowerBound)):\(fmt(r.upperBound))]\n"
            } else if !panel.logY, let low = panel.series.flatMap({ $0.y.filter(\.isFinite) }).min(), low >= 0 {
                // Data that are never negative start the axis at 0, not at a tic below it.
                s += "set yrange [0:*]\n"
            }
            if panel.xRange == nil { s += "set autoscale xfix\n" }
            // Markers outside the data's x range would be drawn outside the panel (gnuplot does not
            // clip arrows), on top of its neighbour.
            let xs = panel.series.flatMap { $0.x.filter(\.isFinite) }
            let xr = panel.xRange ?? ((xs.min() ?? 0)...(xs.max() ?? 0))
            for (k, m) in panel.markers.enumerated() where xr.contains(m.x) {
                s += "set arrow \(k + 1) from first \(fmt(m.x)), graph 0.25 to first \(fmt(m.x)), graph 0.05 head filled lw 1.5 lc rgb '#444444'\n"
                s += "set label \(k + 1) \"\(escape(m.label))\" at first \(fmt(m.x)), graph 0.28 center font ',7'\n"
            }
            var parts: [String] = []
            for (k, ser) in panel.series.enumerated() {
                let color = palette[k % palette.count]
                if ser.band != nil {
                    parts.append("'\(dataFile)' index \(index) using 1:3:4 with filledcurves fc rgb '\(color)' fs transparent solid 0.25 noborder notitle")
                }
                let style: String
                switch ser.style {
                case .solid: style = "with lines lw 2 dt 1"
                case .dashed: style = "with lines lw 2 dt 2"
                case .dotted: style = "with lines lw 2.5 dt 3"
                case .points: style = "with linespoints pt 7 ps 0.6 lw 1.5"
                }
                parts.append("'\(dataFile)' index \(index) using 1:2 \(style) lc rgb '\(color)' title \"\(escape(ser.label))\"")
                index += 1
            }
            s += parts.isEmpty ? "plot NaN notitle\n" : "plot " + parts.joined(separator: ", \\\n     ") + "\n"
        }
        s += "unset multiplot\nunset output\n"
        return s
    }

    /// Draws `fig` in a scratch folder and returns the bytes of (pdf, png, data table, script).
    /// The script written beside the figure draws the PDF; the PNG script differs only in terminal.
    public static func render(_ fig: Figure) throws -> (pdf: Data, png: Data, table: String, script: String) {
        guard !fig.panels.isEmpty else {
            throw FigureError(description: "figure \(fig.name) has nothing to draw: no input gave it a panel")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tlspipe-fig-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = dataTable(fig)
        let dat = fig.name + ".dat"
        try Data(table.utf8).write(to: dir.appendingPathComponent(dat))
        let pdfScript = script(fig, dataFile: dat, output: fig.name + ".pdf", terminal: "pdf")
        let pngScript = script(fig, dataFile: dat, output: fig.name + ".png", terminal: "png")
        try Data((pdfScript + "\n" + pngScript).utf8).write(to: dir.appendingPathComponent(fig.name + ".gp"))
        try runGnuplot(script: fig.name + ".gp", in: dir)
        let pdf = try Data(contentsOf: dir.appendingPathComponent(fig.name + ".pdf"))
        let png = try Data(contentsOf: dir.appendingPathComponent(fig.name + ".png"))
        return (pdf, png, table, pdfScript + "\n" + pngScript)
    }

    static func runGnuplot(script: String, in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gnuplot", script]
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw FigureError(description: "cannot start gnuplot (install gnuplot-nox): \(error)")
        }
        let msg = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        // gnuplot's own words name script lines a user never wrote: say what failed instead.
        guard p.terminationStatus == 0 else {
            _ = msg
            throw FigureError(description: "gnuplot could not draw \(script) (exit \(p.terminationStatus)); the inputs passed validation, so this is a bug in the figure recipe: please report it with the spec")
        }
    }
}
