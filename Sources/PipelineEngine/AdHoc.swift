/// One stage instance built from the command line (`tlspipe compute KIND name=value …`),
/// validated exactly like a spec stage; errors name the argument.
public struct AdHocStage: Sendable {
    public let registry: StageRegistry
    public init(registry: StageRegistry) { self.registry = registry }

    public func instance(kind kindName: String, id: String, assignments: [String],
                         inputs: [String]) throws -> (StageInstance, [(slot: String, path: String)]) {
        let where_ = "command line"
        guard let kind = registry[kindName] else {
            throw SpecError(file: where_, path: "KIND", message: "unknown stage kind '\(kindName)' (known: \(registry.names.joined(separator: ", ")))")
        }
        var spec: [(String, JSONValue)] = []
        for a in assignments {
            guard let eq = a.firstIndex(of: "=") else {
                throw SpecError(file: where_, path: a, message: "expected name=value")
            }
            let name = String(a[..<eq]), text = String(a[a.index(after: eq)...])
            guard let p = kind.parameters.first(where: { $0.name == name }) else {
                throw SpecError(file: where_, path: "params.\(name)", message: "unknown parameter for kind '\(kindName)' (known: \(kind.parameters.map(\.name).sorted().joined(separator: ", ")))")
            }
            spec.append((name, Self.parseValue(text, for: p.type)))
        }
        var slots: [(String, JSONValue)] = []
        var files: [(slot: String, path: String)] = []
        for i in inputs {
            guard let eq = i.firstIndex(of: "=") else {
                throw SpecError(file: where_, path: "--input \(i)", message: "expected name=FILE")
            }
            let slot = String(i[..<eq])
            files.append((slot, String(i[i.index(after: eq)...])))
        }
        // Inputs become references to pseudo-stages named after their files.
        var grouped: [String: [String]] = [:]
        for f in files { grouped[f.slot, default: []].append(f.path) }
        for (slot, paths) in grouped.sorted(by: { $0.key < $1.key }) {
            slots.append((slot, paths.count == 1 ? .string("file:" + paths[0]) : .array(paths.map { .string("file:" + $0) })))
        }
        var stages: [JSONValue] = []
        for f in files {
            stages.append(.object([("id", .string("file:" + f.path)), ("kind", .string(AdHocFileKind.kindName))]))
        }
        stages.append(.object([("id", .string(id)), ("kind", .string(kindName)), ("params", .object(spec)),
                               ("inputs", .object(slots))]))
        var reg = registry
        if reg[AdHocFileKind.kindName] == nil { reg.register(AdHocFileKind()) }
        do {
            let pipeline = try SpecLoader(registry: reg).parse(.object([("name", .string("compute")), ("stages", .array(stages))]),
                                                               file: where_)
            return (pipeline.instance(id)!, files)
        } catch let e as SpecError {
            // Point at the argument, not at the synthetic spec.
            let path = e.path.replacingOccurrences(of: "stages[\(stages.count - 1)].", with: "")
            throw SpecError(file: where_, path: path, message: e.message)
        }
    }

    /// Command-line text to JSON guided by the parameter's type: lists are comma-separated.
    static func parseValue(_ text: String, for type: ParameterType) -> JSONValue {
        switch type {
        case .doubles:
            return .array(text.split(separator: ",").map { s in
                Double(s.trimmingCharacters(in: .whitespaces)).map { JSONValue.double($0) } ?? .string(String(s))
            })
        case .int, .double:
            if let i = Int(text) { return .int(i) }
            return Double(text).map { .double($0) } ?? .string(text)
        case .bool:
            return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        case .string:
            return .string(text)
        }
    }
}

/// A pseudo-kind standing for an existing file given with `--input` (valid in no spec).
struct AdHocFileKind: StageKind {
    static let kindName = "(file)"
    let name = kindName
    let version = 0
    let summary = "an existing artifact given on the command line"
    let parameters: [ParameterSpec] = []
    let inputs: [InputSpec] = []
    func run(_ context: StageContext) throws -> StageReport { StageReport() }
    func stamp(outputPaths: [String], provenance: JSONValue) throws {}
}
