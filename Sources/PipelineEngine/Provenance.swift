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
