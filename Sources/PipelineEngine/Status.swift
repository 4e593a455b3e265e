import Foundation

/// Whether an instance's artifacts are up to date, and if not, every reason why.
public struct InstanceStatus: Sendable {
    public let id: String
    public let kind: String
    public let fresh: Bool
    public let reasons: [String]
    /// The key the stage would have now (nil while an input is stale).
    public let expectedKey: String?
    public let outputs: [String]
}

/// Computes stage keys and staleness from the spec, the records and the files on disk.
public struct StalenessChecker: Sendable {
    public let pipeline: Pipeline
    public let registry: StageRegistry
    public let workspace: Workspace

    public init(pipeline: Pipeline, registry: StageRegistry, workspace: Workspace) {
        self.pipeline = pipeline
        self.registry = registry
        self.workspace = workspace
    }

    public func outputPaths(_ inst: StageInstance) -> [String] {
        registry[inst.kind]!.outputs(id: inst.id, params: inst.params).map(workspace.path(of:))
    }

    /// The stage key: SHA-256 over kind, implementation version, canonical parameters and,
    /// for every input, its key and the hash of its artifact.
    public func key(of inst: StageInstance, inputs: [InputRef]) -> String {
        StageExecution(registry: registry).key(inst, inputs: inputs)
    }

    /// Input references from the current records of the inputs; nil if one has no record.
    func inputRefs(_ inst: StageInstance, records: [String: StageRecord]) -> [InputRef]? {
        var refs: [InputRef] = []
        for (slot, ids) in inst.inputs {
            for id in ids {
                guard let r = records[id], let primary = r.outputs.first else { return nil }
                refs.append(InputRef(slot: slot, stage: id, key: r.key, sha256: primary.sha256, path: primary.path))
            }
        }
        return refs
    }

    /// Status of every instance, in pipeline order.
    public func statuses() -> [InstanceStatus] {
        var records: [String: StageRecord] = [:]
        var fresh: [String: Bool] = [:]
        var out: [InstanceStatus] = []
        for inst in pipeline.instances {
            let record = RecordStore.read(workspace, inst.id)
            if let record { records[inst.id] = record }
            let paths = outputPaths(inst)
            var reasons: [String] = []
            var expected: String? = nil
            let staleInputs = inst.inputs.flatMap { slot, ids in ids.filter { fresh[$0] != true }.map { (slot, $0) } }
            if !staleInputs.isEmpty {
                reasons += staleInputs.map { "input '\($0.0)' (stage \($0.1)) is stale" }
            } else if let refs = inputRefs(inst, records: records) {
                expected = key(of: inst, inputs: refs)
                if let record {
                    if record.key != expected { reasons += differences(inst, record: record, inputs: refs) }
                    if reasons.isEmpty && record.key != expected { reasons.append("stage key changed") }
                }
            }
            if let record {
                reasons += artifactProblems(paths: paths, record: record)
            } else {
                reasons.append("never built (no record)")
            }
            fresh[inst.id] = reasons.isEmpty
            out.append(InstanceStatus(id: inst.id, kind: inst.kind, fresh: reasons.isEmpty, reasons: reasons,
                                      expectedKey: expected, outputs: paths))
        }
        return out
    }

    /// What differs between the record and the spec: parameters, code version, inputs.
    func differences(_ inst: StageInstance, record: StageRecord, inputs: [InputRef]) -> [String] {
        var reasons: [String] = []
        let kind = registry[inst.kind]!
        if record.kind != inst.kind { reasons.append("kind changed: \(record.kind) → \(inst.kind)") }
        if record.version != kind.version {
            reasons.append("code changed: \(inst.kind) implementation version \(record.version) → \(kind.version)")
        }
        let old = record.params.objectMembers ?? []
        for (name, value) in inst.params.values {
            if let before = old.first(where: { $0.0 == name })?.1 {
                if before != value { reasons.append("parameter \(name) changed: \(before.canonical) → \(value.canonical)") }
            } else {
                reasons.append("parameter \(name) added: \(value.canonical)")
            }
        }
        for (name, value) in old where inst.params[name] == nil {
            reasons.append("parameter \(name) removed (was \(value.canonical))")
        }
        let oldInputs = Set(record.inputs.map { "\($0.slot)|\($0.stage)" })
        let newInputs = Set(inputs.map { "\($0.slot)|\($0.stage)" })
        for gone in oldInputs.subtracting(newInputs).sorted() {
            reasons.append("input '\(gone.split(separator: "|")[0])' no longer takes stage \(gone.split(separator: "|")[1])")
        }
        for added in newInputs.subtracting(oldInputs).sorted() {
            reasons.append("input '\(added.split(separator: "|")[0])' now takes stage \(added.split(separator: "|")[1])")
        }
        for ref in inputs {
            if let before = record.inputs.first(where: { $0.slot == ref.slot && $0.stage == ref.stage }) {
                if before.key != ref.key { reasons.append("input '\(ref.slot)' (stage \(ref.stage)) was rebuilt with a different key") } else if before.sha256 != ref.sha256 {
                    reasons.append("input '\(ref.slot)' (stage \(ref.stage)) content changed")
                }
            }
        }
        return reasons
    }

    /// Missing outputs, outputs whose bytes no longer match the record, or a changed output set.
    func artifactProblems(paths: [String], record: StageRecord) -> [String] {
        var reasons: [String] = []
        if record.outputs.map(\.path) != paths { reasons.append("output files changed") }
        for (path, sha) in record.outputs {
            guard FileManager.default.fileExists(atPath: path) else {
                reasons.append("artifact missing: \(path)")
                continue
            }
            if let st = record.stats[path], st == FileStat.of(path) { continue }
            if Hashing.sha256(file: path) != sha {
                reasons.append("artifact modified: \(path) no longer matches its recorded SHA-256")
            }
        }
        return reasons
    }
}
