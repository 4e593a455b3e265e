import Foundation
import PipelineEngine
import Stages

/// A Workflow Run RO-Crate (RO-Crate 1.1; Process Run Crate and Workflow Run Crate 0.5) of a
/// spec's run or of one figure's: the spec as the workflow, each stage kind as a software
/// application, each stage run as a CreateAction with its instrument, inputs (objects and
/// parameters as PropertyValues with units) and outputs (results), start and end times; the
/// files with their SHA-256, copied in (or referenced in place). Reads only.
public enum ROCrate {
    public struct Options: Sendable {
        /// Refer to artifacts where they are (file:// URIs) instead of copying them in.
        public var inPlace = false
        /// Only this figure stage and its ancestors (nil: the whole spec).
        public var figure: String? = nil
        public init(inPlace: Bool = false, figure: String? = nil) { self.inPlace = inPlace; self.figure = figure }
    }

    public struct Written: Sendable {
        public let metadata: String
        public let files: Int
        /// Stages whose files did not verify (missing, changed): named in the crate as such.
        public let unverified: [String]
    }

    static let profiles: [(id: String, name: String, version: String)] = [
        ("https://w3id.org/ro/wfrun/process/0.5", "Process Run Crate", "0.5"),
        ("https://w3id.org/ro/wfrun/workflow/0.5", "Workflow Run Crate", "0.5"),
        ("https://w3id.org/workflowhub/workflow-ro-crate/1.0", "Workflow RO-Crate", "1.0"),
    ]

    public static func write(_ driver: Driver, to dir: String, options: Options = Options()) throws -> Written {
        var evidence = EvidenceCollector.collect(driver)
        if let fig = options.figure {
            guard let target = evidence.first(where: { $0.id == fig }) else { throw StageError("no stage '\(fig)' in the spec") }
            _ = target
            let keep = driver.pipeline.ancestors(of: fig)
            evidence = evidence.filter { keep.contains($0.id) }
        }
        try SafeFiles.ensureDirectory(dir)
        var graph: [JSONValue] = []
        var parts: [JSONValue] = []
        var fileIDs: [String: String] = [:]  // local path → @id in the crate
        var copied = 0

        /// The crate's entity for a file: copied under data/ or figures/ (or referenced in place).
        func fileEntity(_ path: String, sha: String?) throws -> String? {
            if let id = fileIDs[path] { return id }
            guard SafeFiles.isRegularFile(path) else { return nil }
            let folder = path.hasPrefix(driver.workspace.figuresDir + "/") ? "figures" : "data"
            let name = (path as NSString).lastPathComponent
            let id: String
            if options.inPlace {
                id = URL(fileURLWithPath: RelativePath.absolute(path)).absoluteString
            } else {
                id = folder + "/" + name
                try SafeFiles.ensureDirectory(dir + "/" + folder)
                let target = dir + "/" + id
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: path, toPath: target)
                copied += 1
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            var m: [(String, JSONValue)] = [("@id", .string(id)), ("@type", .string("File")), ("name", .string(name)),
                                            ("contentSize", .string(String(size))), ("encodingFormat", .string(format(of: name)))]
            if let sha { m.append(("sha256", .string(sha))) }
            graph.append(.object(m))
            parts.append(.object([("@id", .string(id))]))
            fileIDs[path] = id
            return id
        }

        // The spec: the workflow that was run.
        let specName = (driver.pipeline.file as NSString).lastPathComponent
        let specData = try SafeFiles.readRegularPublic(driver.pipeline.file)
        try specData.write(to: URL(fileURLWithPath: dir + "/" + specName))
        parts.append(.object([("@id", .string(specName))]))
        graph.append(.object([
            ("@id", .string(specName)), ("@type", .array([.string("File"), .string("SoftwareSourceCode"), .string("ComputationalWorkflow")])),
            ("name", .string(driver.pipeline.name)), ("description", .string(driver.pipeline.description)),
            ("programmingLanguage", .object([("@id", .string("#tlspipe-spec"))])),
            ("encodingFormat", .string("application/json")),
            ("sha256", .string(driver.pipeline.identity?.sha256 ?? "")),
        ]))
        graph.append(.object([
            ("@id", .string("#tlspipe-spec")), ("@type", .string("ComputerLanguage")), ("name", .string("tlspipe pipeline spec (JSON)")),
            ("alternateName", .string("tlspipe")), ("version", .string(CodeVersion.toolVersion)),
        ]))
        graph.append(.object([
            ("@id", .string("#tlspipe")), ("@type", .string("SoftwareApplication")), ("name", .string("tlspipe")),
            ("version", .string(CodeVersion.toolVersion)),
        ]))

        var actions: [JSONValue] = []
        var kinds = Set<String>()
        var unverified: [String] = []
        var starts: [String] = [], ends: [String] = []
        for e in evidence {
            if !e.allVerified || e.decision != .fresh { unverified.append(e.id) }
            let kindID = "#kind-" + e.kind
            if !kinds.contains(e.kind) {
                kinds.insert(e.kind)
                let summary = driver.registry[e.kind]?.summary ?? ""
                graph.append(.object([
                    ("@id", .string(kindID)), ("@type", .string("SoftwareApplication")),
                    ("name", .string("tlspipe stage kind \(e.kind)")), ("description", .string(summary)),
                    ("version", .string(e.implementationVersion.map { "implementation version \($0)" } ?? "unknown")),
                ]))
            }
            var objects: [JSONValue] = []
            for input in e.inputs {
                if let id = try fileEntity(input.check.path, sha: input.check.currentSHA) { objects.append(.object([("@id", .string(id))])) }
            }
            for (k, p) in e.parameters.enumerated() {
                let pid = "#\(e.id)-param-\(k)-\(p.name)"
                var m: [(String, JSONValue)] = [("@id", .string(pid)), ("@type", .string("PropertyValue")), ("name", .string(p.name)),
                                                ("value", .string(p.value))]
                if !p.unit.isEmpty { m.append(("unitText", .string(p.unit))) }
                graph.append(.object(m))
                objects.append(.object([("@id", .string(pid))]))
            }
            var results: [JSONValue] = []
            for o in e.outputs {
                if let id = try fileEntity(o.path, sha: o.currentSHA) { results.append(.object([("@id", .string(id))])) }
            }
            var state = e.decision == .fresh ? "fresh" : "stale: " + e.reasons.map(\.description).joined(separator: "; ")
            if e.decision == .fresh && !e.allVerified { state = "a file does not match its recorded SHA-256" }
            var action: [(String, JSONValue)] = [
                ("@id", .string("#run-" + e.id)), ("@type", .string("CreateAction")),
                ("name", .string("stage \(e.id) (\(e.kind))")),
                ("description", .string("state when packaged: \(state); code \(e.commit)\(e.dirty ? " with uncommitted changes" : ""); host \(e.host); executor \(e.executor)")),
                ("instrument", .object([("@id", .string(kindID))])),
                ("object", .array(objects)), ("result", .array(results)),
                ("actionStatus", .object([("@id", .string(status(e)))])),
            ]
            if let s = e.start { action.append(("startTime", .string(s))); starts.append(s) }
            if let t = e.end { action.append(("endTime", .string(t))); ends.append(t) }
            action.append(("agent", .object([("@id", .string("#agent"))])))
            graph.append(.object(action))
            actions.append(.object([("@id", .string("#run-" + e.id))]))
        }
        // The run of the workflow as a whole.
        var run: [(String, JSONValue)] = [
            ("@id", .string("#run")), ("@type", .string("CreateAction")), ("name", .string("tlspipe run of \(specName)")),
            ("instrument", .object([("@id", .string(specName))])),
            ("result", .array(Array(Set(fileIDs.values)).sorted().map { .object([("@id", .string($0))]) })),
            ("agent", .object([("@id", .string("#agent"))])),
        ]
        if let s = starts.min() { run.append(("startTime", .string(s))) }
        if let t = ends.max() { run.append(("endTime", .string(t))) }
        graph.append(.object(run))
        graph.append(.object([
            ("@id", .string("#agent")), ("@type", .string("Person")),
            ("name", .string(ProcessInfo.processInfo.environment["USER"] ?? "the user who ran tlspipe")),
        ]))
        for p in profiles {
            graph.append(.object([("@id", .string(p.id)), ("@type", .string("CreativeWork")), ("name", .string(p.name)), ("version", .string(p.version))]))
        }
        graph.append(.object([("@id", .string("https://spdx.org/licenses/CC-BY-4.0")), ("@type", .string("CreativeWork")),
                              ("name", .string("Creative Commons Attribution 4.0 International"))]))
        let formatter = ISO8601DateFormatter()
        let root: JSONValue = .object([
            ("@id", .string("./")), ("@type", .string("Dataset")),
            ("name", .string(options.figure.map { "\(driver.pipeline.name): figure \($0) and its provenance" } ?? "\(driver.pipeline.name): every artifact and figure with its provenance")),
            ("description", .string("Artifacts and figures of the tlspipe spec \(specName) with a record of every stage run that made them."
                                    + (unverified.isEmpty ? "" : " Not fresh or not verified when packaged: " + unverified.joined(separator: ", ") + "."))),
            ("datePublished", .string(formatter.string(from: Date()))),
            ("license", .object([("@id", .string("https://spdx.org/licenses/CC-BY-4.0"))])),
            ("conformsTo", .array(profiles.map { .object([("@id", .string($0.id))]) })),
            ("mainEntity", .object([("@id", .string(specName))])),
            ("hasPart", .array(parts)),
            ("mentions", .array([.object([("@id", .string("#run"))])] + actions)),
        ])
        let descriptor: JSONValue = .object([
            ("@id", .string("ro-crate-metadata.json")), ("@type", .string("CreativeWork")),
            ("conformsTo", .object([("@id", .string("https://w3id.org/ro/crate/1.1"))])),
            ("about", .object([("@id", .string("./"))])),
        ])
        let crate: JSONValue = .object([
            // The 1.1 context maps ComputationalWorkflow to bioschemas.org/ComputationalWorkflow; say so
            // explicitly, since later contexts moved the term (bioschemas.org/terms/…).
            ("@context", .array([.string("https://w3id.org/ro/crate/1.1/context"),
                                 .object([("ComputationalWorkflow", .string("https://bioschemas.org/ComputationalWorkflow"))])])),
            ("@graph", .array([descriptor, root] + graph)),
        ])
        let metadata = dir + "/ro-crate-metadata.json"
        try Data((crate.pretty + "\n").utf8).write(to: URL(fileURLWithPath: metadata))
        return Written(metadata: metadata, files: copied, unverified: unverified)
    }

    /// Completed when fresh and verified, failed when its files do not match, potential when never built.
    static func status(_ e: StageEvidence) -> String {
        if e.provenance == nil { return "http://schema.org/PotentialActionStatus" }
        return e.decision == .fresh && e.allVerified ? "http://schema.org/CompletedActionStatus" : "http://schema.org/FailedActionStatus"
    }

    static func format(of name: String) -> String {
        if name.hasSuffix(".h5") { return "application/x-hdf5" }
        if name.hasSuffix(".pdf") { return "application/pdf" }
        if name.hasSuffix(".png") { return "image/png" }
        if name.hasSuffix(".json") { return "application/json" }
        return "text/plain"
    }
}
