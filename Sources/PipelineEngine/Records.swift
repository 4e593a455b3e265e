import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a driver keeps artifacts, figures and its own bookkeeping. Records name files relative
/// to these folders, so any spelling of the same folder (`d/`, `./d`, `/abs/d`) is the same run.
public struct Workspace: Sendable {
    public let dataDir: String
    public let figuresDir: String
    public init(dataDir: String = "data", figuresDir: String = "figures") {
        self.dataDir = Workspace.tidy(dataDir)
        self.figuresDir = Workspace.tidy(figuresDir)
    }

    /// Drops trailing slashes and `./` so that messages and joins look the same for every spelling.
    static func tidy(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        let joined = (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    public var stateDir: String { dataDir + "/.tlspipe" }
    var recordsDir: String { stateDir + "/records" }
    var shardsDir: String { stateDir + "/shards" }
    func recordPath(_ id: String) -> String { recordsDir + "/" + id + ".json" }
    public func path(of output: OutputFile) -> String {
        folder(output.folder) + "/" + output.name
    }
    public func folder(_ f: OutputFolder) -> String { f == .data ? dataDir : figuresDir }
}

/// One input as it entered a stage key: the upstream's key and the digest of its content.
public struct InputRef: Sendable, Equatable {
    public let slot: String
    public let stage: String
    public let key: String
    /// Digest of the artifact's canonical payload (its bytes before provenance was stamped):
    /// identical datasets give the same digest however often they are rebuilt.
    public let content: String
    /// SHA-256 of the file's bytes as used (for audit).
    public let sha256: String
    /// Where the file was when used (absolute, not stored in records).
    public let path: String

    public init(slot: String, stage: String, key: String, content: String, sha256: String, path: String) {
        self.slot = slot; self.stage = stage; self.key = key; self.content = content; self.sha256 = sha256; self.path = path
    }

    var recordJSON: JSONValue {
        .object([("slot", .string(slot)), ("stage", .string(stage)), ("key", .string(key)), ("content", .string(content))])
    }
}

/// One output file in a record: its folder and name, hashes, and the stat it had when hashed.
public struct RecordedOutput: Sendable, Equatable {
    public let file: OutputFile
    public let sha256: String
    var stat: FileStat?
}

/// The driver's record of a finished stage: what went in, what came out, with hashes.
/// Written last, after the outputs are in place, so that an interrupted run never looks fresh.
public struct StageRecord: Sendable {
    static let format = 2
    public let stage: String
    public let kind: String
    public let version: Int
    public let key: String
    public let params: JSONValue
    /// The parameters of this artifact and of its single-artifact ancestors (own values win):
    /// what a consumer learns about the physics behind it (ω0, N, …).
    public let lineage: JSONValue
    public let inputs: [InputRef]
    public var outputs: [RecordedOutput]
    /// Digest of the primary output's payload (see `InputRef.content`).
    public let content: String
    public let finished: String
    /// Execution-only facts (shards, executor): recorded, never part of the key.
    public var execution: JSONValue = .object([])
    /// Set when a change was accepted without a rebuild (`tlspipe accept`).
    public var accepted: JSONValue? = nil

    var json: JSONValue {
        var m: [(String, JSONValue)] = [
            ("format", .int(Self.format)),
            ("stage", .string(stage)), ("kind", .string(kind)), ("version", .int(version)), ("key", .string(key)),
            ("params", params), ("lineage", lineage), ("inputs", .array(inputs.map(\.recordJSON))),
            ("outputs", .array(outputs.map { o in
                var m: [(String, JSONValue)] = [("folder", .string(o.file.folder.rawValue)), ("name", .string(o.file.name)),
                                                ("sha256", .string(o.sha256))]
                if let st = o.stat { m.append(("stat", .array([.int(st.size), .int(st.mtimeNS), .int(st.inode)]))) }
                return .object(m)
            })),
            ("content", .string(content)),
            ("finished", .string(finished)),
            ("execution", execution),
        ]
        if let accepted { m.append(("accepted", accepted)) }
        return .object(m)
    }

    init(stage: String, kind: String, version: Int, key: String, params: JSONValue, lineage: JSONValue,
         inputs: [InputRef], outputs: [RecordedOutput], content: String, finished: String) {
        self.stage = stage; self.kind = kind; self.version = version; self.key = key; self.params = params
        self.lineage = lineage; self.inputs = inputs; self.outputs = outputs; self.content = content; self.finished = finished
    }

    /// Parses a record; nil with the reason when it is not one this engine wrote.
    static func parse(_ j: JSONValue) -> Result<StageRecord, RecordProblem> {
        guard j["format"]?.intValue == format else { return .failure(.init("written by another version of tlspipe")) }
        guard let s = j["stage"]?.stringValue, let kd = j["kind"]?.stringValue, let v = j["version"]?.intValue,
              let k = j["key"]?.stringValue, let p = j["params"], let ins = j["inputs"]?.arrayValue,
              let outs = j["outputs"]?.arrayValue, let content = j["content"]?.stringValue else {
            return .failure(.init("a field is missing"))
        }
        var inputs: [InputRef] = []
        for i in ins {
            guard let slot = i["slot"]?.stringValue, let st = i["stage"]?.stringValue, let key = i["key"]?.stringValue,
                  let c = i["content"]?.stringValue else { return .failure(.init("an input entry is malformed")) }
            inputs.append(InputRef(slot: slot, stage: st, key: key, content: c, sha256: "", path: ""))
        }
        var outputs: [RecordedOutput] = []
        for o in outs {
            guard let f = o["folder"]?.stringValue.flatMap(OutputFolder.init(rawValue:)), let name = o["name"]?.stringValue,
                  !name.contains("/"), name != "..", let h = o["sha256"]?.stringValue else {
                return .failure(.init("an output entry is malformed"))
            }
            var stat: FileStat? = nil
            if let st = o["stat"]?.arrayValue, st.count == 3, let a = st[0].intValue, let b = st[1].intValue, let c = st[2].intValue {
                stat = FileStat(size: a, mtimeNS: b, inode: c)
            }
            outputs.append(RecordedOutput(file: OutputFile(f, name), sha256: h, stat: stat))
        }
        var r = StageRecord(stage: s, kind: kd, version: v, key: k, params: p, lineage: j["lineage"] ?? p,
                            inputs: inputs, outputs: outputs, content: content, finished: j["finished"]?.stringValue ?? "")
        r.execution = j["execution"] ?? .object([])
        r.accepted = j["accepted"]
        return .success(r)
    }
}

public struct RecordProblem: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}

/// What reading a stage's record gave.
public enum RecordLoad: Sendable {
    case missing
    case unreadable(String)
    case ok(StageRecord)

    public var record: StageRecord? { if case .ok(let r) = self { return r }; return nil }
}

enum RecordStore {
    static func load(_ workspace: Workspace, _ id: String) -> RecordLoad {
        let data: Data?
        do { data = try SafeFiles.readRegular(workspace.recordPath(id), noFollow: true, limit: 16 << 20) } catch {
            return .unreadable(SafeFiles.describe(error))
        }
        guard let data else { return .missing }
        guard let text = String(data: data, encoding: .utf8) else { return .unreadable("not UTF-8") }
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { return .unreadable("invalid JSON: \(error)") }
        switch StageRecord.parse(json) {
        case .success(let r):
            guard r.stage == id else { return .unreadable("it names stage '\(r.stage)'") }
            return .ok(r)
        case .failure(let p): return .unreadable(p.message)
        }
    }

    static func read(_ workspace: Workspace, _ id: String) -> StageRecord? { load(workspace, id).record }

    static func write(_ workspace: Workspace, _ record: StageRecord) throws {
        try SafeFiles.ensureDirectory(workspace.recordsDir, noSymlinksBelow: workspace.stateDir)
        try SafeFiles.writeAtomically(Data((record.json.pretty + "\n").utf8), to: workspace.recordPath(record.stage))
    }

    static func remove(_ workspace: Workspace, _ id: String) {
        unlink(workspace.recordPath(id))
    }
}

/// The parts of stat(2) that change whenever a file is written.
struct FileStat: Equatable, Sendable {
    let size: Int
    let mtimeNS: Int
    let inode: Int

    /// nil when the path is missing (symlinks are followed: outputs live in user folders).
    static func of(_ path: String) -> FileStat? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStat(size: Int(st.st_size), mtimeNS: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec),
                        inode: Int(st.st_ino))
    }
}
