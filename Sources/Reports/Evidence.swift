import Foundation
import PipelineEngine
import Stages

/// What a referee needs to know about one stage instance, gathered read-only from the plan, the
/// driver's record and the artifact's provenance, with every hash checked now (a stale or
/// tampered input is shown as such, never "verified").
public struct StageEvidence: Sendable {
    public struct FileCheck: Sendable {
        public let path: String
        public let recordedSHA: String?
        /// SHA-256 of the file now; nil when it is missing or not a regular file.
        public let currentSHA: String?
        public var verified: Bool { recordedSHA != nil && recordedSHA == currentSHA }
    }

    public let id: String
    public let kind: String
    public let decision: Decision
    public let reasons: [StaleReason]
    public let waitsFor: [String]
    /// (name, value, unit) of every parameter, in declaration order.
    public let parameters: [(name: String, value: String, unit: String)]
    public let outputs: [FileCheck]
    /// Inputs as the artifact's provenance names them: slot, stage, file check.
    public let inputs: [(slot: String, stage: String, check: FileCheck)]
    /// The primary artifact's provenance record (nil if it was never built or is unreadable).
    public let provenance: JSONValue?

    public var commit: String { provenance?["code"]?["git_commit"]?.stringValue ?? "—" }
    public var dirty: Bool { provenance?["code"]?["git_dirty"]?.boolValue ?? false }
    public var implementationVersion: Int? { provenance?["code"]?["implementation_version"]?.intValue }
    public var host: String { provenance?["host"]?.stringValue ?? "—" }
    public var executor: String { provenance?["execution"]?["executor"]?.stringValue ?? "—" }
    public var wallSeconds: Double? { provenance?["wall_seconds"]?.doubleValue }
    public var start: String? { provenance?["start_time"]?.stringValue }
    public var end: String? { provenance?["end_time"]?.stringValue }
    public var allVerified: Bool { outputs.allSatisfy(\.verified) && inputs.allSatisfy(\.check.verified) }
}

/// Collects the evidence of every stage of a pipeline. Reads only; never reruns anything.
public enum EvidenceCollector {
    public static func collect(_ driver: Driver) -> [StageEvidence] {
        let planner = driver.planner
        // Hash everything (a tamper that keeps the stat must show in a report), each file once.
        let files = HashOnce()
        let plan = planner.plan(files: files)
        let records = planner.loadRecords()
        var out: [StageEvidence] = []
        for inst in driver.pipeline.instances {
            guard let st = plan[inst.id], let kind = driver.registry[inst.kind] else { continue }
            let record = records[inst.id]?.record
            let paths = planner.outputPaths(inst)
            let outputs = paths.enumerated().map { k, path in
                StageEvidence.FileCheck(path: path, recordedSHA: record?.outputs.indices.contains(k) == true ? record!.outputs[k].sha256 : nil,
                                        currentSHA: files.sha256(path))
            }
            var provenance: JSONValue? = nil
            if let primary = paths.first, SafeFiles.isRegularFile(primary) {
                provenance = try? Audit.provenance(of: primary)
            }
            var inputs: [(String, String, StageEvidence.FileCheck)] = []
            let folder = ((paths.first ?? ".") as NSString).deletingLastPathComponent
            for input in provenance?["inputs"]?.arrayValue ?? [] {
                guard let stored = input["path"]?.stringValue else { continue }
                let path = stored.hasPrefix("/") ? stored : ((folder.isEmpty ? "." : folder) + "/" + stored as NSString).standardizingPath
                inputs.append((input["slot"]?.stringValue ?? "", input["stage"]?.stringValue ?? "",
                               .init(path: path, recordedSHA: input["sha256"]?.stringValue, currentSHA: files.sha256(path))))
            }
            let parameters = kind.parameters.compactMap { spec -> (String, String, String)? in
                guard let v = inst.params[spec.name], v != .null else { return nil }
                return (spec.name, v.canonical, spec.unit)
            }
            out.append(StageEvidence(id: inst.id, kind: inst.kind, decision: st.decision, reasons: st.reasons,
                                     waitsFor: st.staleInputs.map(\.stage), parameters: parameters, outputs: outputs,
                                     inputs: inputs, provenance: provenance))
        }
        return out
    }
}

/// The disk, hashing every file on request (no stat shortcut) but each path only once.
final class HashOnce: FileOracle, @unchecked Sendable {
    private let disk = DiskFiles(rehash: true)
    var alwaysHash: Bool { true }
    private var memo: [String: String?] = [:]
    private let lock = NSLock()

    func stat(_ path: String) -> FileFacts? { disk.stat(path) }
    func list(_ dir: String) -> [String] { disk.list(dir) }
    func sha256(_ path: String) -> String? {
        lock.lock(); defer { lock.unlock() }
        if let known = memo[path] { return known }
        let h = disk.sha256(path)
        memo[path] = h
        return h
    }
}
