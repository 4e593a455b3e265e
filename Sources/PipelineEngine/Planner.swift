/// Decides, for every stage instance, whether it is fresh, stale or must build to know, from the
/// spec, the records and what the file oracle says. It writes nothing: `status`, `explain`,
/// `run --dry-run` and the executor all read its plan, and the executor asks it again (same
/// function) when a stage's inputs have been rebuilt, which is the early cut-off.
public struct Planner: Sendable {
    public let pipeline: Pipeline
    public let registry: StageRegistry
    public let workspace: Workspace

    public init(pipeline: Pipeline, registry: StageRegistry, workspace: Workspace) {
        self.pipeline = pipeline; self.registry = registry; self.workspace = workspace
    }

    public func outputPaths(_ inst: StageInstance) -> [String] { outputFiles(inst).map(workspace.path(of:)) }
    public func outputFiles(_ inst: StageInstance) -> [OutputFile] { registry[inst.kind]!.outputs(id: inst.id, params: inst.params) }

    /// The plan for the whole pipeline.
    public func plan(records: [String: RecordLoad], files: any FileOracle, forced: Set<String> = []) -> Plan {
        var decided: [String: PlannedStage] = [:]
        var out: [PlannedStage] = []
        for inst in pipeline.instances {
            let st = decide(inst, own: records[inst.id] ?? .missing, files: files, forced: forced.contains(inst.id)) { dep in
                (decided[dep]?.fresh ?? false, records[dep]?.record)
            }
            decided[inst.id] = st
            out.append(st)
        }
        return Plan(stages: out)
    }

    /// The plan from the records on disk (reads only).
    public func plan(files: any FileOracle = DiskFiles(), forced: Set<String> = []) -> Plan {
        plan(records: loadRecords(), files: files, forced: forced)
    }

    public func loadRecords() -> [String: RecordLoad] {
        var records: [String: RecordLoad] = [:]
        for inst in pipeline.instances { records[inst.id] = RecordStore.load(workspace, inst.id) }
        return records
    }

    /// The verdict on one instance. `upstream(id)` says whether an input is fresh now and gives its record.
    public func decide(_ inst: StageInstance, own: RecordLoad, files: any FileOracle, forced: Bool = false,
                       upstream: (String) -> (fresh: Bool, record: StageRecord?)) -> PlannedStage {
        let kind = registry[inst.kind]!
        let outputs = outputFiles(inst)
        var reasons: [StaleReason] = forced ? [.forced] : []
        var staleInputs: [(slot: String, stage: String)] = []
        var refs: [InputRef] = []
        var rehashed: [String] = []
        for (slot, ids) in inst.inputs {
            for id in ids {
                let up = upstream(id)
                if up.fresh, let r = up.record {
                    refs.append(InputRef(slot: slot, stage: id, key: r.key, content: r.content,
                                         sha256: r.outputs.first?.sha256 ?? "", path: r.outputs.first.map { workspace.path(of: $0.file) } ?? ""))
                } else {
                    staleInputs.append((slot, id))
                }
            }
        }
        let expected = staleInputs.isEmpty ? StageKey.compute(kind: inst.kind, version: kind.version,
                                                                params: inst.resultParams, inputs: refs) : nil
        switch own {
        case .missing: reasons.append(.neverBuilt)
        case .unreadable(let why): reasons.append(.recordUnreadable(why))
        case .ok(let record):
            reasons += differences(inst, kindVersion: kind.version, record: record)
            // Inputs that are fresh but not what this stage used last time.
            for ref in refs {
                if let before = record.inputs.first(where: { $0.slot == ref.slot && $0.stage == ref.stage }),
                   before.content != ref.content {
                    reasons.append(.inputChanged(slot: ref.slot, stage: ref.stage))
                }
            }
            if let expected, reasons.isEmpty, record.key != expected {
                reasons.append(.keyChanged)
            }
            let (problems, verified) = artifactProblems(expected: outputs, record: record, files: files)
            reasons += problems
            rehashed = verified
        }
        let decision: Decision = !reasons.isEmpty ? .stale : (staleInputs.isEmpty ? .fresh : .mustBuildToKnow)
        var st = PlannedStage(id: inst.id, kind: inst.kind, decision: decision, reasons: reasons, staleInputs: staleInputs,
                              expectedKey: expected, outputs: outputs.map(workspace.path(of:)), rehashed: rehashed)
        if decision != .fresh, kind is any ShardedStageKind {
            // Shards carry the key they were computed under; with inputs still to rebuild, any count.
            let prefix = expected.map { String($0.prefix(16)) } ?? ""
            st.keptShards = files.list(workspace.shardsDir + "/" + inst.id).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".h5.sha256") }.count
        }
        return st
    }

    /// What differs between the record and the spec: kind, code version, parameters, input wiring.
    func differences(_ inst: StageInstance, kindVersion: Int, record: StageRecord) -> [StaleReason] {
        var reasons: [StaleReason] = []
        if record.kind != inst.kind { reasons.append(.kindChanged(old: record.kind, new: inst.kind)) }
        if record.version != kindVersion { reasons.append(.codeVersionChanged(old: record.version, new: kindVersion)) }
        let old = record.params.objectMembers ?? []
        for (name, value) in inst.resultParams.values {
            if let before = old.first(where: { $0.0 == name })?.1 {
                if before != value { reasons.append(.parameterChanged(name: name, old: before.canonical, new: value.canonical)) }
            } else {
                reasons.append(.parameterAdded(name: name, value: value.canonical))
            }
        }
        for (name, value) in old where inst.resultParams[name] == nil {
            reasons.append(.parameterRemoved(name: name, old: value.canonical))
        }
        let oldInputs = record.inputs.map { ($0.slot, $0.stage) }
        let newInputs = inst.inputs.flatMap { slot, ids in ids.map { (slot, $0) } }
        for (slot, stage) in oldInputs where !newInputs.contains(where: { $0 == (slot, stage) }) {
            reasons.append(.inputRemoved(slot: slot, stage: stage))
        }
        for (slot, stage) in newInputs where !oldInputs.contains(where: { $0 == (slot, stage) }) {
            reasons.append(.inputAdded(slot: slot, stage: stage))
        }
        return reasons
    }

    /// Missing, replaced or modified outputs, or a changed output set; and the outputs whose
    /// stat changed but whose bytes were verified by hash.
    func artifactProblems(expected: [OutputFile], record: StageRecord, files: any FileOracle) -> ([StaleReason], [String]) {
        var reasons: [StaleReason] = []
        var verified: [String] = []
        if record.outputs.map(\.file) != expected { reasons.append(.outputSetChanged) }
        for o in record.outputs {
            let path = workspace.path(of: o.file)
            guard let facts = files.stat(path) else { reasons.append(.outputMissing(path)); continue }
            guard facts.regular else { reasons.append(.outputNotRegular(path)); continue }
            if let st = o.stat, st == facts.stat, !files.alwaysHash { continue }
            if files.sha256(path) != o.sha256 { reasons.append(.outputModified(path)) } else { verified.append(path) }
        }
        return (reasons, verified)
    }
}

/// The stage key: SHA-256 over kind, implementation version, the parameters that affect results
/// (canonical form) and, for every input, its slot and content digest. Not the inputs' keys: an
/// input rebuilt with identical content (after a note changed, or after it was deleted) leaves
/// its consumers fresh. Execution-only parameters (shards) and paths never enter it.
public enum StageKey {
    public static func compute(kind: String, version: Int, params: Params, inputs: [InputRef]) -> String {
        let payload = JSONValue.object([
            ("kind", .string(kind)), ("version", .int(version)), ("params", params.json),
            ("inputs", .array(inputs.map { .object([("slot", .string($0.slot)), ("content", .string($0.content))]) })),
        ])
        return Hashing.sha256(payload.canonical)
    }
}
