import Foundation

/// Facts about the code and machine that go into every provenance record.
public struct CodeVersion: Sendable {
    public let gitCommit: String
    public let gitDirty: Bool
    public let tool: String

    public static let toolVersion = "tlspipe 0.2.0"

    /// Reads the git commit of the checkout the tool was built in (the folder of the running
    /// executable, `.build/…` inside a checkout), or else of the working folder: a run from a
    /// data folder elsewhere still names the code that produced its numbers.
    public static func current() -> CodeVersion {
        // Bundle.main knows the executable's real path even when it was started through PATH.
        let exe = (Bundle.main.executableURL ?? CommandLine.arguments.first.map { URL(fileURLWithPath: $0) })?
            .resolvingSymlinksInPath().deletingLastPathComponent().path
        for dir in [exe, nil] {
            guard let commit = run(["rev-parse", "HEAD"], in: dir)?.trimmingCharacters(in: .whitespacesAndNewlines), !commit.isEmpty else { continue }
            let status = run(["status", "--porcelain", "--untracked-files=no"], in: dir)
            return CodeVersion(gitCommit: commit, gitDirty: status.map { !$0.isEmpty } ?? true, tool: toolVersion)
        }
        return CodeVersion(gitCommit: "unknown", gitDirty: true, tool: toolVersion)
    }

    private static func run(_ args: [String], in dir: String?) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = (dir.map { ["-C", $0] } ?? []) + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

enum Clock {
    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}

/// Builds the provenance record of one stage run (the same fields for artifacts and figures).
enum ProvenanceBuilder {
    struct Facts {
        let instance: StageInstance
        let kind: any StageKind
        let key: String
        /// Digest of the payload before this record was stamped into it (what consumers' keys use).
        let content: String
        let inputs: [InputRef]
        let lineage: Params
        /// The folder the record's artifact lives in: input paths are stored relative to it, so
        /// `audit` follows them from any working folder.
        let outputFolder: String
        let code: CodeVersion
        let spec: SpecIdentity?
        let execution: [(String, JSONValue)]
    }

    static func record(_ f: Facts, report: StageReport, start: Date, end: Date) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("stage_id", .string(f.instance.id)),
            ("kind", .string(f.instance.kind)),
            ("params", f.instance.resultParams.json),
            ("lineage", f.lineage.json),
            ("key", .string(f.key)),
            ("content_sha256", .string(f.content)),
            ("inputs", .array(f.inputs.map { ref in
                .object([("slot", .string(ref.slot)), ("stage", .string(ref.stage)), ("key", .string(ref.key)),
                         ("content", .string(ref.content)), ("sha256", .string(ref.sha256)),
                         ("path", .string(RelativePath.from(f.outputFolder, to: ref.path)))])
            })),
            ("code", .object([
                ("git_commit", .string(f.code.gitCommit)), ("git_dirty", .bool(f.code.gitDirty)),
                ("implementation_version", .int(f.kind.version)),
            ])),
            ("tool", .string(f.code.tool)),
        ]
        if let spec = f.spec { members.append(("spec", .object([("name", .string(spec.name)), ("sha256", .string(spec.sha256))]))) }
        if let seed = f.instance.params["seed"] { members.append(("seeds", .object([("seed", seed)]))) }
        members += report.extra
        members += [
            ("execution", .object(f.execution)),
            ("host", .string(ProcessInfo.processInfo.hostName)),
            ("start_time", .string(Clock.iso8601(start))),
            ("end_time", .string(Clock.iso8601(end))),
            ("wall_seconds", .double((end.timeIntervalSince(start) * 1000).rounded() / 1000)),
        ]
        return .object(members)
    }
}

/// Name and SHA-256 of the spec a run came from.
public struct SpecIdentity: Sendable {
    public let name: String
    public let sha256: String
    public init(name: String, sha256: String) { self.name = name; self.sha256 = sha256 }
}

/// Relative paths between folders, from their absolute forms.
public enum RelativePath {
    public static func absolute(_ path: String) -> String {
        let p = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (p as NSString).standardizingPath
    }

    /// `path` as seen from folder `dir` (`../data/x.h5`).
    public static func from(_ dir: String, to path: String) -> String {
        let a = absolute(dir).split(separator: "/"), b = absolute(path).split(separator: "/")
        var common = 0
        while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
        let up = Array(repeating: "..", count: a.count - common)
        let rest = b[common...].map(String.init)
        let parts = up + rest
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
