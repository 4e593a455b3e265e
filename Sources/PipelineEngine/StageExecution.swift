import Foundation

/// The one path by which a stage instance runs, in a pipeline or ad hoc (`tlspipe compute`):
/// outputs go to temporaries in their final folders, provenance is stamped into them, and
/// only complete files are renamed into place.
public struct StageExecution: Sendable {
    public let registry: StageRegistry
    public init(registry: StageRegistry) { self.registry = registry }

    public struct Done: Sendable {
        public let key: String
        public let outputs: [(path: String, sha256: String)]
        public let end: Date
        public let seconds: Double
    }

    /// The stage key of an instance with these inputs (see `StalenessChecker.key`).
    public func key(_ inst: StageInstance, inputs: [InputRef]) -> String {
        let kind = registry[inst.kind]!
        let payload = JSONValue.object([
            ("kind", .string(inst.kind)), ("version", .int(kind.version)), ("params", inst.params.json),
            ("inputs", .array(inputs.map { .object([("slot", .string($0.slot)), ("key", .string($0.key)), ("sha256", .string($0.sha256))]) })),
        ])
        return Hashing.sha256(payload.canonical)
    }

    public func execute(_ inst: StageInstance, inputs refs: [InputRef], inputParams: [String: Params],
                        finals: [String], code: CodeVersion, showProgress: Bool) throws -> Done {
        let kind = registry[inst.kind]!
        // Inputs must still match the hashes that enter the key (nobody edited them meanwhile).
        for ref in refs where Hashing.sha256(file: ref.path) != ref.sha256 {
            throw StageError("input \(ref.path) changed while the pipeline ran")
        }
        let key = key(inst, inputs: refs)
        let temps = finals.map { $0 + ".tmp-\(getpid())" }
        var artifacts: [String: [InputArtifact]] = [:]
        for ref in refs {
            artifacts[ref.slot, default: []].append(InputArtifact(
                stage: ref.stage, kind: "", path: ref.path, sha256: ref.sha256, key: ref.key,
                params: inputParams[ref.stage] ?? Params([])))
        }
        let id = inst.id
        let progress: @Sendable (Double, String) -> Void
        if showProgress {
            progress = { (f: Double, msg: String) in
                let pct = Int((f * 100).rounded())
                FileHandle.standardError.write(Data("\r  \(id): \(pct)% \(msg)\u{1B}[K".utf8))
                if f >= 1 { FileHandle.standardError.write(Data("\n".utf8)) }
            }
        } else {
            progress = { (_: Double, _: String) in }
        }
        let context = StageContext(stageID: id, params: inst.params, inputs: artifacts, outputPaths: temps,
                                   key: key, progress: progress)
        for dir in Set(finals.map { ($0 as NSString).deletingLastPathComponent }) where !dir.isEmpty {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let start = Date()
        defer { for t in temps { try? FileManager.default.removeItem(atPath: t) } }
        let report = try kind.run(context)
        let end = Date()
        let provenance = ProvenanceBuilder.record(instance: inst, kind: kind, key: key, inputs: refs, code: code,
                                                  report: report, start: start, end: end)
        try kind.stamp(outputPaths: temps, provenance: provenance)
        for t in temps where !FileManager.default.fileExists(atPath: t) {
            throw StageError("stage kind \(inst.kind) did not write \(t)")
        }
        var outputs: [(path: String, sha256: String)] = []
        for t in temps {
            guard let sha = Hashing.sha256(file: t) else { throw StageError("cannot read back \(t)") }
            outputs.append((t, sha))
        }
        // Rename only once every output is complete and stamped.
        for (t, f) in zip(temps, finals) { try AtomicFile.rename(t, to: f) }
        return Done(key: key, outputs: zip(finals, outputs).map { ($0, $1.sha256) }, end: end,
                    seconds: end.timeIntervalSince(start))
    }
}
