import Foundation

/// A problem with a spec, located by file and JSON path (`stages[3].params.omega0`).
public struct SpecError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let path: String
    public let message: String
    public var description: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)" }
}

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

    public var dependencies: [String] { inputs.flatMap { $0.1 } }
}

/// A validated pipeline: every instance, in an order where inputs come first.
public struct Pipeline: Sendable {
    public let file: String
    public let name: String
    public let description: String
    public let instances: [StageInstance]

    public func instance(_ id: String) -> StageInstance? { instances.first { $0.id == id } }

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
    public init(registry: StageRegistry) { self.registry = registry }

    public func load(file: String) throws -> Pipeline {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SpecError(file: file, path: "", message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError(file: file, path: "", message: "not UTF-8 text")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch let e as JSONParseError {
            throw SpecError(file: file, path: "", message: "invalid JSON at \(e)")
        }
        return try parse(json, file: file)
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
        for (index, stage) in stages.enumerated() {
            let sp = "stages[\(index)]"
            guard let members = stage.objectMembers else { throw fail(sp, "expected an object with id, kind, params") }
            let allowed: Set = ["id", "kind", "params", "inputs", "sweep", "description"]
            for (k, _) in members where !allowed.contains(k) {
                throw fail("\(sp).\(k)", "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard let id = stage["id"]?.stringValue else { throw fail("\(sp).id", "required: a string naming the stage") }
            guard !id.isEmpty, stage["kind"]?.stringValue == AdHocFileKind.kindName || id.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }) else {
                throw fail("\(sp).id", "'\(id)' must be letters, digits, '-', '_' or '.'")
            }
            if let prev = seenIDs[id] { throw fail("\(sp).id", "duplicate id '\(id)' (also stages[\(prev)])") }
            seenIDs[id] = index
            guard let kindName = stage["kind"]?.stringValue else { throw fail("\(sp).kind", "required: the stage kind") }
            guard let kind = registry[kindName] else {
                throw fail("\(sp).kind", "unknown stage kind '\(kindName)' (known: \(registry.names.joined(separator: ", ")))")
            }
            var given: [(String, JSONValue)] = []
            if let p = stage["params"] {
                guard let m = p.objectMembers else { throw fail("\(sp).params", "expected an object") }
                given = m
            }
            let specs = Dictionary(uniqueKeysWithValues: kind.parameters.map { ($0.name, $0) })
            for (k, _) in given where specs[k] == nil {
                throw fail("\(sp).params.\(k)", "unknown parameter for kind '\(kindName)' (known: \(kind.parameters.map(\.name).sorted().joined(separator: ", ")))")
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
            var drafts: [StageInstanceDraft] = []
            for combo in combos {
                let iid = combo.isEmpty ? id : id + "@" + combo.map { "\($0.0)=\($0.1.canonical)" }.joined(separator: ",")
                let params = Params(fixed + combo)
                for (pname, msg) in kind.validate(params) {
                    let where_ = combo.contains(where: { $0.0 == pname }) ? "\(sp).sweep.\(pname)" : "\(sp).params.\(pname)"
                    throw fail(where_, msg)
                }
                drafts.append(StageInstanceDraft(id: iid, kind: kindName, params: params, index: index, sweepValues: combo))
            }
            templates.append((id, index, sweep.map(\.0), drafts))
        }
        for (k, _) in defaults where !usedDefaults.contains(k) && !registryUses(k, in: templates.map { $0.instances[0].kind }) {
            throw fail("defaults.\(k)", "no stage in this spec has a parameter '\(k)'")
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
        var instances: [StageInstance] = []
        for t in templates {
            let sp = "stages[\(t.index)]"
            let stage = stages[t.index]
            let kind = registry[t.instances[0].kind]!
            var refs: [(String, [String], String)] = []  // slot, references, path
            if let inp = stage["inputs"] {
                guard let m = inp.objectMembers else { throw fail("\(sp).inputs", "expected an object mapping input names to stage ids") }
                for (slot, v) in m {
                    let path = "\(sp).inputs.\(slot)"
                    guard kind.inputs.contains(where: { $0.name == slot }) else {
                        throw fail(path, "unknown input for kind '\(kind.name)' (known: \(kind.inputs.map(\.name).joined(separator: ", ")))")
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
                        if let target = templates.first(where: { $0.id == ref }) {
                            // A sweep feeding a stage swept over the same values links instance to instance;
                            // otherwise the consumer aggregates every instance.
                            let matching = target.instances.filter { ti in
                                ti.sweepValues.allSatisfy { (k, v) in draft.sweepValues.contains { $0.0 == k && $0.1 == v } }
                            }
                            let linked = !target.sweepNames.isEmpty && target.sweepNames.allSatisfy { n in draft.sweepValues.contains { $0.0 == n } }
                            ids += linked ? matching.map(\.id) : target.instances.map(\.id)
                        } else if allIDs.contains(ref) {
                            ids.append(ref)
                        } else {
                            throw fail(path, "no stage with id '\(ref)'")
                        }
                    }
                    let ispec = kind.inputs.first { $0.name == slot }!
                    if !ispec.multiple && ids.count != 1 {
                        throw fail(path, "input '\(slot)' takes one artifact, but this resolves to \(ids.count) (\(ids.joined(separator: ", ")))")
                    }
                    resolved.append((slot, ids))
                }
                instances.append(StageInstance(id: draft.id, kind: draft.kind, params: draft.params, inputs: resolved,
                                               specIndex: draft.index, templateID: t.id, sweepValues: draft.sweepValues))
            }
        }
        let ordered = try topologicalOrder(instances, file: file)
        return Pipeline(file: file, name: name, description: description, instances: ordered)
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
