/// One stage instance built from the command line (`tlspipe compute KIND name=value …`),
/// validated exactly like a spec stage; errors name the argument.
public struct AdHocStage: Sendable {
    public let registry: StageRegistry
    public let memoryLimit: Double
    public init(registry: StageRegistry, memoryLimit: Double = SpecLoader.defaultMemoryLimit) {
        self.registry = registry
        self.memoryLimit = memoryLimit
    }

    public func instance(kind kindName: String, id: String, assignments: [String],
                         inputs: [String]) throws -> (StageInstance, [(slot: String, path: String)]) {
        let where_ = "command line"
        guard let kind = registry[kindName] else {
            throw SpecError(file: where_, path: "KIND", message: "unknown stage kind '\(kindName)'\(Suggest.phrase(kindName, among: registry.names)) (known: \(registry.names.joined(separator: ", ")))")
        }
        var spec: [(String, JSONValue)] = []
        for a in assignments {
            guard let eq = a.firstIndex(of: "=") else {
                throw SpecError(file: where_, path: a, message: "expected name=value")
            }
            let name = String(a[..<eq]), text = String(a[a.index(after: eq)...])
            guard let p = kind.parameters.first(where: { $0.name == name }) else {
                throw SpecError(file: where_, path: "params.\(name)", message: "unknown parameter for kind '\(kindName)'\(Suggest.phrase(name, among: kind.parameters.map(\.name))) (known: \(kind.parameters.map(\.name).sorted().joined(separator: ", ")))")
            }
            if spec.contains(where: { $0.0 == name }) { throw SpecError(file: where_, path: "params.\(name)", message: "given twice") }
            spec.append((name, Self.parseValue(text, for: p.type)))
        }
        var files: [(slot: String, path: String)] = []
        for i in inputs {
            guard let eq = i.firstIndex(of: "="), eq != i.startIndex, i.index(after: eq) != i.endIndex else {
                throw SpecError(file: where_, path: "--input \(i)", message: "expected name=FILE")
            }
            files.append((String(i[..<eq]), String(i[i.index(after: eq)...])))
        }
        // Inputs become references to pseudo-stages standing for their files.
        var grouped: [(String, [Int])] = []
        for (k, f) in files.enumerated() {
            if let g = grouped.firstIndex(where: { $0.0 == f.slot }) { grouped[g].1.append(k) } else { grouped.append((f.slot, [k])) }
        }
        let slots: [(String, JSONValue)] = grouped.map { slot, ks in
            (slot, ks.count == 1 ? .string("file:\(ks[0])") : .array(ks.map { .string("file:\($0)") }))
        }
        var stages: [JSONValue] = files.indices.map { k in
            .object([("id", .string("file:\(k)")), ("kind", .string(AdHocFileKind.kindName))])
        }
        stages.append(.object([("id", .string(id)), ("kind", .string(kindName)), ("params", .object(spec)),
                               ("inputs", .object(slots))]))
        var reg = registry
        reg.register(AdHocFileKind())
        do {
            let pipeline = try SpecLoader(registry: reg, memoryLimit: memoryLimit)
                .parse(.object([("name", .string("compute")), ("stages", .array(stages))]), file: where_)
            guard let inst = pipeline.instance(id) else { throw SpecError(file: where_, path: "", message: "no stage built") }
            return (inst, files)
        } catch let e as SpecError {
            // Point at the argument, not at the synthetic spec.
            var path = e.path.replacingOccurrences(of: "stages[\(stages.count - 1)].", with: "")
            if path == "stages[\(stages.count - 1)]" || path == "id" { path = "--output" }
            throw SpecError(file: where_, path: path, message: e.message)
        }
    }

    /// Command-line text to JSON guided by the parameter's type: lists are comma-separated.
    static func parseValue(_ text: String, for type: ParameterType) -> JSONValue {
        switch type {
        case .doubles:
            return .array(text.split(separator: ",", omittingEmptySubsequences: false).map { s in
                Double(s.trimmingCharacters(in: .whitespaces)).map { JSONValue.double($0) } ?? .string(String(s))
            })
        case .int, .double:
            if let i = Int(text) { return .int(i) }
            return Double(text).map { .double($0) } ?? .string(text)
        case .bool:
            return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        case .string:
            return .string(text)
        case .object:
            // JSON text on the command line: omega0_distribution='{"type": "uniform", "min": 0.1, "max": 1}'.
            return (try? JSONValue.parse(text)) ?? .string(text)
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
