/// The type and allowed range of one stage parameter, declared by its stage kind.
public enum ParameterType: Sendable {
    case int(min: Int? = nil, max: Int? = nil)
    /// A real number; `exclusiveMin` rejects the bound itself (e.g. "must be > 0").
    case double(min: Double? = nil, max: Double? = nil, exclusiveMin: Bool = false)
    /// A list of reals. `ordered`: the list's order is the order of the outputs (rows of
    /// [temperature, ω] arrays), so reordering is a change that reruns; otherwise the list is
    /// sorted into canonical form and reordering it changes nothing.
    case doubles(min: Double? = nil, exclusiveMin: Bool = false, nonEmpty: Bool = true, ordered: Bool = true)
    case string(allowed: [String]? = nil)
    case bool
    /// A JSON object with named members, each of its own type (`required` ones must be there;
    /// no others are allowed), e.g. a distribution {"type": "log-uniform", "min": 0.01, "max": 1}.
    /// What the members mean together is the kind's to check (`StageKind.validate`).
    indirect case object(members: [(String, ParameterType)], required: [String])
}

extension ParameterType {
    /// "integer ≥ 2, ≤ 20", "number > 0", "one of periodic, open", … for help texts.
    public var rangeText: String? {
        func num(_ d: Double) -> String { JSONValue.format(d) }
        switch self {
        case let .int(lo, hi):
            let parts = [lo.map { "≥ \($0)" }, hi.map { "≤ \($0)" }].compactMap { $0 }
            return "integer" + (parts.isEmpty ? "" : " " + parts.joined(separator: ", "))
        case let .double(lo, hi, ex):
            let parts = [lo.map { (ex ? "> " : "≥ ") + num($0) }, hi.map { "≤ " + num($0) }].compactMap { $0 }
            return "number" + (parts.isEmpty ? "" : " " + parts.joined(separator: ", "))
        case let .doubles(lo, ex, _, ordered):
            return "list of numbers" + (lo.map { " each " + (ex ? "> " : "≥ ") + num($0) } ?? "")
                + (ordered ? ", in the outputs' order (reordering reruns)" : ", order ignored")
        case let .string(allowed): return allowed.map { "one of " + $0.joined(separator: ", ") }
        case .bool: return "true or false"
        case let .object(members, required):
            return "object with " + members.map { required.contains($0.0) ? $0.0 : $0.0 + " (optional)" }.joined(separator: ", ")
        }
    }
}

/// One parameter of a stage kind: its name (as in the paper), type, default and meaning.
public struct ParameterSpec: Sendable {
    public let name: String
    public let type: ParameterType
    /// `nil` means required.
    public let defaultValue: JSONValue?
    public let help: String
    /// Unit of the value (t, 1/t, …), empty for pure numbers and words.
    public let unit: String
    /// False for execution details (how the work is split): kept out of the stage key, so
    /// changing them reruns nothing; recorded in provenance all the same.
    public let affectsResults: Bool

    public init(_ name: String, _ type: ParameterType, default defaultValue: JSONValue? = nil, unit: String = "",
                affectsResults: Bool = true, help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.unit = unit
        self.affectsResults = affectsResults
    }

    /// Checks a value and returns it in canonical form (ints as ints, reals as reals),
    /// or a message saying what was expected.
    public func normalise(_ value: JSONValue) -> Result<JSONValue, ParameterProblem> {
        switch type {
        case let .int(lo, hi):
            guard let i = value.intValue else { return .failure(.init("expected an integer, got \(value.typeName == "a number" ? value.canonical : value.typeName)")) }
            if let lo, i < lo { return .failure(.init("must be ≥ \(lo), got \(i)")) }
            if let hi, i > hi { return .failure(.init("must be ≤ \(hi), got \(i)")) }
            return .success(.int(i))
        case let .double(lo, hi, exclusive):
            guard let d = value.doubleValue, d.isFinite else { return .failure(.init("expected a finite number, got \(value.typeName == "a number" ? value.canonical : value.typeName)")) }
            if let p = Self.check(d, lo, exclusive) { return .failure(p) }
            if let hi, d > hi { return .failure(.init("must be ≤ \(JSONValue.format(hi)), got \(JSONValue.format(d))")) }
            return .success(.double(d))
        case let .doubles(lo, exclusive, nonEmpty, ordered):
            let items: [JSONValue]
            if let a = value.arrayValue { items = a } else if value.doubleValue != nil { items = [value] } else {
                return .failure(.init("expected a list of numbers, got \(value.typeName)"))
            }
            if nonEmpty && items.isEmpty { return .failure(.init("expected a non-empty list of numbers")) }
            var out: [JSONValue] = []
            for (k, item) in items.enumerated() {
                guard let d = item.doubleValue, d.isFinite else { return .failure(.init("expected a finite number, got \(item.typeName == "a number" ? item.canonical : item.typeName)", index: k)) }
                if let p = Self.check(d, lo, exclusive) { return .failure(.init(p.message, index: k)) }
                out.append(.double(d))
            }
            if !ordered { out.sort { ($0.doubleValue ?? 0) < ($1.doubleValue ?? 0) } }
            return .success(.array(out))
        case let .string(allowed):
            guard let s = value.stringValue else { return .failure(.init("expected a string, got \(value.typeName)")) }
            if let allowed, !allowed.contains(s) {
                return .failure(.init("must be one of \(allowed.joined(separator: ", ")), got '\(s)'"))
            }
            return .success(.string(s))
        case .bool:
            guard let b = value.boolValue else { return .failure(.init("expected true or false, got \(value.typeName)")) }
            return .success(.bool(b))
        case let .object(members, required):
            let names = members.map(\.0)
            guard let given = value.objectMembers else {
                return .failure(.init("expected an object with \(names.joined(separator: ", ")), got \(value.typeName)"))
            }
            var out: [(String, JSONValue)] = []
            for (name, v) in given {
                guard let type = members.first(where: { $0.0 == name })?.1 else {
                    return .failure(.init("unknown member '\(name)'\(Suggest.phrase(name, among: names)); expected \(names.joined(separator: ", "))"))
                }
                switch ParameterSpec(name, type, help: "").normalise(v) {
                case .success(let c): out.append((name, c))
                case .failure(let p): return .failure(.init("\(name): \(p.message)"))
                }
            }
            for r in required where !given.contains(where: { $0.0 == r }) {
                return .failure(.init("missing member '\(r)' (expected \(names.joined(separator: ", ")))"))
            }
            // Canonical: members in name order, so key order in the spec changes nothing.
            return .success(.object(out.sorted { $0.0 < $1.0 }))
        }
    }

    private static func check(_ d: Double, _ lo: Double?, _ exclusive: Bool) -> ParameterProblem? {
        guard let lo else { return nil }
        if exclusive && d <= lo { return .init("must be > \(JSONValue.format(lo)), got \(JSONValue.format(d))") }
        if !exclusive && d < lo { return .init("must be ≥ \(JSONValue.format(lo)), got \(JSONValue.format(d))") }
        return nil
    }
}

/// Why a parameter value was rejected; `index` points into a list value.
public struct ParameterProblem: Error, Sendable {
    public let message: String
    public let index: Int?
    public init(_ message: String, index: Int? = nil) { self.message = message; self.index = index }
}

/// A stage's validated parameters in canonical form, with typed accessors.
/// Accessors trap only on programming errors: validation already checked every value.
public struct Params: Sendable, Equatable {
    public let values: [(String, JSONValue)]

    public init(_ values: [(String, JSONValue)]) {
        self.values = values.sorted { $0.0 < $1.0 }
    }

    public static func == (a: Params, b: Params) -> Bool { JSONValue.object(a.values) == JSONValue.object(b.values) }

    public var json: JSONValue { .object(values) }
    public subscript(name: String) -> JSONValue? { values.first { $0.0 == name }?.1 }

    public func int(_ name: String) -> Int { self[name]!.intValue! }
    public func double(_ name: String) -> Double { self[name]!.doubleValue! }
    public func doubles(_ name: String) -> [Double] { self[name]!.arrayValue!.map { $0.doubleValue! } }
    public func string(_ name: String) -> String { self[name]!.stringValue! }
    public func bool(_ name: String) -> Bool { self[name]!.boolValue! }
    public func has(_ name: String) -> Bool { self[name].map { $0 != .null } ?? false }
    public func optionalDouble(_ name: String) -> Double? { self[name]?.doubleValue }
}
