import ArgumentParser
import Foundation
import Logging
import PipelineEngine
import Reports
import SlurmExecutor
import Stages

struct Tlspipe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlspipe",
        abstract: "Reproducible pipeline for the electron–TLS paper: run stages, audit artifacts, draw figures.",
        version: CodeVersion.toolVersion,
        subcommands: [Run.self, ExecStage.self, Status.self, Explain.self, Outputs.self, Clean.self, Accept.self, Audit.self, Report.self, ExportCrate.self, Graph.self, Validate.self, Compute.self, Kinds.self, Schema.self])
}

/// An error with its exit code (1: a stage failed; 2: bad usage or bad spec).
struct CLIFailure: Error {
    let code: Int32
    let message: String
}

struct WorkspaceOptions: ParsableArguments {
    @Option(help: "Folder of the HDF5 artifacts (default: data/SPEC, named after the spec file).") var dataDir: String?
    @Option(help: "Folder of the rendered figures (default: figures/SPEC).") var figuresDir: String?

    /// Each spec has its own folders by default, so two specs with the same stage ids never
    /// touch each other's files: `pipelines/paper.json` → `data/paper`, `figures/paper`.
    func workspace(for spec: String) -> Workspace {
        let stem = URL(fileURLWithPath: spec).deletingPathExtension().lastPathComponent
        return Workspace(dataDir: dataDir ?? "data/" + stem, figuresDir: figuresDir ?? "figures/" + stem)
    }
}

struct LimitOptions: ParsableArguments {
    @Option(help: "Most memory one stage may imply, e.g. 64G (default: this machine's memory, or TLSPIPE_MEMORY_LIMIT).")
    var memoryLimit: String?

    func bytes() throws -> Double {
        guard let memoryLimit else { return SpecLoader.defaultMemoryLimit }
        guard let b = SpecLoader.parseBytes(memoryLimit) else {
            throw CLIFailure(code: 2, message: "--memory-limit \(memoryLimit): expected a size such as 64G or 512M")
        }
        return b
    }
}

/// Loads and validates a spec; any problem is exit code 2 with file and JSON path.
func loadPipeline(_ file: String, memoryLimit: Double = SpecLoader.defaultMemoryLimit) throws -> Pipeline {
    do {
        return try SpecLoader(registry: CLIKinds.registry, memoryLimit: memoryLimit).load(file: file)
    } catch let e as SpecError {
        throw CLIFailure(code: 2, message: e.description)
    }
}

func makeDriver(_ spec: String, _ ws: WorkspaceOptions, memoryLimit: Double = SpecLoader.defaultMemoryLimit) throws -> Driver {
    Driver(pipeline: try loadPipeline(spec, memoryLimit: memoryLimit), registry: CLIKinds.registry, workspace: ws.workspace(for: spec),
           logger: Logger(label: "tlspipe"))
}

/// True when progress bars make sense: a terminal, not CI.
var interactive: Bool {
    isatty(2) != 0 && ProcessInfo.processInfo.environment["CI"] == nil
}

/// A stage's verdict in one line for people: own reasons, or what it waits for.
func describe(_ st: PlannedStage) -> String {
    let kept = st.keptShards > 0 ? " (\(st.keptShards) finished shard(s) saved: it resumes)" : ""
    switch st.decision {
    case .fresh: return "fresh"
    case .stale: return st.reasons.map(\.description).joined(separator: "; ") + kept
    case .mustBuildToKnow:
        return "waits for " + st.staleInputs.map { "\($0.stage)" }.joined(separator: ", ") + " (runs only if its content changes)" + kept
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every stale stage of a spec (and what depends on it), here or on a Slurm cluster.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Option(name: .customLong("target"), help: "Only this stage (and what it needs); repeatable.") var targets: [String] = []
    @Option(help: "Stages run in parallel (≥ 1; default 1 here, 1000 in the queue with --executor slurm).") var jobs: String?
    @Option(name: .customLong("force"), help: "Rebuild this stage even if fresh; repeatable.") var force: [String] = []
    @Flag(help: "Show what would run and why, without running.") var dryRun = false
    @Flag(help: "Hash every artifact instead of trusting unchanged file stats.") var rehash = false
    @Flag(help: "Only warnings and errors; no progress bar (for scripts).") var quiet = false
    @Flag(help: "Full log lines (time, level, logger) even on a terminal.") var verbose = false
    @OptionGroup var ws: WorkspaceOptions
    @OptionGroup var limits: LimitOptions
    @OptionGroup var cluster: ClusterOptions

    func run() throws {
        let slurm = try cluster.useSlurm()
        let jobsText = jobs ?? (slurm ? "1000" : "1")
        guard let jobs = Int(jobsText), jobs >= 1, jobs <= 10_000 else {
            throw CLIFailure(code: 2, message: "--jobs \(jobsText): expected a whole number from 1 to 10000")
        }
        var driver = try makeDriver(spec, ws, memoryLimit: try limits.bytes())
        if quiet { driver.logger.logLevel = .warning }
        var executor: SlurmExecutor? = nil
        if slurm {
            do {
                executor = try SlurmExecutor(profile: try cluster.profile(), tool: ExecStage.toolPath(), spec: spec,
                                             workspace: driver.workspace, logger: driver.logger)
            } catch let e as SlurmError { throw CLIFailure(code: 2, message: e.description) }
        }
        if !dryRun {
            for signal in [SIGINT, SIGTERM] { Interrupt.sayWhatIsKept(on: signal, workspace: driver.workspace, cluster: executor) }
        }
        if !slurm && !dryRun {
            // A killed cluster driver's jobs may still be writing here: running their stages
            // locally as well would do the work twice.
            let queued = queuedSlurmJobs(driver.workspace)
            if !queued.isEmpty {
                let stages = Array(Set(queued.map(\.entry.stage))).sorted()
                driver.logger.warning("\(queued.count) Slurm job(s) of this data folder are still queued or running (\(stages.prefix(3).joined(separator: ", "))\(stages.count > 3 ? ", …" : "")); a local run computes those stages again: use --executor slurm to wait for them instead")
            }
        }
        let summary: RunSummary
        do {
            summary = try driver.run(RunOptions(jobs: jobs, targets: targets, dryRun: dryRun, showProgress: interactive && !quiet,
                                                force: force, rehash: rehash, executor: executor))
        } catch let e as SpecError {
            throw CLIFailure(code: 2, message: e.description)
        } catch let e as LockBusy {
            throw CLIFailure(code: 1, message: e.message)
        } catch {
            throw CLIFailure(code: 1, message: SafeFiles.describe(error))
        }
        if dryRun {
            if summary.planned.isEmpty { print("nothing to do: every stage is fresh") }
            for st in summary.planned {
                print((st.decision == .stale ? "would run " : "may run   ") + "\(st.id): \(describe(st))")
            }
            return
        }
        if summary.planned.isEmpty { if !quiet { print("nothing to do: every stage is fresh") }; return }
        var parts = ["ran \(summary.ran.count) stage(s)"]
        if !summary.unchanged.isEmpty { parts.append("\(summary.unchanged.count) kept (inputs rebuilt identically)") }
        if !summary.failed.isEmpty { parts.append("\(summary.failed.count) failed") }
        if !summary.skipped.isEmpty { parts.append("\(summary.skipped.count) skipped") }
        print(parts.joined(separator: ", ") + (summary.written.isEmpty ? "" : "; wrote \(summary.written.count) file(s) under \(driver.workspace.dataDir) and \(driver.workspace.figuresDir)"))
        if !quiet {
            // What is where: the figures written, and the stages kept without rerunning.
            let figures = summary.written.filter { $0.hasSuffix(".pdf") }
            if !figures.isEmpty { print("figures: " + figures.joined(separator: ", ")) }
            if !summary.unchanged.isEmpty { print("kept: " + summary.unchanged.joined(separator: ", ")) }
            if verbose { for path in summary.written { print("wrote \(path)") } }
        }
        if !summary.failed.isEmpty {
            throw CLIFailure(code: 1, message: summary.failed.map { "\($0.0): \($0.1)" }.joined(separator: "\n"))
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every stage: fresh or stale, and why.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Flag(help: "Machine-readable output.") var json = false
    @Flag(help: "Hash every artifact instead of trusting unchanged file stats.") var rehash = false
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let driver = try makeDriver(spec, ws)
        let plan = driver.planner.plan(files: DiskFiles(rehash: rehash))
        let queued = queuedSlurmJobs(driver.workspace)
        if json {
            let items: [JSONValue] = plan.stages.map { s in
                var fields: [(String, JSONValue)] = [
                    ("id", .string(s.id)), ("kind", .string(s.kind)), ("fresh", .bool(s.fresh)),
                    ("decision", .string(s.decision.rawValue)),
                    ("reasons", .array(s.reasons.map(\.json))),
                    ("waits_for", .array(s.staleInputs.map { .object([("slot", .string($0.slot)), ("stage", .string($0.stage))]) })),
                    ("key", s.expectedKey.map { .string($0) } ?? .null),
                    ("outputs", .array(s.outputs.map { .string($0) }))]
                let jobs = queued.filter { $0.entry.stage == s.id }
                if !jobs.isEmpty {
                    fields.append(("slurm_jobs", .array(jobs.map { e, j in
                        .object([("job", .string(j.id)), ("role", .string(e.role)), ("state", .string(j.state)),
                                 ("reason", .string(j.reason)), ("node", .string(j.node))]) })))
                }
                return .object(fields)
            }
            print(JSONValue.array(items).pretty)
            return
        }
        let width = plan.stages.map(\.id.count).max() ?? 10
        for s in plan.stages {
            let pad = s.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let tag = s.decision == .fresh ? "fresh" : s.decision == .stale ? "STALE" : "wait "
            print("\(tag) \(pad)  \(s.kind)" + (s.fresh ? "" : "  — " + describe(s)))
        }
        let stale = plan.stages.filter { $0.decision == .stale }.count
        let waiting = plan.stages.filter { $0.decision == .mustBuildToKnow }.count
        print("\(plan.stages.count - stale - waiting) fresh, \(stale) stale, \(waiting) waiting for a rebuilt input")
        for (entry, job) in queued {
            print("slurm \(job.state.lowercased().padding(toLength: 10, withPad: " ", startingAt: 0)) job \(job.id)  \(entry.stage) (\(entry.role == "shards" ? "shard \(job.task.map(String.init) ?? "?")" : "stage"))"
                  + (job.state == "RUNNING" ? " on \(job.node)" : job.reason == "None" ? "" : " — \(job.reason)"))
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Say exactly what changed for one stage (parameter, input, code, artifact), and the upstream cause.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Argument(help: "Stage id (a sweep template id explains every instance).") var stage: String
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let driver = try makeDriver(spec, ws)
        let ids: Set<String>
        do { ids = try driver.resolve([stage], option: "stage") } catch let e as SpecError { throw CLIFailure(code: 2, message: e.description) }
        let plan = driver.planner.plan()
        for s in plan.stages where ids.contains(s.id) {
            if s.fresh {
                print("\(s.id): fresh (key \(s.expectedKey ?? "?"))")
                continue
            }
            print("\(s.id): \(s.decision == .stale ? "stale" : "waits for a rebuilt input")")
            for r in s.reasons { print("  - \(r.description)") }
            for (slot, up) in s.staleInputs { print("  - input '\(slot)' (stage \(up)) will be rebuilt first") }
            for cause in plan.rootCauses(of: s.id) {
                print("  because \(cause.id) changed: " + cause.reasons.map(\.description).joined(separator: "; "))
            }
        }
    }
}

struct Outputs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every file a spec produces, with its stage and state.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        for o in try makeDriver(spec, ws).outputs() {
            print("\(o.state.padding(toLength: 7, withPad: " ", startingAt: 0)) \(o.path)  (\(o.stage))")
        }
    }
}

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a spec's generated files (artifacts, figures, records, shards); with --orphans only those no stage of the spec produces any more.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Flag(help: "Only files of stages that are no longer in the spec (e.g. after a sweep shrank).") var orphans = false
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let removed: [String]
        do { removed = try makeDriver(spec, ws).clean(orphansOnly: orphans) } catch let e as LockBusy {
            throw CLIFailure(code: 1, message: e.message)
        } catch { throw CLIFailure(code: 1, message: SafeFiles.describe(error)) }
        for r in removed { print("removed \(r)") }
        print(removed.isEmpty ? "nothing to remove" : "removed \(removed.count) file(s)")
    }
}

struct Accept: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accept a change known not to affect results (a title, a comment) without rerunning: the stage's record takes the new key and says what was accepted.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Argument(help: "Stage ids (a sweep template id accepts every instance).") var stages: [String]
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        guard !stages.isEmpty else { throw CLIFailure(code: 2, message: "accept: name at least one stage") }
        let done: [(String, [StaleReason])]
        do { done = try makeDriver(spec, ws).accept(stages) } catch let e as SpecError {
            throw CLIFailure(code: 2, message: e.description)
        } catch let e as LockBusy { throw CLIFailure(code: 1, message: e.message)
        } catch { throw CLIFailure(code: 1, message: SafeFiles.describe(error)) }
        for (id, reasons) in done {
            print(reasons.isEmpty ? "\(id): already fresh" : "\(id): accepted " + reasons.map(\.description).joined(separator: "; "))
        }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the provenance chain of an artifact or figure down to its roots, checking every hash (exit 1 if one fails).")
    @Argument(help: "An HDF5 artifact or a figure (PDF, PNG, or its .provenance.json).") var file: String
    @Flag(help: "Print the full provenance record of the file as JSON.") var json = false

    func run() throws {
        let record: JSONValue
        do { record = try Stages.Audit.provenance(of: file) } catch {
            throw CLIFailure(code: 2, message: SafeFiles.describe(error))
        }
        if json { print(record.pretty); return }
        let (lines, verified) = try Stages.Audit.chain(of: file)
        for line in lines { print(line) }
        if !verified { throw CLIFailure(code: 1, message: "\(file): an input is missing or changed since it was used (see above)") }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a static HTML report (figures, the DAG, every stage's provenance with hashes checked now); reads only.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Option(help: "Folder of the report (default: report/SPEC).") var output: String?
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let driver = try makeDriver(spec, ws)
        let stem = URL(fileURLWithPath: spec).deletingPathExtension().lastPathComponent
        let dir = output ?? "report/" + stem
        try guardOutsideData(dir, driver)
        do {
            let w = try HTMLReport.write(driver, to: dir)
            print("wrote \(w.index) (\(w.files.count) files)")
        } catch { throw CLIFailure(code: 1, message: "report: \(SafeFiles.describe(error))") }
    }
}

struct ExportCrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-crate",
        abstract: "Write a Workflow Run RO-Crate of a spec (or of one figure: --figure ID) with every artifact's SHA-256; reads only.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Option(help: "Folder of the crate.") var output: String
    @Option(help: "Only this figure stage and what it was drawn from.") var figure: String?
    @Flag(help: "Refer to the artifacts where they are instead of copying them in (large data).") var inPlace = false
    @Flag(help: "Also write OUTPUT.zip.") var zip = false
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        let driver = try makeDriver(spec, ws)
        try guardOutsideData(output, driver)
        let w: ROCrate.Written
        do { w = try ROCrate.write(driver, to: output, options: .init(inPlace: inPlace, figure: figure)) } catch let e as StageError {
            throw CLIFailure(code: 2, message: "export-crate: \(e.description)")
        } catch { throw CLIFailure(code: 1, message: "export-crate: \(SafeFiles.describe(error))") }
        print("wrote \(w.metadata) (\(w.files) files copied)" + (w.unverified.isEmpty ? "" : "; not fresh or not verified: " + w.unverified.joined(separator: ", ")))
        if zip {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            let folder = URL(fileURLWithPath: output).standardizedFileURL
            p.arguments = ["zip", "-q", "-r", "-X", folder.lastPathComponent + ".zip", folder.lastPathComponent]
            p.currentDirectoryURL = folder.deletingLastPathComponent()
            do { try p.run() } catch { throw CLIFailure(code: 1, message: "--zip: cannot start zip (install the zip package)") }
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw CLIFailure(code: 1, message: "--zip: zip failed (exit \(p.terminationStatus))") }
            print("wrote \(folder.path).zip")
        }
    }
}

/// Reports and crates never write into the data or figures folder they describe.
func guardOutsideData(_ dir: String, _ driver: Driver) throws {
    let target = RelativePath.absolute(dir) + "/"
    for folder in [driver.workspace.dataDir, driver.workspace.figuresDir] where target.hasPrefix(RelativePath.absolute(folder) + "/") {
        throw CLIFailure(code: 2, message: "--output \(dir): inside \(folder), which it describes; choose a folder outside it")
    }
}

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the stage DAG as Graphviz DOT (or as text).")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @Option(help: "dot or text.") var format: String = "dot"
    @OptionGroup var ws: WorkspaceOptions

    func run() throws {
        guard ["dot", "text"].contains(format) else { throw CLIFailure(code: 2, message: "--format \(format): expected dot or text") }
        let driver = try makeDriver(spec, ws)
        let plan = driver.planner.plan()
        if format == "text" {
            for inst in driver.pipeline.instances {
                let st = plan[inst.id]!
                let from = inst.inputs.flatMap { slot, ids in ids.map { "\(slot) ← \($0)" } }
                print("\(inst.id) (\(inst.kind), \(st.decision.rawValue))" + (from.isEmpty ? "" : ": " + from.joined(separator: ", ")))
            }
            return
        }
        print(DAG.dot(driver.pipeline, plan: plan), terminator: "")
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a spec: JSON, kinds, parameters, sizes, inputs, outputs, DAG.")
    @Argument(help: "Pipeline spec (JSON).") var spec: String
    @OptionGroup var limits: LimitOptions

    func run() throws {
        let p = try loadPipeline(spec, memoryLimit: try limits.bytes())
        let templates = Set(p.instances.map(\.templateID)).count
        print("\(spec): ok — \(templates) stage(s), \(p.instances.count) instance(s) after sweeps")
    }
}

struct Kinds: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the stage kinds, their parameters and inputs.")
    func run() throws {
        let registry = CLIKinds.registry
        for name in registry.names {
            let k = registry[name]!
            print("\(name) (v\(k.version)): \(k.summary)")
            for p in k.parameters {
                let d = p.defaultValue.map { $0 == .null ? " [optional]" : " [default \($0.canonical)]" } ?? " [required]"
                var facts: [String] = []
                if !p.unit.isEmpty { facts.append("in units of \(p.unit)") }
                if let range = p.type.rangeText { facts.append(range) }
                if !p.affectsResults { facts.append("execution only: not part of the key") }
                print("    \(p.name)\(d): \(p.help)" + (facts.isEmpty ? "" : " (" + facts.joined(separator: "; ") + ")"))
            }
            for i in k.inputs { print("    input \(i.name)\(i.multiple ? " (several)" : "")\(i.required ? "" : " [optional]"): \(i.help)") }
            if name == "figure" {
                print("    recipes:")
                for r in StageKinds.figureRecipes { print("      \(r.name): \(r.draws)") }
            }
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
    @OptionGroup var limits: LimitOptions

    func run() throws {
        let registry = CLIKinds.registry
        let url = URL(fileURLWithPath: output)
        let id = url.deletingPathExtension().lastPathComponent
        let dir = url.deletingLastPathComponent().path
        var assignments = self.assignments
        // A kind that names its files by a `name` parameter (figures) takes it from --output.
        if let k = registry[kind], k.parameters.contains(where: { $0.name == "name" }), !assignments.contains(where: { $0.hasPrefix("name=") }) {
            assignments.append("name=\(id)")
        }
        let (inst, files): (StageInstance, [(slot: String, path: String)])
        do {
            (inst, files) = try AdHocStage(registry: registry, memoryLimit: try limits.bytes())
                .instance(kind: kind, id: id, assignments: assignments, inputs: inputs)
        } catch let e as SpecError {
            throw CLIFailure(code: 2, message: e.description)
        }
        var stageInputs: [StageExecution.Input] = []
        for f in files {
            guard SafeFiles.isRegularFile(f.path), let sha = FileDigest.sha256(f.path) else {
                throw CLIFailure(code: 2, message: "--input \(f.slot)=\(f.path): no such regular file")
            }
            let prov = try? Stages.Audit.provenance(of: f.path)
            let lineage = prov?["lineage"]?.objectMembers ?? prov?["params"]?.objectMembers ?? []
            let ref = InputRef(slot: f.slot, stage: prov?["stage_id"]?.stringValue ?? f.path, key: prov?["key"]?.stringValue ?? "",
                               content: prov?["content_sha256"]?.stringValue ?? sha, sha256: sha, path: f.path)
            stageInputs.append(.init(ref: ref, lineage: Params(lineage)))
        }
        let kindImpl = registry[kind]!
        let outputs = kindImpl.outputs(id: id, params: inst.params)
        let finals = outputs.map { (dir.isEmpty ? "." : dir) + "/" + $0.name }
        if RelativePath.absolute(finals[0]) != RelativePath.absolute(output) {
            throw CLIFailure(code: 2, message: "--output \(output): kind \(kind) writes \(outputs[0].name) here; name the output \(dir)/\(outputs[0].name)" + (outputs[0].folder == .data ? " (an .h5 file)" : ""))
        }
        do {
            let done = try StageExecution(registry: registry, cores: CoreShare()).execute(.init(
                instance: inst, inputs: stageInputs, finals: finals, code: CodeVersion.current(), spec: nil,
                progress: { _, _ in }, execution: [("executor", .string("compute"))]))
            for o in done.outputs { print("wrote \(o.path)") }
            print("key \(done.key), \(String(format: "%.2f", done.seconds)) s")
        } catch {
            throw CLIFailure(code: 1, message: "\(kind) failed: \(SafeFiles.describe(error))")
        }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the JSON Schema of pipeline specs (pipelines/tlspipe.schema.json).")
    func run() throws { print(SpecSchema.schema(StageKinds.registry()).pretty) }
}
