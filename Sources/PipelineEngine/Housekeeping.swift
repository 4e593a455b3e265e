import Foundation

/// The everyday commands around a run: list what a spec produces, remove generated files, and
/// accept a change known not to affect results. Each writes only under the folders' locks and
/// only files the engine's records name.
extension Driver {
    /// Every file the spec produces, with its stage and state ("fresh", "stale", "missing", "waits").
    public func outputs() -> [(path: String, stage: String, state: String)] {
        let plan = planner.plan()
        var out: [(String, String, String)] = []
        for st in plan.stages {
            for path in st.outputs {
                let exists = SafeFiles.isRegularFile(path)
                let state = !exists ? "missing" : st.decision == .fresh ? "fresh" : st.decision == .stale ? "stale" : "waits"
                out.append((path, st.id, state))
            }
        }
        return out
    }

    /// Removes generated files: with `orphansOnly`, only those of records whose stage is no longer
    /// in the spec (after a sweep shrank); otherwise every output, record and shard of the spec's
    /// stages. Returns the paths removed.
    public func clean(orphansOnly: Bool) throws -> [String] {
        try SafeFiles.ensureDirectory(workspace.stateDir, noSymlinksBelow: workspace.dataDir)
        let lock = try FolderLock(folder: workspace.stateDir, name: "lock", what: workspace.dataDir)
        var figureLock: FolderLock? = nil
        if SafeFiles.isRealDirectory(workspace.figuresDir) {
            figureLock = try FolderLock(folder: workspace.figuresDir, name: ".tlspipe-lock", what: workspace.figuresDir)
        }
        defer { withExtendedLifetime((lock, figureLock)) {} }
        let ids = Set(pipeline.instances.map(\.id))
        var recorded: [String] = []
        if SafeFiles.isRealDirectory(workspace.recordsDir) {
            recorded = ((try? FileManager.default.contentsOfDirectory(atPath: workspace.recordsDir)) ?? [])
                .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }
        }
        let targets = orphansOnly ? recorded.filter { !ids.contains($0) } : recorded.filter { ids.contains($0) }
        var removed: [String] = []
        for id in targets.sorted() {
            if let r = RecordStore.read(workspace, id) {
                for o in r.outputs {
                    let path = workspace.path(of: o.file)
                    if SafeFiles.isRegularFile(path, noFollow: true), unlink(path) == 0 { removed.append(path) }
                }
            }
            if unlink(workspace.recordPath(id)) == 0 { removed.append(workspace.recordPath(id)) }
            let shards = workspace.shardsDir + "/" + id
            if SafeFiles.isRealDirectory(shards) { SafeFiles.removeTree(shards); removed.append(shards) }
        }
        if !orphansOnly {
            // Outputs of stages that never got a record (an interrupted first run).
            for inst in pipeline.instances where !targets.contains(inst.id) {
                for path in planner.outputPaths(inst) where SafeFiles.isRegularFile(path, noFollow: true) && RecordStore.load(workspace, inst.id).record == nil {
                    if unlink(path) == 0 { removed.append(path) }
                }
            }
        }
        return removed
    }

    /// Accepts the current spec for `ids` without rebuilding: their records take the new key,
    /// parameters and code version, and say what was accepted and when (like `dvc commit` or
    /// `snakemake --touch`). Refused when an input is not fresh or an output is missing or
    /// modified: only a change to the recipe can be accepted, never to the data.
    public func accept(_ ids: [String]) throws -> [(String, [StaleReason])] {
        let wanted = try resolve(ids, option: "accept")
        try SafeFiles.ensureDirectory(workspace.stateDir, noSymlinksBelow: workspace.dataDir)
        let lock = try FolderLock(folder: workspace.stateDir, name: "lock", what: workspace.dataDir)
        defer { withExtendedLifetime(lock) {} }
        let plan = planner.plan()
        var done: [(String, [StaleReason])] = []
        for inst in pipeline.instances where wanted.contains(inst.id) {
            guard let st = plan[inst.id] else { continue }
            if st.fresh { done.append((inst.id, [])); continue }
            guard st.staleInputs.isEmpty else {
                throw StageError("\(inst.id): its input \(st.staleInputs[0].stage) is not fresh; run or accept that first")
            }
            let dataProblems = st.reasons.filter { ["output_missing", "output_modified", "output_not_regular", "output_set_changed", "never_built", "record_unreadable"].contains($0.code) }
            guard dataProblems.isEmpty, let old = RecordStore.read(workspace, inst.id) else {
                throw StageError("\(inst.id): cannot accept \(dataProblems.first?.description ?? "a stage without a record"); run it instead")
            }
            var refs: [InputRef] = []
            var inputs: [StageExecution.Input] = []
            for (slot, deps) in inst.inputs {
                for dep in deps {
                    guard let r = RecordStore.read(workspace, dep), let primary = r.outputs.first else { throw StageError("\(dep) has no record") }
                    let ref = InputRef(slot: slot, stage: dep, key: r.key, content: r.content, sha256: primary.sha256,
                                       path: workspace.path(of: primary.file))
                    refs.append(ref)
                    inputs.append(.init(ref: ref, lineage: Params(r.lineage.objectMembers ?? [])))
                }
            }
            let version = registry[inst.kind]!.version
            var record = StageRecord(stage: inst.id, kind: inst.kind, version: version,
                                     key: StageKey.compute(kind: inst.kind, version: version, params: inst.resultParams, inputs: refs),
                                     params: inst.resultParams.json, lineage: StageExecution.lineage(inst, inputs: inputs).json,
                                     inputs: refs, outputs: old.outputs, content: old.content, finished: old.finished)
            record.execution = old.execution
            record.accepted = .object([
                ("at", .string(Clock.iso8601(Date()))), ("previous_key", .string(old.key)),
                ("changes", .array(st.reasons.map(\.json))),
            ])
            try RecordStore.write(workspace, record)
            done.append((inst.id, st.reasons))
        }
        return done
    }
}
