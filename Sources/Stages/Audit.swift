import Foundation
import PipelineEngine

/// Walks provenance from an artifact or figure down to its roots.
public enum Audit {
    /// The provenance record of an HDF5 artifact or a figure (via its `.provenance.json`).
    public static func provenance(of path: String) throws -> JSONValue {
        if path.hasSuffix(".h5") {
            guard let p = try ProvenanceAttributes.read(path) else { throw StageError("\(path): no provenance attribute") }
            return p
        }
        var base = path
        for ext in [".provenance.json", ".pdf", ".png", ".dat", ".gp"] where base.hasSuffix(ext) {
            base = String(base.dropLast(ext.count))
            break
        }
        let record = base + ".provenance.json"
        guard let data = FileManager.default.contents(atPath: record) else {
            throw StageError("\(path): no provenance record (\(record) missing)")
        }
        return try JSONValue.parse(String(decoding: data, as: UTF8.self))
    }

    /// One line per artifact, indented by depth, with a check of every input's SHA-256.
    public static func chain(of path: String) throws -> [String] {
        var lines: [String] = []
        var seen = Set<String>()
        func walk(_ path: String, depth: Int, expectedSHA: String?) throws {
            let pad = String(repeating: "  ", count: depth)
            var status = ""
            if let expectedSHA {
                let actual = fileSHA256(path)
                status = actual == expectedSHA ? "  [sha256 ok]" : (actual == nil ? "  [MISSING]" : "  [CHANGED since used: sha256 differs]")
            }
            guard FileManager.default.fileExists(atPath: path) else {
                lines.append("\(pad)\(path)\(status)")
                return
            }
            let p = try provenance(of: path)
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
                try walk(ip, depth: depth + 1, expectedSHA: input["sha256"]?.stringValue)
            }
        }
        try walk(path, depth: 0, expectedSHA: nil)
        return lines
    }

    static func fileSHA256(_ path: String) -> String? { FileDigest.sha256(path) }
}
