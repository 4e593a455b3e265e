import Foundation

/// Facts about the code and machine that go into every provenance record.
public struct CodeVersion: Sendable {
    public let gitCommit: String
    public let gitDirty: Bool
    public let tool: String

    public static let toolVersion = "tlspipe 0.2.0"

    /// Reads the git commit of the working folder (the checkout the tool is run from).
    public static func current() -> CodeVersion {
        let commit = run(["rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let status = run(["status", "--porcelain", "--untracked-files=no"])
        return CodeVersion(gitCommit: commit.isEmpty ? "unknown" : commit,
                           gitDirty: status.map { !$0.isEmpty } ?? true, tool: toolVersion)
    }

    private static func run(_ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = args
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
    static func record(instance: StageInstance, kind: any StageKind, key: String, inputs: [InputRef],
                       code: CodeVersion, report: StageReport, start: Date, end: Date) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("stage_id", .string(instance.id)),
            ("kind", .string(instance.kind)),
            ("params", instance.params.json),
            ("key", .string(key)),
            ("inputs", .array(inputs.map(\.json))),
            ("code", .object([
                ("git_commit", .string(code.gitCommit)), ("git_dirty", .bool(code.gitDirty)),
                ("implementation_version", .int(kind.version)),
            ])),
            ("tool", .string(code.tool)),
        ]
        if let seed = instance.params["seed"] { members.append(("seeds", .object([("seed", seed)]))) }
        members += report.extra
        members += [
            ("host", .string(ProcessInfo.processInfo.hostName)),
            ("start_time", .string(Clock.iso8601(start))),
            ("end_time", .string(Clock.iso8601(end))),
            ("wall_seconds", .double((end.timeIntervalSince(start) * 1000).rounded() / 1000)),
        ]
        return .object(members)
    }
}
