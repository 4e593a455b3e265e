/// A value a typed parameter can hold, read from its canonical JSON (validation already
/// checked it against the declaration).
public protocol ParameterValue: Sendable {
    static func read(_ json: JSONValue) -> Self?
}

extension Int: ParameterValue { public static func read(_ json: JSONValue) -> Int? { json.intValue } }
extension Double: ParameterValue { public static func read(_ json: JSONValue) -> Double? { json.doubleValue } }
extension String: ParameterValue { public static func read(_ json: JSONValue) -> String? { json.stringValue } }
extension JSONValue: ParameterValue { public static func read(_ json: JSONValue) -> JSONValue? { json } }
extension Bool: ParameterValue { public static func read(_ json: JSONValue) -> Bool? { json.boolValue } }
extension Array: ParameterValue where Element == Double {
    public static func read(_ json: JSONValue) -> [Double]? { json.arrayValue?.compactMap(\.doubleValue) }
}
extension Optional: ParameterValue where Wrapped: ParameterValue {
    /// An optional parameter: absent or null reads as nil.
    public static func read(_ json: JSONValue) -> Wrapped?? { json == .null ? .some(nil) : Wrapped.read(json).map { .some($0) } }
}

/// One parameter of a stage kind, declared once with its type, unit, default, range and help:
/// the declaration (`spec`) feeds validation, the JSON Schema, `tlspipe kinds` and defaults,
/// and stage code reads values through it (`params[Kind.sites]`), never by a string.
public struct Parameter<Value: ParameterValue>: Sendable {
    public let spec: ParameterSpec
    public var name: String { spec.name }

    public init(_ name: String, _ type: ParameterType, default defaultValue: JSONValue? = nil, unit: String = "",
                affectsResults: Bool = true, help: String) {
        spec = ParameterSpec(name, type, default: defaultValue, unit: unit, affectsResults: affectsResults, help: help)
    }
}

extension Params {
    /// The value of a declared parameter. Validation has checked every value against its
    /// declaration, so a miss is a programming error in the kind (a parameter it does not declare).
    public subscript<V>(_ p: Parameter<V>) -> V {
        guard let v = V.read(self[p.name] ?? .null) else {
            preconditionFailure("parameter \(p.name) is not declared by this kind or has the wrong type")
        }
        return v
    }

    /// Whether a declared optional parameter was given.
    public func has<V>(_ p: Parameter<V>) -> Bool { has(p.name) }
}
