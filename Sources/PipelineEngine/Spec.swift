import Foundation

/// A problem with a spec, located by file and JSON path (`stages[3].params.omega0`).
public struct SpecError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let path: String
    public let message: String
    /// Further independent problems found in the same pass (`validate` reports them all).
    public var others: [SpecError] = []
    public var line: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)" }
    public var description: String { ([line] + others.map(\.line)).joined(separator: "\n") }

    public init(file: String, path: String, message: String) { self.file = file; self.path = path; self.message = message }

    /// The first of `errors`, carrying the rest.
    static func combined(_ errors: [SpecError]) -> SpecError {
        var first = errors[0]
        first.others = Array(errors.dropFirst())
        return first
    }
}

/// Stops work on a stage that refers to a stage which already failed validation (its own error
/// is reported; this one would only repeat it).
private struct SkipDependent: Error {}

/// One stage instance after defaults, sweeps and input references have been resolved.
public struct StageInstance: Sendable {
    public let id: String
    public let kind: String
    public let params: Params
    /// Input slot → instance ids feeding it, in spec order.
    public let inputs: [(String, [String])]
    /// Index of the stage in the spec's `stages` list (for error paths).
    public let specIndex: Int
    public let templateID: String
    public let sweepValues: [(String, JSONValue)]
    /// The parameters that enter the stage key (execution-only ones left out).
    public let resultParams: Params

    public init(id: String, kind: String, params: Params, inputs: [(String, [String])], specIndex: Int,
                templateID: String, sweepValues: [(String, JSONValue)], executionOnly: Set<String>) {
        self.id = id; self.kind = kind; self.params = params; self.inputs = inputs; self.specIndex = specIndex
        self.templateID = templateID; self.sweepValues = sweepValues
        resultParams = Params(params.values.filter { !executionOnly.contains($0.0) })
    }

    public var dependencies: [String] { inputs.flatMap { $0.1 } }

    /// Its lineage: the lineages of its single-artifact inputs (slot order, the first slot that
    /// names a parameter wins), overlaid with its own result parameters. `input(slot, id)` gives an
    /// input's lineage (from the spec when validating, from the input's record when running).
    public func lineage(_ input: (String, String) -> Params?) -> Params {
        var merged: [(String, JSONValue)] = []
        for (slot, ids) in inputs where ids.count == 1 {
            for (k, v) in input(slot, ids[0])?.values ?? [] where !merged.contains(where: { $0.0 == k }) { merged.append((k, v)) }
        }
        for (k, v) in resultParams.values {
            merged.removeAll { $0.0 == k }
            merged.append((k, v))
        }
        return Params(merged)
    }
}

/// A validated pipeline: every instance, in an order where inputs come first.
public struct Pipeline: Sendable {
    public let file: String
    public let name: String
    public let description: String
    public let instances: [StageInstance]
    /// Name and SHA-256 of the spec file (nil for a spec built in memory).
    public let identity: SpecIdentity?
    private let index: [String: Int]

    public init(file: String, name: String, description: String, instances: [StageInstance], identity: SpecIdentity?) {
        self.file = file; self.name = name; self.description = description; self.instances = instances
        self.identity = identity
        var index: [String: Int] = [:]
        for (k, inst) in instances.enumerated() { index[inst.id] = k }
        self.index = index
    }

    public func instance(_ id: String) -> StageInstance? { index[id].map { instances[$0] } }

    /// Instances that (transitively) consume `id`.
    public func dependents(of id: String) -> Set<String> {
        var out = Set<String>()
        var frontier = [id]
        while let cur = frontier.popLast() {
            for inst in instances where inst.dependencies.contains(cur) && !out.contains(inst.id) {
                out.insert(inst.id)
                frontier.append(inst.id)
            }
        }
        return out
    }

    /// `id` and everything it needs.
    public func ancestors(of id: String) -> Set<String> {
        var out: Set<String> = [id]
        var frontier = [id]
        while let cur = frontier.popLast() {
            for dep in instance(cur)?.dependencies ?? [] where !out.contains(dep) {
                out.insert(dep)
                frontier.append(dep)
            }
        }
        return out
    }
}

/// Reads and validates a pipeline spec. Every error names the file and the JSON path.
public struct SpecLoader: Sendable {
    public let registry: StageRegistry
    /// The most memory one stage may imply (bytes); a spec asking for more is refused.
    public let memoryLimit: Double
    public init(registry: StageRegistry, memoryLimit: Double = SpecLoader.defaultMemoryLimit) {
        self.registry = registry
        self.memoryLimit = memoryLimit
    }

    /// The machine's memory, or TLSPIPE_MEMORY_LIMIT (bytes, or with a K/M/G/T suffix).
    public static var defaultMemoryLimit: Double {
        if let text = ProcessInfo.processInfo.environment["TLSPIPE_MEMORY_LIMIT"], let v = parseBytes(text) { return v }
        return Double(ProcessInfo.processInfo.physicalMemory)
    }

    /// "24G", "512M", "1e9" → bytes; nil if not a positive size.
    public static func parseBytes(_ text: String) -> Double? {
        let units: [Character: Double] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        var factor = 1.0
        if let last = t.last, let f = units[last] { factor = f; t.removeLast() }
        guard let v = Double(t), v.isFinite, v > 0 else { return nil }
        return v * factor
    }

    /// "1.6 TB"-style size for messages.
    public static func formatBytes(_ b: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = b, k = 0
        while v >= 1024 && k < units.count - 1 { v /= 1024; k += 1 }
        if !v.isFinite { return "an unbounded amount" }
        return k == units.count - 1 && v >= 1024 ? String(format: "%.3g EiB", v) : String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[k])
    }

    public func load(file: String) throws -> Pipeline {
        let data: Data
        do {
            guard let d = try SafeFiles.readRegular(file, limit: 16 << 20) else {
                throw SpecError(file: file, path: "", message: "no such file")
            }
            data = d
        } catch let e as StageError {
            throw SpecError(file: file, path: "", message: e.description.replacingOccurrences(of: file + " ", with: "").replacingOccurrences(of: "cannot read \(file): ", with: "cannot read: "))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError(file: file, path: "", message: "not UTF-8 text")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch let e as JSONParseError {
            throw SpecError(file: file, path: "", message: "invalid JSON at \(e)")
        }
        let p = try parse(json, file: file)
        return Pipeline(file: p.file, name: p.name, description: p.description, instances: p.instances,
                        identity: SpecIdentity(name: p.name, sha256: Hashing.sha256(data: data)))
    }

    /// Stage ids become file names: a safe character set, a bounded length, never `.` or `..`.
    static func idProblem(_ id: String) -> String? {
        if id.isEmpty { return "must not be empty" }
        if id.utf8.count > 100 { return "is \(id.utf8.count) characters long; at most 100" }
        let ok = id.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "-_.".unicodeScalars.contains($0) }
        guard ok else { return "'\(id)' must be ASCII letters, digits, '-', '_' or '.'" }
        guard let first = id.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else {
            return "'\(id)' must start with a letter or digit"
        }
        return nil
    }

    public func parse(_ json: JSONValue, file: String) throws -> Pipeline {
        func fail(_ path: String, _ msg: String) -> SpecError { SpecError(file: file, path: path, message: msg) }
        guard let top = json.objectMembers else { throw fail("", "expected a JSON object at the top level") }
        let allowedTop: Set = ["$schema", "name", "description", "defaults", "stages"]
        for (k, _) in top where !allowedTop.contains(k) {
            throw fail(k, "unknown key (expected one of: \(allowedTop.sorted().joined(separator: ", ")))")
        }
        guard let name = json["name"]?.stringValue, !name.isEmpty else { throw fail("name", "expected a non-empty string") }
        let description = json["description"]?.stringValue ?? ""
        if let d = json["description"], d.stringValue == nil { throw fail("description", "expected a string") }
        var defaults: [(String, JSONValue)] = []
        if let d = json["defaults"] {
            guard let m = d.objectMembers else { throw fail("defaults", "expected an object of parameter values") }
            defaults = m
        }
        guard let stagesJSON = json["stages"] else { throw fail("stages", "required: the list of stages") }
        guard let stages = stagesJSON.arrayValue, !stages.isEmpty else { throw fail("stages", "expected a non-empty list of stages") }

        // Pass 1: templates → instances with parameters.
        var templates: [(id: String, index: Int, sweepNames: [String], instances: [StageInstanceDraft])] = []
        var seenIDs: [String: Int] = [:]
        var usedDefaults = Set<String>()
        // Problems of independent stages are collected, so one `validate` reports them all.
        var errors: [SpecError] = []
        var failedIDs = Set<String>()
        for (index, stage) in stages.enumerated() {
          do {
            let sp = "stages[\(index)]"
            guard let members = stage.objectMembers else { throw fail(sp, "expected an object with id, kind, params") }
            let allowed: Set = ["id", "kind", "params", "inputs", "sweep", "overrides", "description"]
            for (k, _) in members where !allowed.contains(k) {
                throw fail("\(sp).\(k)", "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard let id = stage["id"]?.stringValue else { throw fail("\(sp).id", "required: a string naming the stage") }
            if stage["kind"]?.stringValue != AdHocFileKind.kindName, let problem = Self.idProblem(id) {
                throw fail("\(sp).id", problem)
            }
            if let prev = seenIDs[id] { throw fail("\(sp).id", "duplicate id '\(id)' (also stages[\(prev)])") }
            seenIDs[id] = index
            guard let kindName = stage["kind"]?.stringValue else { throw fail("\(sp).kind", "required: the stage kind") }
            guard let kind = registry[kindName] else {
                throw fail("\(sp).kind", "unknown stage kind '\(kindName)'\(Suggest.phrase(kindName, among: registry.names)) (known: \(registry.names.joined(separator: ", ")))")
            }
            var given: [(String, JSONValue)] = []
            if let p = stage["params"] {
                guard let m = p.objectMembers else { throw fail("\(sp).params", "expected an object") }
                given = m
            }
            let specs = Dictionary(uniqueKeysWithValues: kind.parameters.map { ($0.name, $0) })
            for (k, _) in given where specs[k] == nil {
                throw fail("\(sp).params.\(k)", "unknown parameter for kind '\(kindName)'\(Suggest.phrase(k, among: kind.parameters.map(\.name))) (known: \(kind.parameters.map(\.name).sorted().joined(separator: ", ")))")
            }
            var sweep: [(String, [JSONValue])] = []
            if let s = stage["sweep"] {
                guard let m = s.objectMembers, !m.isEmpty else { throw fail("\(sp).sweep", "expected an object mapping a parameter to a list of values") }
                for (k, v) in m {
                    guard let pspec = specs[k] else {
                        throw fail("\(sp).sweep.\(k)", "unknown parameter for kind '\(kindName)'")
                    }
                    guard let list = v.arrayValue, !list.isEmpty else { throw fail("\(sp).sweep.\(k)", "expected a non-empty list of values") }
                    if given.contains(where: { $0.0 == k }) { throw fail("\(sp).sweep.\(k)", "also set in params: set it in one place") }
                    var normalised: [JSONValue] = []
                    for (j, item) in list.enumerated() {
                        switch pspec.normalise(item) {
                        case .success(let n):
                            if normalised.contains(n) { throw fail("\(sp).sweep.\(k)[\(j)]", "repeated value \(n.canonical)") }
                            normalised.append(n)
                        case .failure(let p): throw fail("\(sp).sweep.\(k)[\(j)]", p.message)
                        }
                    }
                    sweep.append((k, normalised))
                }
            }
            // Fixed parameters: given, else spec defaults, else the kind's default.
            var fixed: [(String, JSONValue)] = []
            for pspec in kind.parameters where !sweep.contains(where: { $0.0 == pspec.name }) {
                let path: String
                let raw: JSONValue
                if let v = given.first(where: { $0.0 == pspec.name })?.1 {
                    raw = v; path = "\(sp).params.\(pspec.name)"
                } else if let v = defaults.first(where: { $0.0 == pspec.name })?.1 {
                    raw = v; path = "defaults.\(pspec.name)"; usedDefaults.insert(pspec.name)
                } else if let v = pspec.defaultValue {
                    if v == .null { continue }
                    raw = v; path = "\(sp).params.\(pspec.name)"
                } else {
                    throw fail("\(sp).params.\(pspec.name)", "required parameter missing (\(pspec.help))")
                }
                switch pspec.normalise(raw) {
                case .success(let n): fixed.append((pspec.name, n))
                case .failure(let p): throw fail(p.index.map { "\(path)[\($0)]" } ?? path, p.message)
                }
            }
            for (k, _) in sweep { usedDefaults.insert(k) }
            // Expand the sweep (cartesian product, in the order written).
            var combos: [[(String, JSONValue)]] = [[]]
            for (k, values) in sweep {
                combos = combos.flatMap { c in values.map { c + [(k, $0)] } }
            }
            func suffix(_ combo: [(String, JSONValue)]) -> String { combo.map { "\($0.0)=\($0.1.canonical)" }.joined(separator: ",") }
            let overrides = try Self.overrides(stage["overrides"], at: "\(sp).overrides", id: id, suffixes: sweep.isEmpty ? [] : combos.map(suffix),
                                               parameters: specs, swept: Set(sweep.map(\.0)), fail: fail)
            var drafts: [StageInstanceDraft] = []
            for combo in combos {
                let iid = combo.isEmpty ? id : id + "@" + suffix(combo)
                if kindName != AdHocFileKind.kindName, let problem = Self.instanceIDProblem(iid) { throw fail("\(sp).sweep", problem) }
                let own = overrides[suffix(combo)] ?? []
                let params = Params(fixed.filter { f in !own.contains(where: { $0.0 == f.0 }) } + own + combo)
                func located(_ pname: String) -> String {
                    combo.contains(where: { $0.0 == pname }) ? "\(sp).sweep.\(pname)"
                        : own.contains(where: { $0.0 == pname }) ? "\(sp).overrides[\"\(suffix(combo))\"].\(pname)"
                        : given.contains(where: { $0.0 == pname }) || !defaults.contains(where: { $0.0 == pname }) ? "\(sp).params.\(pname)" : "defaults.\(pname)"
                }
                for (pname, msg) in kind.validate(params) { throw fail(located(pname), msg) }
                for size in kind.sizes(params) where !(size.bytes <= memoryLimit) {
                    throw fail(located(size.parameter), "implies \(Self.formatBytes(size.bytes)) of memory (\(size.what)), above the limit of \(Self.formatBytes(memoryLimit)) (this machine's memory; raise it with TLSPIPE_MEMORY_LIMIT or --memory-limit, or lower \(size.parameter))")
                }
                drafts.append(StageInstanceDraft(id: iid, kind: kindName, params: params, index: index, sweepValues: combo))
            }
            templates.append((id, index, sweep.map(\.0), drafts))
          } catch let e as SpecError {
            errors.append(e)
            failedIDs.insert(stage["id"]?.stringValue ?? "")
          }
        }
        for (k, _) in defaults where !usedDefaults.contains(k) && !registryUses(k, in: templates.map { $0.instances[0].kind }) && failedIDs.isEmpty {
            errors.append(fail("defaults.\(k)", "no stage in this spec has a parameter '\(k)'"))
        }

        // Pass 1b: a stage that is not swept but takes a swept stage in a single-artifact slot
        // follows that sweep (one instance per upstream instance, same suffix): "map" semantics.
        var changed = true
        var rounds = 0
        while changed && rounds <= templates.count {
            changed = false
            rounds += 1
            for k in templates.indices where templates[k].sweepNames.isEmpty {
                let kind = registry[templates[k].instances[0].kind]!
                guard let inputsJSON = stages[templates[k].index]["inputs"]?.objectMembers else { continue }
                for (slot, v) in inputsJSON {
                    guard let ispec = kind.inputs.first(where: { $0.name == slot }), !ispec.multiple,
                          let ref = v.stringValue, let upstream = templates.first(where: { $0.id == ref }),
                          !upstream.sweepNames.isEmpty else { continue }
                    let base = templates[k].instances[0]
                    templates[k].instances = upstream.instances.map { u in
                        StageInstanceDraft(id: templates[k].id + "@" + u.sweepValues.map { "\($0.0)=\($0.1.canonical)" }.joined(separator: ","),
                                           kind: base.kind, params: base.params, index: base.index, sweepValues: u.sweepValues)
                    }
                    templates[k].sweepNames = upstream.sweepNames
                    changed = true
                    break
                }
            }
        }

        // Pass 2: resolve inputs to instance ids.
        var allIDs = Set<String>()
        for t in templates { for d in t.instances {
            if allIDs.contains(d.id) { throw fail("stages[\(t.index)].id", "instance id '\(d.id)' collides with another stage") }
            allIDs.insert(d.id)
        } }
        // Instances of each template by their sweep values (in the template's sweep order), so that
        // linking a consumer to its matching instance is a lookup, not a scan.
        var templateIndex: [String: Int] = [:]
        var bySweep: [Int: [[String]: [String]]] = [:]
        for (ti, t) in templates.enumerated() {
            templateIndex[t.id] = ti
            guard !t.sweepNames.isEmpty else { continue }
            var m: [[String]: [String]] = [:]
            for inst in t.instances {
                let key = t.sweepNames.map { n in inst.sweepValues.first { $0.0 == n }?.1.canonical ?? "" }
                m[key, default: []].append(inst.id)
            }
            bySweep[ti] = m
        }
        var instances: [StageInstance] = []
        var kindChecks: [(path: String, slot: String, accepts: [String], ids: [String])] = []
        for t in templates {
          do {
            let sp = "stages[\(t.index)]"
            let stage = stages[t.index]
            let kind = registry[t.instances[0].kind]!
            var refs: [(String, [String], String)] = []  // slot, references, path
            if let inp = stage["inputs"] {
                guard let m = inp.objectMembers else { throw fail("\(sp).inputs", "expected an object mapping input names to stage ids") }
                for (slot, v) in m {
                    let path = "\(sp).inputs.\(slot)"
                    guard kind.inputs.contains(where: { $0.name == slot }) else {
                        throw fail(path, "unknown input for kind '\(kind.name)'\(Suggest.phrase(slot, among: kind.inputs.map(\.name))) (known: \(kind.inputs.map(\.name).joined(separator: ", ")))")
                    }
                    if let s = v.stringValue { refs.append((slot, [s], path)) } else if let a = v.arrayValue, !a.isEmpty,
                        a.allSatisfy({ $0.stringValue != nil }) {
                        refs.append((slot, a.map { $0.stringValue! }, path))
                    } else { throw fail(path, "expected a stage id or a non-empty list of stage ids") }
                }
            }
            for ispec in kind.inputs where ispec.required && !refs.contains(where: { $0.0 == ispec.name }) {
                throw fail("\(sp).inputs.\(ispec.name)", "required input missing (\(ispec.help))")
            }
            for draft in t.instances {
                var resolved: [(String, [String])] = []
                for (slot, names, path) in refs {
                    var ids: [String] = []
                    for ref in names {
                        if ref == t.id || draft.id == ref { throw fail(path, "stage '\(t.id)' cannot take itself as input (cycle)") }
                        if let ti = templateIndex[ref] {
                            let target = templates[ti]
                            // A sweep feeding a stage swept over the same values links instance to instance;
                            // otherwise the consumer aggregates every instance.
                            let linked = !target.sweepNames.isEmpty && target.sweepNames.allSatisfy { n in draft.sweepValues.contains { $0.0 == n } }
                            if linked {
                                let wanted = target.sweepNames.map { n in draft.sweepValues.first { $0.0 == n }!.1.canonical }
                                ids += bySweep[ti]?[wanted] ?? []
                            } else {
                                ids += target.instances.map(\.id)
                            }
                        } else if allIDs.contains(ref) {
                            ids.append(ref)
                        } else if failedIDs.contains(ref) {
                            throw SkipDependent()
                        } else {
                            throw fail(path, "no stage with id '\(ref)'\(Suggest.phrase(ref, among: templates.map(\.id)))")
                        }
                    }
                    guard let ispec = kind.inputs.first(where: { $0.name == slot }) else { continue }
                    if let accepts = ispec.accepts { kindChecks.append((path, slot, accepts, ids)) }
                    if !ispec.multiple && ids.count != 1 {
                        throw fail(path, "input '\(slot)' takes one artifact, but this resolves to \(ids.count) (\(ids.joined(separator: ", ")))")
                    }
                    resolved.append((slot, ids))
                }
                instances.append(StageInstance(id: draft.id, kind: draft.kind, params: draft.params, inputs: resolved,
                                               specIndex: draft.index, templateID: t.id, sweepValues: draft.sweepValues,
                                               executionOnly: Set(kind.parameters.filter { !$0.affectsResults }.map(\.name))))
            }
          } catch let e as SpecError {
            errors.append(e)
          } catch {
            continue  // SkipDependent: the stage it needs has its own error
          }
        }
        if !errors.isEmpty { throw SpecError.combined(errors) }
        // Two instances must never write the same file (they would rebuild each other forever).
        var writers: [String: String] = [:]
        for inst in instances where inst.kind != AdHocFileKind.kindName {
            for out in registry[inst.kind]!.outputs(id: inst.id, params: inst.params) {
                let name = "\(out.folder.rawValue)/\(out.name)"
                if let other = writers[name], other != inst.id {
                    throw fail("stages[\(inst.specIndex)]", "stage '\(inst.id)' writes \(name), as does stage '\(other)': give one of them another name")
                }
                writers[name] = inst.id
            }
        }
        let ordered = try topologicalOrder(instances, file: file)
        // What each kind needs of its inputs, from the spec's lineage (no artifact needed).
        var lineage: [String: Params] = [:]
        let kindByID = Dictionary(ordered.map { ($0.id, $0.kind) }, uniquingKeysWith: { a, _ in a })
        for inst in ordered {
            lineage[inst.id] = inst.lineage { _, id in lineage[id] }
            guard let kind = registry[inst.kind], inst.kind != AdHocFileKind.kindName else { continue }
            var facts: [String: [InputFacts]] = [:]
            for (slot, ids) in inst.inputs {
                facts[slot] = ids.map { InputFacts(stage: $0, kind: kindByID[$0] ?? "", lineage: lineage[$0] ?? Params([])) }
            }
            for (name, msg) in kind.validate(inst.params, inputs: facts) {
                let at = name.hasPrefix("inputs.") ? "stages[\(inst.specIndex)].\(name)" : "stages[\(inst.specIndex)].params.\(name)"
                errors.append(fail(at, "\(inst.id): \(msg)"))
            }
        }
        if !errors.isEmpty { throw SpecError.combined(errors) }
        // Input kinds, once the graph is known to be acyclic (a cycle is the clearer message).
        let kindOf = Dictionary(instances.map { ($0.id, $0.kind) }, uniquingKeysWith: { a, _ in a })
        for check in kindChecks {
            for ref in check.ids {
                let upKind = kindOf[ref] ?? ""
                if upKind != AdHocFileKind.kindName && !check.accepts.contains(upKind) {
                    throw fail(check.path, "input '\(check.slot)' takes \(check.accepts.joined(separator: ", ")) artifacts, but stage '\(ref)' is a \(upKind) stage")
                }
            }
        }
        return Pipeline(file: file, name: name, description: description, instances: ordered, identity: nil)
    }

    /// An instance id (stage id plus its sweep suffix) must stay a safe file name.
    static func instanceIDProblem(_ id: String) -> String? {
        if id.utf8.count > 200 { return "instance id '\(id.prefix(60))…' is \(id.utf8.count) characters long (at most 200): sweep over shorter values" }
        if id.contains("/") || id.contains("\0") || id.hasPrefix(".") {
            return "instance id '\(id)' is not a safe file name: sweep values must not contain '/'"
        }
        return nil
    }

    private func registryUses(_ param: String, in kinds: [String]) -> Bool {
        kinds.contains { registry[$0]?.parameters.contains { $0.name == param } ?? false }
    }

    /// Kahn's algorithm, stable in spec order; a cycle is reported with its path.
    func topologicalOrder(_ instances: [StageInstance], file: String) throws -> [StageInstance] {
        var remaining = instances
        var done = Set<String>()
        var out: [StageInstance] = []
        while !remaining.isEmpty {
            guard let k = remaining.firstIndex(where: { $0.dependencies.allSatisfy(done.contains) }) else {
                // Follow dependencies inside the remainder until a stage repeats.
                var chain: [String] = []
                var cur = remaining[0]
                while !chain.contains(cur.id) {
                    chain.append(cur.id)
                    let next = cur.dependencies.first { d in remaining.contains { $0.id == d } }!
                    cur = remaining.first { $0.id == next }!
                }
                let cycle = chain[chain.firstIndex(of: cur.id)!...] + [cur.id]
                let slot = cur.inputs.first { $0.1.contains { d in remaining.contains { $0.id == d } } }?.0 ?? ""
                throw SpecError(file: file, path: "stages[\(cur.specIndex)].inputs.\(slot)",
                                message: "cycle: \(cycle.joined(separator: " → "))")
            }
            let next = remaining.remove(at: k)
            done.insert(next.id)
            out.append(next)
        }
        return out
    }
}

struct StageInstanceDraft {
    let id: String
    let kind: String
    let params: Params
    let index: Int
    let sweepValues: [(String, JSONValue)]
}
