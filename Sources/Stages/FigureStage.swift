import Figures
import Foundation
import PipelineEngine

/// `figure`: draws a figure from artifacts with gnuplot (PDF and PNG) and writes, beside it,
/// the data table, the gnuplot script and the provenance record.
struct FigureStage: StageKind {
    let name = "figure"
    let version = 2
    let summary = "gnuplot figure (PDF, PNG) with its data table, script and provenance record"
    let parameters: [ParameterSpec] = [
        ParameterSpec("name", .string(), help: "file name of the figure, without extension (e.g. fig3a)"),
        ParameterSpec("recipe", .string(allowed: FigureRecipes.names), help: "what to draw"),
        ParameterSpec("title", .string(), default: .string(""), help: "figure title"),
        ParameterSpec("temperature", .double(min: 0, exclusiveMin: true), default: .null, help: "temperature of the spectra drawn"),
        ParameterSpec("omega_max", .double(min: 0, exclusiveMin: true), default: .double(2), help: "largest ω drawn"),
        ParameterSpec("temperatures", .doubles(min: 0), default: .null, help: "temperatures of the spectra drawn (recipes fig1, fig4, fig5)"),
        ParameterSpec("omega0", .double(min: 0), default: .null, help: "ω0 of the panel that shows one (fig3a)"),
    ]
    let inputs = [
        InputSpec("curves", required: false, multiple: true, accepts: ["filter", "dmft", "rta"], help: "artifacts drawn, in legend order (recipe spectra)"),
        InputSpec("ftlm", required: false, multiple: true, accepts: ["filter"], help: "filtered FTLM σ(ω) curves, one per ω0"),
        InputSpec("dc", required: false, multiple: true, accepts: ["dc"], help: "FTLM d.c. artifacts (dc stage), one per ω0"),
        InputSpec("dmft", required: false, multiple: true, accepts: ["dmft"], help: "dmft artifacts, one per ω0"),
        InputSpec("rta", required: false, multiple: true, accepts: ["rta"], help: "rta artifacts, one per ω0"),
        InputSpec("static", required: false, multiple: true, accepts: ["filter"], help: "filtered static-disorder σ(ω)"),
        InputSpec("analysis", required: false, multiple: true, accepts: ["spectral-weight", "peak", "fit"], help: "spectral-weight, peak and fit artifacts"),
    ]

    func validate(_ p: Params) -> [(String, String)] {
        let n = p.string("name")
        if n.isEmpty || !n.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) {
            return [("name", "must be letters, digits, '-' or '_', got '\(n)'")]
        }
        if let problem = FigureRecipes.check(p) { return [problem] }
        return []
    }

    func outputs(id: String, params: Params) -> [OutputFile] {
        let n = params.string("name")
        return ["pdf", "png", "dat", "gp", "provenance.json"].map { OutputFile(.figures, "\(n).\($0)") }
    }

    func run(_ context: StageContext) throws -> StageReport {
        let figure = try FigureRecipes.build(context)
        let drawn = try GnuplotRenderer.render(figure)
        try drawn.pdf.write(to: URL(fileURLWithPath: context.outputPaths[0]))
        try drawn.png.write(to: URL(fileURLWithPath: context.outputPaths[1]))
        try Data(drawn.table.utf8).write(to: URL(fileURLWithPath: context.outputPaths[2]))
        try Data(drawn.script.utf8).write(to: URL(fileURLWithPath: context.outputPaths[3]))
        return StageReport()
    }

    func stamp(outputPaths: [String], provenance: JSONValue) throws {
        guard case .object(var members) = provenance else { return }
        // The files' final names (outputPaths are temporaries), from the figure's name.
        let base = provenance["params"]?["name"]?.stringValue ?? "figure"
        members.append(("files", .array(["pdf", "png", "dat", "gp"].map { .string("\(base).\($0)") })))
        do {
            try Data((JSONValue.object(members).pretty + "\n").utf8).write(to: URL(fileURLWithPath: outputPaths[4]))
        } catch {
            throw StageError("cannot write \(outputPaths[4]): \(SafeFiles.describe(error))")
        }
    }
}

/// The figures the `figure` stage can draw, each from named inputs (recipes in PaperFigures.swift).
enum FigureRecipes {
    static let names = ["spectra", "fig1", "fig2", "fig3", "fig4", "fig5"]

    static func check(_ p: Params) -> (String, String)? {
        let recipe = p.string("recipe")
        if ["spectra", "fig2", "fig3"].contains(recipe) && !p.has("temperature") {
            return ("temperature", "recipe '\(recipe)' needs the temperature drawn")
        }
        if recipe == "fig3" && !p.has("omega0") { return ("omega0", "recipe 'fig3' needs the ω0 of panel (a)") }
        if ["fig1", "fig4", "fig5"].contains(recipe) && !p.has("temperatures") {
            return ("temperatures", "recipe '\(recipe)' needs the temperatures drawn")
        }
        return nil
    }

    static func build(_ context: StageContext) throws -> Figure {
        let p = context.params
        switch p.string("recipe") {
        case "fig1": return try PaperFigures.fig1(context)
        case "fig2": return try PaperFigures.fig2(context)
        case "fig3": return try PaperFigures.fig3(context)
        case "fig4": return try PaperFigures.fig4(context)
        case "fig5": return try PaperFigures.fig5(context)
        default: return try spectra(context, p)
        }
    }

    /// σ(ω) at one temperature from every input curve, with error bands where known.
    static func spectra(_ context: StageContext, _ p: Params) throws -> Figure {
        let T = p.double("temperature")
        let wmax = p.double("omega_max")
        var series: [Series] = []
        for (k, input) in context.inputs("curves").enumerated() {
            let c = try CurveArtifact.read(input.path)
            let styles: [LineStyle] = [.solid, .dashed, .dotted, .solid]
            series.append(try PaperFigures.spectrum(c, path: input.path, T: T, wmax: wmax, label: c.label, style: styles[k % styles.count]))
        }
        var panel = Panel(title: "T = \(JSONValue.format(T)) t", xLabel: "ω / t", yLabel: "σ(ω)  [e²a²/ħ per particle]", series: series)
        panel.xRange = 0...wmax
        let title = p.string("title").isEmpty ? "Optical conductivity at T = \(JSONValue.format(T))" : p.string("title")
        return Figure(name: p.string("name"), title: title, panels: [panel])
    }
}
