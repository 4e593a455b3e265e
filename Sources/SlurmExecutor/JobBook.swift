import Foundation
import PipelineEngine

/// The jobs a driver submitted for one data folder, kept in its state folder
/// (`.tlspipe/slurm/jobs.json`): what `tlspipe status` shows and what a cancelled run cancels.
/// Re-attaching after a killed driver does not depend on it (jobs are found by name in the
/// queue, which also covers a driver killed between `sbatch` and this write).
public struct JobBook: Sendable {
    public let folder: String
    public init(workspace: Workspace) { folder = workspace.stateDir + "/slurm" }

    public var file: String { folder + "/jobs.json" }
    public var logs: String { folder + "/logs" }
    public var exits: String { folder + "/exit" }

    public struct Entry: Sendable, Equatable {
        public let stage: String
        public let key: String
        public let job: String
        /// "shards" (a job array, one task per missing shard) or "stage" (the stage or its merge).
        public let role: String
        public let tasks: [Int]
        public let name: String
        public let submitted: String

        var json: JSONValue {
            .object([("stage", .string(stage)), ("key", .string(key)), ("job", .string(job)), ("role", .string(role)),
                     ("tasks", .array(tasks.map { .int($0) })), ("name", .string(name)), ("submitted", .string(submitted))])
        }

        init(stage: String, key: String, job: String, role: String, tasks: [Int], name: String, submitted: String) {
            self.stage = stage; self.key = key; self.job = job; self.role = role; self.tasks = tasks; self.name = name
            self.submitted = submitted
        }

        init?(_ j: JSONValue) {
            guard let stage = j["stage"]?.stringValue, let key = j["key"]?.stringValue, let job = j["job"]?.stringValue,
                  let role = j["role"]?.stringValue, let name = j["name"]?.stringValue else { return nil }
            self.init(stage: stage, key: key, job: job, role: role, tasks: j["tasks"]?.arrayValue?.compactMap(\.intValue) ?? [],
                      name: name, submitted: j["submitted"]?.stringValue ?? "")
        }
    }

    /// Every job submitted for this folder, oldest first (none if the file is absent or unreadable).
    public func entries() -> [Entry] {
        guard let data = try? SafeFiles.readRegular(file, noFollow: true, limit: 64 << 20),
              let text = String(data: data, encoding: .utf8), let json = try? JSONValue.parse(text) else { return [] }
        return json["jobs"]?.arrayValue?.compactMap(Entry.init) ?? []
    }

    /// Adds jobs (atomically rewriting the file; the caller serialises writers).
    func append(_ new: [Entry]) throws {
        try SafeFiles.ensureDirectory(folder)
        // The book only needs what may still be in the queue: keep the last 10 000 entries.
        let all = Array((entries() + new).suffix(10_000))
        try SafeFiles.writeAtomically(Data((JSONValue.object([("jobs", .array(all.map(\.json)))]).pretty + "\n").utf8), to: file)
    }
}
