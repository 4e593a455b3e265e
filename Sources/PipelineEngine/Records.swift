import Foundation

/// Where a driver keeps artifacts, figures and its own bookkeeping.
public struct Workspace: Sendable {
    public let dataDir: String
    public let figuresDir: String
    public init(dataDir: String = "data", figuresDir: String = "figures") {
        self.dataDir = dataDir
        self.figuresDir = figuresDir
    }

    var stateDir: String { dataDir + "/.tlspipe" }
    var recordsDir: String { stateDir + "/records" }
    func recordPath(_ id: String) -> String { recordsDir + "/" + id + ".json" }
    public func path(of output: OutputFile) -> String {
        (output.folder == .data ? dataDir : figuresDir) + "/" + output.name
    }
}

/// One input as it entered a stage key.
public struct InputRef: Sendable, Equatable {
    public let slot: String
    public let stage: String
    public let key: String
    public let sha256: String
    public let path: String

    var json: JSONValue {
        .object([("slot", .string(slot)), ("stage", .string(stage)), ("key", .string(key)),
                 ("sha256", .string(sha256)), ("path", .string(path))])
    }
    public init(slot: String, stage: String, key: String, sha256: String, path: String) {
        self.slot = slot; self.stage = stage; self.key = key; self.sha256 = sha256; self.path = path
    }
    init?(_ j: JSONValue) {
        guard let s = j["slot"]?.stringValue, let st = j["stage"]?.stringValue, let k = j["key"]?.stringValue,
              let h = j["sha256"]?.stringValue, let p = j["path"]?.stringValue else { return nil }
        self.init(slot: s, stage: st, key: k, sha256: h, path: p)
    }
}

/// The driver's record of a finished stage: what went in, what came out, with hashes.
/// Written last, after the outputs are in place, so that an interrupted run never looks fresh.
public struct StageRecord: Sendable {
    public let stage: String
    public let kind: String
    public let version: Int
    public let key: String
    public let params: JSONValue
    public let inputs: [InputRef]
    public let outputs: [(path: String, sha256: String)]
    public let finished: String
    /// (size, mtime in ns, inode) of each output when it was recorded: a file whose stat still
    /// matches needs no re-hash (as make and DVC do); any write changes the stat.
    var stats: [String: FileStat] = [:]

    var json: JSONValue {
        .object([
            ("stage", .string(stage)), ("kind", .string(kind)), ("version", .int(version)), ("key", .string(key)),
            ("params", params), ("inputs", .array(inputs.map(\.json))),
            ("outputs", .array(outputs.map { o in
                var m: [(String, JSONValue)] = [("path", .string(o.path)), ("sha256", .string(o.sha256))]
                if let st = stats[o.path] { m.append(("stat", .array([.int(st.size), .int(st.mtimeNS), .int(st.inode)]))) }
                return .object(m)
            })),
            ("finished", .string(finished)),
        ])
    }

    init(stage: String, kind: String, version: Int, key: String, params: JSONValue, inputs: [InputRef],
         outputs: [(path: String, sha256: String)], finished: String) {
        self.stage = stage; self.kind = kind; self.version = version; self.key = key; self.params = params
        self.inputs = inputs; self.outputs = outputs; self.finished = finished
    }

    init?(_ j: JSONValue) {
        guard let s = j["stage"]?.stringValue, let kd = j["kind"]?.stringValue, let v = j["version"]?.intValue,
              let k = j["key"]?.stringValue, let p = j["params"], let ins = j["inputs"]?.arrayValue,
              let outs = j["outputs"]?.arrayValue else { return nil }
        var inputs: [InputRef] = []
        for i in ins { guard let r = InputRef(i) else { return nil }; inputs.append(r) }
        var outputs: [(path: String, sha256: String)] = []
        var stats: [String: FileStat] = [:]
        for o in outs {
            guard let path = o["path"]?.stringValue, let h = o["sha256"]?.stringValue else { return nil }
            outputs.append((path, h))
            if let st = o["stat"]?.arrayValue, st.count == 3, let a = st[0].intValue, let b = st[1].intValue, let c = st[2].intValue {
                stats[path] = FileStat(size: a, mtimeNS: b, inode: c)
            }
        }
        let keep = stats
        self.init(stage: s, kind: kd, version: v, key: k, params: p, inputs: inputs, outputs: outputs,
                  finished: j["finished"]?.stringValue ?? "")
        self.stats = keep
    }
}

enum RecordStore {
    static func read(_ workspace: Workspace, _ id: String) -> StageRecord? {
        guard let data = FileManager.default.contents(atPath: workspace.recordPath(id)),
              let text = String(data: data, encoding: .utf8),
              let json = try? JSONValue.parse(text) else { return nil }
        return StageRecord(json)
    }

    static func write(_ workspace: Workspace, _ record: StageRecord) throws {
        try FileManager.default.createDirectory(atPath: workspace.recordsDir, withIntermediateDirectories: true)
        try AtomicFile.write(record.json.pretty + "\n", to: workspace.recordPath(record.stage))
    }

    static func remove(_ workspace: Workspace, _ id: String) {
        try? FileManager.default.removeItem(atPath: workspace.recordPath(id))
    }
}

/// Writes through a temporary file in the same folder and a rename, so readers see either
/// the old file or the complete new one.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        try rename(tmp, to: path)
    }

    public static func rename(_ from: String, to: String) throws {
        if Foundation.rename(from, to) != 0 {
            throw StageError("cannot move \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }
}

/// The parts of stat(2) that change whenever a file is written.
struct FileStat: Equatable, Sendable {
    let size: Int
    let mtimeNS: Int
    let inode: Int

    static func of(_ path: String) -> FileStat? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStat(size: Int(st.st_size), mtimeNS: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec),
                        inode: Int(st.st_ino))
    }
}
