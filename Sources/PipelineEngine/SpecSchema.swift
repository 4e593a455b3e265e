/// The JSON Schema (draft 2020-12) of a pipeline spec, generated from the registered stage
/// kinds so that it can never drift from what the loader accepts. `pipelines/tlspipe.schema.json`
/// is this output; a test checks that the committed file is current.
public enum SpecSchema {
    public static func schema(_ registry: StageRegistry) -> JSONValue {
        let idPattern = JSONValue.object([("type", .string("string")), ("pattern", .string("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"))])
        var kindSchemas: [JSONValue] = []
        for name in registry.names where !name.hasPrefix("debug-") && !name.hasPrefix("(") {
            let kind = registry[name]!
            let props: [(String, JSONValue)] = kind.parameters.map { p in
                var s = typeSchema(p.type)
                s.append(("description", .string(p.help + (p.unit.isEmpty ? "" : " [\(p.unit)]") + (p.affectsResults ? "" : " (execution only: not part of the stage key)"))))
                if let d = p.defaultValue, d != .null { s.append(("default", d)) }
                return (p.name, .object(s))
            }
            let required = kind.parameters.filter { $0.defaultValue == nil }.map { JSONValue.string($0.name) }
            let inputs: [(String, JSONValue)] = kind.inputs.map { i in
                (i.name, .object([("description", .string(i.help)),
                                   ("oneOf", .array([.object([("type", .string("string"))]),
                                                     .object([("type", .string("array")), ("items", .object([("type", .string("string"))])), ("minItems", .int(1))])]))]))
            }
            kindSchemas.append(.object([
                ("if", .object([("properties", .object([("kind", .object([("const", .string(name))]))]))])),
                ("then", .object([("properties", .object([
                    ("params", .object([("type", .string("object")), ("properties", .object(props)), ("additionalProperties", .bool(false))])),
                    ("inputs", .object([("type", .string("object")), ("properties", .object(inputs)), ("additionalProperties", .bool(false))])),
                    ("sweep", .object([("type", .string("object")), ("propertyNames", .object([("enum", .array(kind.parameters.map { .string($0.name) }))])),
                                        ("additionalProperties", .object([("type", .string("array")), ("minItems", .int(1))]))])),
                    ("overrides", .object([("type", .string("object")),
                                           ("additionalProperties", .object([("type", .string("object")), ("properties", .object(props)), ("additionalProperties", .bool(false))]))])),
                ])), ("description", .string(kind.summary + (required.isEmpty ? "" : "; required params (here, in a sweep or in defaults): " + required.compactMap(\.stringValue).joined(separator: ", "))))])),
            ]))
        }
        let stage = JSONValue.object([
            ("type", .string("object")),
            ("required", .array([.string("id"), .string("kind")])),
            ("additionalProperties", .bool(false)),
            ("properties", .object([
                ("id", idPattern),
                ("kind", .object([("enum", .array(registry.names.filter { !$0.hasPrefix("debug-") && !$0.hasPrefix("(") }.map { .string($0) }))])),
                ("description", .object([("type", .string("string"))])),
                ("params", .object([("type", .string("object"))])),
                ("inputs", .object([("type", .string("object"))])),
                ("sweep", .object([("type", .string("object"))])),
                ("overrides", .object([("type", .string("object")), ("description", .string("per-instance parameters of a swept stage, keyed by the instance suffix (e.g. \"omega0=0.05\")"))])),
            ])),
            ("allOf", .array(kindSchemas)),
        ])
        return .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("title", .string("tlspipe pipeline spec")),
            ("type", .string("object")),
            ("required", .array([.string("name"), .string("stages")])),
            ("additionalProperties", .bool(false)),
            ("properties", .object([
                ("$schema", .object([("type", .string("string"))])),
                ("name", .object([("type", .string("string")), ("minLength", .int(1))])),
                ("description", .object([("type", .string("string"))])),
                ("defaults", .object([("type", .string("object")), ("description", .string("parameter values applied to every stage whose kind has that parameter and does not set it"))])),
                ("stages", .object([("type", .string("array")), ("minItems", .int(1)), ("items", stage)])),
            ])),
        ])
    }

    static func typeSchema(_ t: ParameterType) -> [(String, JSONValue)] {
        switch t {
        case let .int(lo, hi):
            var s: [(String, JSONValue)] = [("type", .string("integer"))]
            if let lo { s.append(("minimum", .int(lo))) }
            if let hi { s.append(("maximum", .int(hi))) }
            return s
        case let .double(lo, hi, ex):
            var s: [(String, JSONValue)] = [("type", .string("number"))]
            if let lo { s.append((ex ? "exclusiveMinimum" : "minimum", .double(lo))) }
            if let hi { s.append(("maximum", .double(hi))) }
            return s
        case let .doubles(lo, ex, nonEmpty, _):
            var item: [(String, JSONValue)] = [("type", .string("number"))]
            if let lo { item.append((ex ? "exclusiveMinimum" : "minimum", .double(lo))) }
            return [("type", .string("array")), ("items", .object(item)), ("minItems", .int(nonEmpty ? 1 : 0))]
        case let .string(allowed):
            return allowed.map { [("enum", .array($0.map { .string($0) }))] } ?? [("type", .string("string"))]
        case .bool:
            return [("type", .string("boolean"))]
        case let .object(members, required):
            return [("type", .string("object")),
                    ("properties", .object(members.map { ($0.0, .object(typeSchema($0.1))) })),
                    ("required", .array(required.map { .string($0) })), ("additionalProperties", .bool(false))]
        }
    }
}
