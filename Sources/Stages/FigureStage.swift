import Figures
import Foundation
import PipelineEngine

/// `figure`: draws a figure from artifacts with gnuplot (PDF and PNG) and writes, beside it,
/// the data table, the gnuplot script and the provenance record.
struct FigureStage: StageKind {
    let name = "figure"
    // v3: legends below the plots, axes from 0 for non-negative data, recipe rho, full ancestry.
    // v4: ρ(T) legends name the disorder W and a distributed ω0.
    // v5: Fig. 2 inset marks maxima within the errors; Fig. 3b on a log σ_dc axis, RTA σ_dc as points (the caption-filtered ones); ρ(T)
    // legends say DMFT+CPA for DMFT with disorder.
    // v6: Fig. 2 inset marks ω0 without a peak by an arrow (a wiggle's ordinate means nothing); Fig. 4b names T* off the axis.
    // v7: Fig. 2 names its system (N, twists) in the title, and in the inset every ω0 read from another one.
    let version = 7
    let summary = "gnuplot figure (PDF, PNG) with its data table, script and provenance record"
    static let figureName = Parameter<String>("name", .string(), help: "file name of the figure, without extension (e.g. fig3a)")
    static let recipe = Parameter<String>("recipe", .string(allowed: FigureRecipes.names), help: "what to draw")
    static let title = Parameter<String>("title", .string(), default: .string(""), help: "figure title")
    static let temperature = Parameter<Double?>("temperature", .double(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "temperature of the spectra drawn")
    static let omegaMax = Parameter<Double>("omega_max", .double(min: 0, exclusiveMin: true), default: .double(2), unit: "t", help: "largest ω drawn")
    static let temperatures = Parameter<[Double]?>("temperatures", .doubles(min: 0), default: .null, unit: "t", help: "temperatures of the spectra drawn (recipes fig1, fig4, fig5)")
    static let omega0 = Parameter<Double?>("omega0", .double(min: 0), default: .null, unit: "t", help: "ω0 of the panel that shows one (fig3a)")
    let parameters: [ParameterSpec] = [Self.figureName.spec, Self.recipe.spec, Self.title.spec, Self.temperature.spec, Self.omegaMax.spec, Self.temperatures.spec, Self.omega0.spec]
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
        let n = p[FigureStage.figureName]
        if n.isEmpty || !n.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) {
            return [(FigureStage.figureName.name, "must be letters, digits, '-' or '_', got '\(n)'")]
        }
        if let problem = FigureRecipes.check(p) { return [problem] }
        return []
    }

    func validate(_ p: Params, inputs: [String: [InputFacts]]) -> [(String, String)] {
        FigureRecipes.checkInputs(p, inputs)
    }

    func outputs(id: String, params: Params) -> [OutputFile] {
        let n = params[FigureStage.figureName]
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
        // The whole upstream chain, so the figure folder alone tells what made it.
        let folder = (outputPaths[4] as NSString).deletingLastPathComponent
        members.append(("ancestors", .array(Audit.ancestry(of: provenance, folder: folder.isEmpty ? "." : folder))))
        do {
            try Data((JSONValue.object(members).pretty + "\n").utf8).write(to: URL(fileURLWithPath: outputPaths[4]))
        } catch {
            throw StageError("cannot write \(outputPaths[4]): \(SafeFiles.describe(error))")
        }
    }
}

/// The figures the `figure` stage can draw, each from named inputs (recipes in PaperFigures.swift).
enum FigureRecipes {
    static let names = ["spectra", "rho", "fig1", "fig2", "fig3", "fig4", "fig5"]

    /// What each recipe draws and from which inputs (for `tlspipe kinds` and the README).
    static let descriptions: [(String, String)] = [
        ("spectra", "σ(ω) at `temperature` of every `curves` input (filter, dmft, rta), with error bands"),
        ("rho", "ρ(T) on log axes from any `dc` (with its δ band), `dmft` and `rta` inputs: your own comparisons"),
        ("fig1", "paper Fig. 1: FTLM σ(ω) at `temperatures` per ω0 (`ftlm`: filtered FTLM) and ρ(T) from `dc`, with `dmft`, `rta`"),
        ("fig2", "paper Fig. 2: FTLM σ(ω) at `temperature` for every ω0 (`ftlm`), inset: peak position (`analysis`: peak)"),
        ("fig3", "paper Fig. 3: σ(ω) at `omega0`, `temperature` (`ftlm`, `dmft`, `static`, `rta`); σ_dc(ω0) with the Eq. 5 fit and SW(Λ) (`dc`, `dmft`, `rta`, `analysis`)"),
        ("fig4", "paper Fig. 4: (a) twist-averaged FTLM against DMFT on a log scale (`ftlm`, `dmft`); (b) DMFT ρ(T) for several ω0 with T* arrows"),
        ("fig5", "paper Fig. 5: DMFT DOS, −Im Σ and σ(ω) at `temperatures` (`dmft`)"),
    ]

    /// The input slots each recipe cannot draw without, and the slots whose curves it draws at
    /// the figure's temperature(s).
    static let neededSlots: [String: [String]] = [
        "spectra": ["curves"], "fig1": ["ftlm", "dc"], "fig2": ["ftlm"], "fig3": ["ftlm"], "fig4": ["dmft"], "fig5": ["dmft"],
    ]
    /// Recipes that need at least one of these slots.
    static let anyOfSlots: [String: [String]] = ["rho": ["dc", "dmft", "rta"]]
    static let drawnAtT: [String: [String]] = [
        "spectra": ["curves"], "fig1": ["ftlm"], "fig2": ["ftlm"], "fig3": ["ftlm", "dmft", "static", "rta"],
        "fig4": ["ftlm", "dmft"], "fig5": ["dmft"],
    ]

    /// What `validate` can tell from the spec alone: a missing slot, or a temperature that no
    /// input computes (each input's `temperatures`, its own or inherited from its source).
    static func checkInputs(_ p: Params, _ inputs: [String: [InputFacts]]) -> [(String, String)] {
        let recipe = p[FigureStage.recipe]
        var problems: [(String, String)] = []
        for slot in neededSlots[recipe] ?? [] where (inputs[slot] ?? []).isEmpty {
            problems.append(("inputs.\(slot)", "recipe '\(recipe)' needs input '\(slot)'"))
        }
        if let any = anyOfSlots[recipe], !any.contains(where: { !(inputs[$0] ?? []).isEmpty }) {
            problems.append(("inputs.\(any[0])", "recipe '\(recipe)' needs at least one of the inputs \(any.joined(separator: ", "))"))
        }
        let wanted = p[FigureStage.temperatures] ?? p[FigureStage.temperature].map { [$0] } ?? []
        for slot in drawnAtT[recipe] ?? [] {
            for input in inputs[slot] ?? [] {
                guard let computed = input.lineage["temperatures"]?.arrayValue?.compactMap(\.doubleValue) else { continue }
                for T in wanted where !computed.contains(where: { abs($0 - T) <= 1e-9 * max(1, abs(T)) }) {
                    problems.append((p[FigureStage.temperatures] != nil ? FigureStage.temperatures.name : FigureStage.temperature.name,
                                     "T = \(JSONValue.format(T)) is drawn from input '\(slot)' (\(input.stage)), which computes only T = \(computed.map(JSONValue.format).joined(separator: ", "))"))
                }
            }
        }
        return problems
    }

    /// A parameter the recipe needs (validation has checked it is there: `check`).
    static func need<T>(_ p: Params, _ parameter: Parameter<T?>) throws -> T {
        guard let v = p[parameter] else { throw StageError("recipe '\(p[FigureStage.recipe])' needs \(parameter.name)") }
        return v
    }

    static func check(_ p: Params) -> (String, String)? {
        let recipe = p[FigureStage.recipe]
        if ["spectra", "fig2", "fig3"].contains(recipe) && !p.has(FigureStage.temperature) {
            return ("temperature", "recipe '\(recipe)' needs the temperature drawn")
        }
        if recipe == "fig3" && !p.has(FigureStage.omega0) { return ("omega0", "recipe 'fig3' needs the ω0 of panel (a)") }
        if ["fig1", "fig4", "fig5"].contains(recipe) && !p.has(FigureStage.temperatures) {
            return ("temperatures", "recipe '\(recipe)' needs the temperatures drawn")
        }
        return nil
    }

    static func build(_ context: StageContext) throws -> Figure {
        let p = context.params
        switch p[FigureStage.recipe] {
        case "fig1": return try PaperFigures.fig1(context)
        case "fig2": return try PaperFigures.fig2(context)
        case "fig3": return try PaperFigures.fig3(context)
        case "fig4": return try PaperFigures.fig4(context)
        case "fig5": return try PaperFigures.fig5(context)
        case "rho": return try rho(context, p)
        default: return try spectra(context, p)
        }
    }

    /// ρ(T) from every dc, DMFT and RTA input, labelled by method and the physics behind it.
    static func rho(_ context: StageContext, _ p: Params) throws -> Figure {
        var series: [Series] = []
        for (slot, method, style) in [("dc", "FTLM", LineStyle.points), ("dmft", "DMFT", .dashed), ("rta", "RTA", .dotted)] {
            for input in context.inputs(slot) {
                var facts: [String] = []
                let glass = input.params["omega0_distribution"].flatMap { $0 == .null ? nil : $0 }
                for (name, symbol) in [("sites", "N"), ("g", "g"), ("omega0", "ω0"), ("disorder_width", "W")] {
                    if name == "omega0", let d = glass {
                        facts.append("ω0 \(d["type"]?.stringValue ?? "") [\(d["min"].map(\.canonical) ?? "?"), \(d["max"].map(\.canonical) ?? "?")]")
                        continue
                    }
                    // W only for disordered runs (clean ones carry the default 0 in their lineage).
                    if name == "disorder_width", (input.params[name]?.doubleValue ?? 0) == 0,
                       input.params["realizations"].map({ $0 == .null }) ?? true { continue }
                    if let v = input.params[name], v != .null { facts.append("\(symbol) = \(v.intValue.map(String.init) ?? v.doubleValue.map(JSONValue.format) ?? v.canonical)") }
                }
                // DMFT with local disorder is DMFT+CPA.
                let averaged = (input.params["disorder_width"]?.doubleValue ?? 0) > 0 || glass != nil
                    || (input.params["g_distribution"].map { $0 != .null } ?? false)
                let name = slot == "dmft" && averaged ? "DMFT+CPA" : method
                series.append(try PaperFigures.resistivity(input.path, label: name + (facts.isEmpty ? "" : " (" + facts.joined(separator: ", ") + ")"), style: style))
            }
        }
        var panel = Panel(title: "resistivity", xLabel: "T / t", yLabel: "ρ  [ħ/(e²a²)]", series: series)
        panel.logX = true
        panel.logY = true
        let title = p[FigureStage.title].isEmpty ? "ρ(T)" : p[FigureStage.title]
        return Figure(name: p[FigureStage.figureName], title: title, panels: [panel])
    }

    /// σ(ω) at one temperature from every input curve, with error bands where known.
    static func spectra(_ context: StageContext, _ p: Params) throws -> Figure {
        let T = try FigureRecipes.need(p, FigureStage.temperature)
        let wmax = p[FigureStage.omegaMax]
        var series: [Series] = []
        for (k, input) in context.inputs("curves").enumerated() {
            let c = try CurveArtifact.read(input.path)
            let styles: [LineStyle] = [.solid, .dashed, .dotted, .solid]
            series.append(try PaperFigures.spectrum(c, path: input.path, T: T, wmax: wmax, label: c.label, style: styles[k % styles.count]))
        }
        var panel = Panel(title: "T = \(JSONValue.format(T)) t", xLabel: "ω / t", yLabel: "σ(ω)  [e²a²/ħ per particle]", series: series)
        panel.xRange = 0...wmax
        let title = p[FigureStage.title].isEmpty ? "Optical conductivity at T = \(JSONValue.format(T))" : p[FigureStage.title]
        return Figure(name: p[FigureStage.figureName], title: title, panels: [panel])
    }
}
