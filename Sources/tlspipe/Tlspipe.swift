import ArgumentParser
import Foundation
import Logging
import PipelineEngine
import Stages

struct Tlspipe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlspipe",
        abstract: "Reproducible pipeline for the electron–TLS paper: run stages, audit artifacts, draw figures.",
        version: CodeVersion.toolVersion,
        subcommands: [Run.self, Status.self, Explain.self, Audit.self, Graph.self, Validate.self, Compute.self, Kinds.self, Schema.self])
}

/// An error with its exit code (1: a stage failed; 2: bad usage or bad spec).
struct CLIFailure: Error {
    let code: Int32
    let message: String
}

struct WorkspaceOptions: ParsableArguments {
    @Option(help: "Folder of the HDF5 artifacts.") var dataDir = "data"
    @Option(help: "Folder of the rendered figures.") var figuresDir = "figures"
    var workspace: Workspace { Workspace(dataDir: dataDir, figuresDir: figuresDir) }
}

/// Loads and validates a spec; any problem is exit code 2 with file and JSON path.
func loadPipeline(_ file: String) throws -> Pipeline {
    do {
        return try SpecLoader(registry: StageKinds.registry()).load(file: file)
    } catch let e as SpecError {
        throw CLIFailure(code: 2, message: e.description)
    }
}

func makeDriver(_ spec: String, _ ws: WorkspaceOptions) throws -> Driver {
    Driver(pipeline: try loadPipeline(spec), registry: StageKinds.registry(), workspace: ws.workspace,
           logger: Logger(label: "tlspipe"))
}

/// True when progress bars make sense: a terminal, not CI.
var interactive: Bool {
    isatty(2) != 0 && ProcessInfo.processInfo.environment["CI"] == nil
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every stale stage of a spec (and what depends on it).")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Option(name: .customLong("target"), help: "Only this stage (and what it needs); repeatable.") var targets: [String] = []
    @Option(help: "Stages run in parallel.") var jobs = 1
    @Flag(help: "Show what would run and why, without running.") var dryRun = false
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        guard jobs >= 1 else { throw CLIFailure(code: 2, message: "--jobs must be ≥ 1") }
        let driver = try makeDriver(spec, ws)
        let summary: RunSummary
        do {
            summary = try driver.run(RunOptions(jobs: jobs, targets: targets, dryRun: dryRun, showProgress: interactive))
        } catch let e as SpecError {
            throw CLIFailure(code: 2, message: e.description)
        } catch let e as LockBusy {
            throw CLIFailure(code: 1, message: e.message)
        }
        if dryRun {
            if summary.planned.isEmpty { print("nothing to do: every stage is fresh") }
            for (id, reasons) in summary.planned { print("would run \(id): \(reasons.joined(separator: "; "))") }
            return
        }
        if summary.planned.isEmpty { print("nothing to do: every stage is fresh"); return }
        print("ran \(summary.ran.count) stage(s)" + (summary.failed.isEmpty ? "" : ", \(summary.failed.count) failed")
              + (summary.skipped.isEmpty ? "" : ", \(summary.skipped.count) skipped"))
        if !summary.failed.isEmpty {
            throw CLIFailure(code: 1, message: summary.failed.map { "\($0.0): \($0.1)" }.joined(separator: "\n"))
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every stage: fresh or stale, and why.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Flag(help: "Machine-readable output.") var json = false
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let statuses = try makeDriver(spec, ws).checker.statuses()
        if json {
            let items: [JSONValue] = statuses.map { s in
                .object([("id", .string(s.id)), ("kind", .string(s.kind)), ("fresh", .bool(s.fresh)),
                         ("reasons", .array(s.reasons.map { .string($0) })),
                         ("key", s.expectedKey.map { .string($0) } ?? .null),
                         ("outputs", .array(s.outputs.map { .string($0) }))])
            }
            print(JSONValue.array(items).pretty)
            return
        }
        let width = statuses.map(\.id.count).max() ?? 10
        for s in statuses {
            let pad = s.id.padding(toLength: width, withPad: " ", startingAt: 0)
            print("\(s.fresh ? "fresh" : "STALE") \(pad)  \(s.kind)" + (s.fresh ? "" : "  — " + s.reasons.joined(separator: "; ")))
        }
        let stale = statuses.filter { !$0.fresh }.count
        print("\(statuses.count - stale) fresh, \(stale) stale")
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Say exactly what changed for one stage (parameter, input, code, artifact).")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Argument(help: "Stage id (a sweep template id explains every instance).") var stage: String
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let driver = try makeDriver(spec, ws)
        let ids = driver.pipeline.instances.filter { $0.id == stage || $0.templateID == stage }.map(\.id)
        guard !ids.isEmpty else { throw CLIFailure(code: 2, message: "\(spec): no stage '\(stage)'") }
        for s in driver.checker.statuses() where ids.contains(s.id) {
            if s.fresh {
                print("\(s.id): fresh (key \(s.expectedKey ?? "?"))")
            } else {
                print("\(s.id): stale")
                for r in s.reasons { print("  - \(r)") }
            }
        }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the provenance chain of an artifact or figure down to its roots.")
    @Argument(help: "An HDF5 artifact or a figure (PDF, PNG, or its .provenance.json).") var file: String
    @Flag(help: "Print the full provenance record of the file as JSON.") var json = false

    func run() throws {
        do {
            if json { print(try Stages.Audit.provenance(of: file).pretty); return }
            for line in try Stages.Audit.chain(of: file) { print(line) }
        } catch let e as StageError {
            throw CLIFailure(code: 2, message: e.description)
        } catch {
            throw CLIFailure(code: 2, message: "\(file): \(error)")
        }
    }
}

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the stage DAG as Graphviz DOT.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let driver = try makeDriver(spec, ws)
        let fresh = Dictionary(uniqueKeysWithValues: driver.checker.statuses().map { ($0.id, $0.fresh) })
        print("digraph \"\(driver.pipeline.name)\" {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];")
        for inst in driver.pipeline.instances {
            let color = fresh[inst.id] == true ? "#d9f2d9" : "#f9e0c0"
            print("  \"\(inst.id)\" [label=\"\(inst.id)\\n(\(inst.kind))\", fillcolor=\"\(color)\"];")
        }
        for inst in driver.pipeline.instances {
            for (slot, deps) in inst.inputs {
                for d in deps { print("  \"\(d)\" -> \"\(inst.id)\" [label=\"\(slot)\", fontsize=9];") }
            }
        }
        print("}")
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a spec: JSON, kinds, parameters, inputs, DAG.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String

    func run() throws {
        let p = try loadPipeline(spec)
        let templates = Set(p.instances.map(\.templateID)).count
        print("\(spec): ok — \(templates) stage(s), \(p.instances.count) instance(s) after sweeps")
    }
}

struct Kinds: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the stage kinds, their parameters and inputs.")
    func run() throws {
        let registry = StageKinds.registry()
        for name in registry.names {
            let k = registry[name]!
            print("\(name) (v\(k.version)): \(k.summary)")
            for p in k.parameters {
                let d = p.defaultValue.map { $0 == .null ? " [optional]" : " [default \($0.canonical)]" } ?? " [required]"
                print("    \(p.name)\(d): \(p.help)")
            }
            for i in k.inputs { print("    input \(i.name)\(i.multiple ? " (several)" : "")\(i.required ? "" : " [optional]"): \(i.help)") }
        }
    }
}

struct Compute: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one stage kind ad hoc, outside any spec, writing the same artifact and provenance.",
        discussion: "Example: tlspipe compute static-disorder sites=200 realizations=8 seed=1 temperatures=0.5,1 --output data/s.h5")
    @Argument(help: "Stage kind.") var kind: String
    @Argument(help: "Parameters as name=value (lists comma-separated).") var assignments: [String] = []
    @Option(name: .customLong("input"), help: "Input artifact as name=FILE; repeatable.") var inputs: [String] = []
    @Option(help: "Output file (an .h5 artifact; for figures, the .pdf).") var output: String

    func run() throws {
        let registry = StageKinds.registry()
        let url = URL(fileURLWithPath: output)
        let id = url.deletingPathExtension().lastPathComponent
        let dir = url.deletingLastPathComponent().path
        let (inst, files): (StageInstance, [(slot: String, path: String)])
        do {
            (inst, files) = try AdHocStage(registry: registry).instance(kind: kind, id: id, assignments: assignments, inputs: inputs)
        } catch let e as SpecError {
            throw CLIFailure(code: 2, message: e.description)
        }
        var refs: [InputRef] = []
        for f in files {
            guard let sha = FileDigest.sha256(f.path) else { throw CLIFailure(code: 2, message: "--input \(f.slot)=\(f.path): cannot read the file") }
            let prov = try? Stages.Audit.provenance(of: f.path)
            refs.append(InputRef(slot: f.slot, stage: prov?["stage_id"]?.stringValue ?? f.path,
                                 key: prov?["key"]?.stringValue ?? "", sha256: sha, path: f.path))
        }
        let kindImpl = registry[kind]!
        let finals = kindImpl.outputs(id: id, params: inst.params).map { dir + "/" + $0.name }
        if kindImpl.outputs(id: id, params: inst.params).first?.folder == .data && !output.hasSuffix(".h5") {
            throw CLIFailure(code: 2, message: "--output \(output): the artifact of kind \(kind) is an .h5 file")
        }
        do {
            let done = try StageExecution(registry: registry).execute(inst, inputs: refs, inputParams: [:], finals: finals,
                                                                      code: CodeVersion.current(), showProgress: interactive)
            for o in done.outputs { print("wrote \(o.path)") }
            print("key \(done.key), \(String(format: "%.2f", done.seconds)) s")
        } catch {
            throw CLIFailure(code: 1, message: "\(kind) failed: \(error)")
        }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the JSON Schema of pipeline specs (pipelines/tlspipe.schema.json).")
    func run() throws { print(SpecSchema.schema(StageKinds.registry(environment: [:])).pretty) }
}
