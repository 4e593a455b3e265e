import Foundation
import PipelineEngine

/// Walks provenance from an artifact or figure down to its roots.
public enum Audit {
    /// The provenance record of an HDF5 artifact or a figure (via its `.provenance.json`).
    public static func provenance(of path: String) throws -> JSONValue {
        if path.hasSuffix(".h5") {
            guard SafeFiles.isRegularFile(path) else { throw StageError("\(path): no such file (or not a regular file)") }
            guard let p = try ProvenanceAttributes.read(path) else { throw StageError("\(path): no provenance attribute") }
            return p
        }
        var base = path
        for ext in [".provenance.json", ".pdf", ".png", ".dat", ".gp"] where base.hasSuffix(ext) {
            base = String(base.dropLast(ext.count))
            break
        }
        let record = base + ".provenance.json"
        guard SafeFiles.isRegularFile(record) else {
            throw StageError("\(path): no provenance record (\(record) missing or not a regular file)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: record))
        do { return try JSONValue.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw StageError("\(record): not a provenance record (\(error))")
        }
    }

    /// An input path from a provenance record, which stores it relative to the artifact's folder
    /// (absolute paths of older records are used as they are).
    static func resolve(_ stored: String, from artifact: String) -> String {
        if stored.hasPrefix("/") { return stored }
        let dir = (artifact as NSString).deletingLastPathComponent
        return ((dir.isEmpty ? "." : dir) + "/" + stored as NSString).standardizingPath
    }

    /// Every ancestor of a provenance record (inputs, their inputs, …), each once: stage, kind,
    /// parameters, code, key and hashes, so a figure folder alone says what N, M and seed made it.
    /// `folder` is where the record's artifact lives (its input paths are relative to it).
    public static func ancestry(of record: JSONValue, folder: String) -> [JSONValue] {
        var out: [JSONValue] = []
        var seen = Set<String>()
        var frontier: [(JSONValue, String)] = [(record, folder)]
        while !frontier.isEmpty {
            let (rec, dir) = frontier.removeFirst()
            for input in rec["inputs"]?.arrayValue ?? [] {
                guard let stored = input["path"]?.stringValue else { continue }
                let path = resolve(stored, from: dir + "/x")
                guard !seen.contains(path) else { continue }
                seen.insert(path)
                guard let p = try? provenance(of: path) else {
                    out.append(.object([("path", .string(stored)), ("missing", .bool(true))]))
                    continue
                }
                var m: [(String, JSONValue)] = [("path", .string(RelativePath.from(folder, to: path)))]
                for field in ["stage_id", "kind", "params", "key", "content_sha256", "code", "seeds", "tool", "end_time"] {
                    if let v = p[field] { m.append((field, v)) }
                }
                m.append(("sha256", input["sha256"] ?? .null))
                out.append(.object(m))
                frontier.append((p, (path as NSString).deletingLastPathComponent))
            }
        }
        return out
    }

    /// One line per artifact, indented by depth, with a check of every input's SHA-256; `verified`
    /// is false when any input is missing or changed.
    public static func chain(of path: String) throws -> (lines: [String], verified: Bool) {
        var lines: [String] = []
        var seen = Set<String>()
        var verified = true
        func walk(_ path: String, depth: Int, expectedSHA: String?) throws {
            let pad = String(repeating: "  ", count: depth)
            var status = ""
            if let expectedSHA {
                let actual = FileDigest.sha256(path)
                status = actual == expectedSHA ? "  [sha256 ok]" : (actual == nil ? "  [MISSING]" : "  [CHANGED since used: sha256 differs]")
                if actual != expectedSHA { verified = false }
            }
            guard SafeFiles.isRegularFile(path) else {
                lines.append("\(pad)\(path)\(status)")
                return
            }
            let p: JSONValue
            do { p = try provenance(of: path) } catch {
                lines.append("\(pad)\(path)\(status)  (no provenance: \(SafeFiles.describe(error)))")
                verified = false
                return
            }
            let id = p["stage_id"]?.stringValue ?? "?"
            let kind = p["kind"]?.stringValue ?? "?"
            let key = String((p["key"]?.stringValue ?? "?").prefix(12))
            let commit = p["code"]?["git_commit"]?.stringValue.map { String($0.prefix(10)) } ?? "?"
            let dirty = p["code"]?["git_dirty"]?.boolValue == true ? "+dirty" : ""
            lines.append("\(pad)\(path)  stage \(id) (\(kind) v\(p["code"]?["implementation_version"]?.intValue ?? 0)), key \(key), git \(commit)\(dirty), \(p["end_time"]?.stringValue ?? "")\(status)")
            lines.append("\(pad)  params \(p["params"]?.canonical ?? "{}")")
            if seen.contains(path) { return }
            seen.insert(path)
            for input in p["inputs"]?.arrayValue ?? [] {
                guard let ip = input["path"]?.stringValue else { continue }
                try walk(resolve(ip, from: path), depth: depth + 1, expectedSHA: input["sha256"]?.stringValue)
            }
        }
        try walk(path, depth: 0, expectedSHA: nil)
        return (lines, verified)
    }
}
