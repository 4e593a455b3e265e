import Foundation
import PipelineEngine

/// Site settings for a Slurm cluster: where and how jobs are queued. They come from a small
/// JSON profile file and command-line options, never from the pipeline spec (the same spec runs
/// on a laptop and on any cluster):
///
///     { "partition": "compute", "account": "phys42", "qos": "normal", "time": "02:00:00",
///       "cpus_per_task": 1, "sbatch_options": ["--constraint=avx2"], "poll_seconds": 5,
///       "kinds": { "ftlm": { "time": "08:00:00", "memory": "8G" } } }
public struct SlurmProfile: Sendable, Equatable {
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// Default time limit of a job (sbatch --time syntax); nil: the partition's default.
    public var time: String?
    public var cpusPerTask: Int = 1
    /// Extra sbatch options, passed as they are (e.g. "--constraint=avx2").
    public var sbatchOptions: [String] = []
    /// How often the queue is read (squeue), in seconds.
    public var pollSeconds: Double = 5
    /// Per stage kind: time limit, cores, memory (overriding the kind's own estimate).
    public var kinds: [String: KindSettings] = [:]

    public struct KindSettings: Sendable, Equatable {
        public var time: String?
        public var cpusPerTask: Int?
        /// Bytes; nil: from the kind's size estimate.
        public var memory: Double?
        public init(time: String? = nil, cpusPerTask: Int? = nil, memory: Double? = nil) {
            self.time = time; self.cpusPerTask = cpusPerTask; self.memory = memory
        }
    }

    public init() {}

    /// Reads a profile file; every problem names the file and the JSON path.
    public static func load(file: String) throws -> SlurmProfile {
        guard let data = try? SafeFiles.readRegular(file, limit: 1 << 20) else {
            throw SlurmError("\(file): cannot read the Slurm profile (expected a JSON file, e.g. slurm.json)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SlurmError("\(file): not UTF-8 text") }
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw SlurmError("\(file): not valid JSON: \(error)") }
        return try parse(json, file: file)
    }

    static let known = ["partition", "account", "qos", "time", "cpus_per_task", "sbatch_options", "poll_seconds", "kinds"]

    static func parse(_ json: JSONValue, file: String) throws -> SlurmProfile {
        guard let members = json.objectMembers else { throw SlurmError("\(file): expected a JSON object of Slurm settings") }
        var p = SlurmProfile()
        func fail(_ path: String, _ what: String) -> SlurmError { SlurmError("\(file): \(path): \(what)") }
        func string(_ v: JSONValue, _ path: String) throws -> String {
            guard let s = v.stringValue, !s.isEmpty, !s.contains(where: { $0.isNewline }) else { throw fail(path, "expected a non-empty string") }
            return s
        }
        func time(_ v: JSONValue, _ path: String) throws -> String {
            let s = try string(v, path)
            guard SlurmProfile.isTimeLimit(s) else { throw fail(path, "expected a Slurm time limit such as 90, 02:00:00 or 1-12:00:00") }
            return s
        }
        func cpus(_ v: JSONValue, _ path: String) throws -> Int {
            guard let n = v.intValue, n >= 1, n <= 4096 else { throw fail(path, "expected a whole number of cores from 1 to 4096") }
            return n
        }
        for (name, v) in members {
            switch name {
            case "partition": p.partition = try string(v, name)
            case "account": p.account = try string(v, name)
            case "qos": p.qos = try string(v, name)
            case "time": p.time = try time(v, name)
            case "cpus_per_task": p.cpusPerTask = try cpus(v, name)
            case "poll_seconds":
                guard let s = v.doubleValue, s >= 0.1, s <= 600 else { throw fail(name, "expected seconds from 0.1 to 600") }
                p.pollSeconds = s
            case "sbatch_options":
                guard let items = v.arrayValue else { throw fail(name, "expected a list of sbatch options such as [\"--constraint=avx2\"]") }
                p.sbatchOptions = try items.enumerated().map { k, o in
                    let s = try string(o, "\(name)[\(k)]")
                    guard s.hasPrefix("-") else { throw fail("\(name)[\(k)]", "expected an option starting with -, such as --constraint=avx2") }
                    return s
                }
            case "kinds":
                guard let kinds = v.objectMembers else { throw fail(name, "expected an object of stage kinds") }
                for (kind, settings) in kinds {
                    guard let fields = settings.objectMembers else { throw fail("kinds.\(kind)", "expected an object with time, cpus_per_task or memory") }
                    var k = KindSettings()
                    for (f, fv) in fields {
                        let path = "kinds.\(kind).\(f)"
                        switch f {
                        case "time": k.time = try time(fv, path)
                        case "cpus_per_task": k.cpusPerTask = try cpus(fv, path)
                        case "memory":
                            guard let s = fv.stringValue, let b = SpecLoader.parseBytes(s) else { throw fail(path, "expected a size such as 8G or 512M") }
                            k.memory = b
                        default: throw fail(path, "unknown setting; expected time, cpus_per_task or memory")
                        }
                    }
                    p.kinds[kind] = k
                }
            default:
                throw fail(name, "unknown setting\(Suggest.phrase(name, among: known)); expected one of \(known.joined(separator: ", "))")
            }
        }
        return p
    }

    /// Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
    public static func isTimeLimit(_ s: String) -> Bool {
        let days = s.split(separator: "-", omittingEmptySubsequences: false)
        guard days.count <= 2, days.allSatisfy({ !$0.isEmpty }) else { return false }
        if days.count == 2 { guard days[0].allSatisfy(\.isNumber) else { return false } }
        let parts = days.last!.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count <= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}

/// A problem with the cluster or its settings, said in one line.
public struct SlurmError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
