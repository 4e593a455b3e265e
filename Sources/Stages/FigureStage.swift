import Figures
import Foundation
import PipelineEngine

/// `figure`: draws a figure from artifacts with gnuplot (PDF and PNG) and writes, beside it,
/// the data table, the gnuplot script and the provenance record.
struct FigureStage: StageKind {
    let name = "figure"
    let version = 1
    let summary = "gnuplot figure (PDF, PNG) with its data table, script and provenance record"
    let parameters: [ParameterSpec] = [
        ParameterSpec("name", .string(), help: "file name of the figure, without extension (e.g. fig3a)"),
        ParameterSpec("recipe", .string(allowed: FigureRecipes.names), help: "what to draw"),
        ParameterSpec("title", .string(), default: .string(""), help: "figure title"),
        ParameterSpec("temperature", .double(min: 0, exclusiveMin: true), default: .null, help: "temperature of the spectra drawn"),
        ParameterSpec("omega_max", .double(min: 0, exclusiveMin: true), default: .double(2), help: "largest ω drawn"),
    ]
    let inputs = [InputSpec("curves", multiple: true, help: "artifacts drawn, in legend order")]

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
        let base = (outputPaths[0] as NSString).lastPathComponent.components(separatedBy: ".pdf.tmp")[0]
        members.append(("files", .array(["pdf", "png", "dat", "gp"].map { .string("\(base).\($0)") })))
        try Data((JSONValue.object(members).pretty + "\n").utf8).write(to: URL(fileURLWithPath: outputPaths[4]))
    }
}

/// The figures the `figure` stage can draw, each from named inputs.
enum FigureRecipes {
    static let names = ["spectra"]

    static func check(_ p: Params) -> (String, String)? {
        switch p.string("recipe") {
        case "spectra" where !p.has("temperature"): return ("temperature", "recipe 'spectra' needs the temperature drawn")
        default: return nil
        }
    }

    static func build(_ context: StageContext) throws -> Figure {
        let p = context.params
        switch p.string("recipe") {
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
            let row = try c.row(T, path: input.path)
            let keep = c.omega.indices.filter { c.omega[$0] <= wmax }
            let band = row.error.map { e in (keep.map { row.sigma[$0] - e[$0] }, keep.map { row.sigma[$0] + e[$0] }) }
            let styles: [LineStyle] = [.solid, .dashed, .dotted, .solid]
            series.append(Series(label: c.label, x: keep.map { c.omega[$0] }, y: keep.map { row.sigma[$0] },
                                 band: band, style: styles[k % styles.count]))
        }
        var panel = Panel(title: "T = \(JSONValue.format(T)) t", xLabel: "ω / t", yLabel: "σ(ω)  [e²a²/ħ per particle]", series: series)
        panel.xRange = 0...wmax
        let title = p.string("title").isEmpty ? "Optical conductivity at T = \(JSONValue.format(T))" : p.string("title")
        return Figure(name: p.string("name"), title: title, panels: [panel])
    }
}
