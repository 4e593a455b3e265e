/// Per-instance parameters of a swept stage: `"overrides": {"omega0=0.05": {"random_vectors": 12}}`
/// gives that one instance other settings while its id (and every reference to it) stays the
/// same. Keys are instance suffixes as `tlspipe status` prints them after the `@` ("omega0=0.05";
/// "value=2" also finds "value=2.0").
extension SpecLoader {
    static func overrides(_ json: JSONValue?, at path: String, id: String, suffixes: [String],
                          parameters: [String: ParameterSpec], swept: Set<String>,
                          fail: (String, String) -> SpecError) throws -> [String: [(String, JSONValue)]] {
        guard let json else { return [:] }
        guard !suffixes.isEmpty else {
            throw fail(path, "only a swept stage has instances to override: set the parameter in params")
        }
        guard let members = json.objectMembers else {
            throw fail(path, "expected an object mapping an instance suffix (e.g. \"\(suffixes[0])\") to parameters")
        }
        var result: [String: [(String, JSONValue)]] = [:]
        for (key, value) in members {
            let keyPath = "\(path)[\"\(key)\"]"
            guard suffixes.contains(key) || suffixes.contains(canonical(key, parameters)) else {
                throw fail(keyPath, "no instance '\(id)@\(key)' (its instances: \(suffixes.map { "'\($0)'" }.joined(separator: ", ")))")
            }
            guard let given = value.objectMembers, !given.isEmpty else { throw fail(keyPath, "expected a non-empty object of parameters") }
            var own: [(String, JSONValue)] = []
            for (name, raw) in given {
                guard let spec = parameters[name] else {
                    throw fail("\(keyPath).\(name)", "unknown parameter\(Suggest.phrase(name, among: Array(parameters.keys)))")
                }
                if swept.contains(name) { throw fail("\(keyPath).\(name)", "is swept: this instance's value comes from the sweep") }
                switch spec.normalise(raw) {
                case .success(let n): own.append((name, n))
                case .failure(let p): throw fail(p.index.map { "\(keyPath).\(name)[\($0)]" } ?? "\(keyPath).\(name)", p.message)
                }
            }
            result[suffixes.contains(key) ? key : canonical(key, parameters)] = own
        }
        return result
    }

    /// "value=2" as the sweep writes it ("value=2.0"): each value normalised by its parameter.
    private static func canonical(_ key: String, _ parameters: [String: ParameterSpec]) -> String {
        key.split(separator: ",", omittingEmptySubsequences: false).map { part -> String in
            guard let eq = part.firstIndex(of: "="), let spec = parameters[String(part[..<eq])],
                  let raw = try? JSONValue.parse(String(part[part.index(after: eq)...])),
                  case .success(let n) = spec.normalise(raw) else { return String(part) }
            return "\(part[..<eq])=\(n.canonical)"
        }.joined(separator: ",")
    }
}
