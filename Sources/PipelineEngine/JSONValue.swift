import Foundation

/// A JSON value that keeps what the engine needs and Foundation loses: integers stay
/// integers, objects keep their key order, and parse errors carry line and column.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public var objectMembers: [(String, JSONValue)]? {
        if case let .object(m) = self { return m }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    // MARK: serialisation

    /// Canonical text: object keys sorted, no whitespace, numbers in shortest round-trip form.
    /// Two equal parameter sets give the same canonical text, hence the same stage key.
    public var canonical: String {
        var out = ""
        write(into: &out, sorted: true, indent: nil, level: 0)
        return out
    }

    /// Human-readable text with two-space indentation, keys in their given order.
    public var pretty: String {
        var out = ""
        write(into: &out, sorted: false, indent: "  ", level: 0)
        return out
    }

    private func write(into out: inout String, sorted: Bool, indent: String?, level: Int) {
        let nl = indent == nil ? "" : "\n"
        func pad(_ l: Int) -> String { indent.map { String(repeating: $0, count: l) } ?? "" }
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d): out += JSONValue.format(d)
        case let .string(s): out += JSONValue.quote(s)
        case let .array(a):
            if a.isEmpty { out += "[]"; return }
            let scalars = a.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
            if scalars || indent == nil {
                out += "["
                for (i, v) in a.enumerated() {
                    if i > 0 { out += indent == nil ? "," : ", " }
                    v.write(into: &out, sorted: sorted, indent: indent, level: level + 1)
                }
                out += "]"
            } else {
                out += "[" + nl
                for (i, v) in a.enumerated() {
                    out += pad(level + 1)
                    v.write(into: &out, sorted: sorted, indent: indent, level: level + 1)
                    out += (i + 1 < a.count ? "," : "") + nl
                }
                out += pad(level) + "]"
            }
        case let .object(m):
            if m.isEmpty { out += "{}"; return }
            let members = sorted ? m.sorted { $0.0 < $1.0 } : m
            out += "{" + nl
            for (i, (k, v)) in members.enumerated() {
                out += pad(level + 1) + JSONValue.quote(k) + (indent == nil ? ":" : ": ")
                v.write(into: &out, sorted: sorted, indent: indent, level: level + 1)
                out += (i + 1 < members.count ? "," : "") + nl
            }
            out += pad(level) + "}"
        }
    }

    /// Shortest text that reads back as the same double; always valid JSON.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) + ".0" }
        return "\(d)"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// A JSON syntax error with its position.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259). Duplicate object keys are an error: in a spec they are a mistake.
    /// Nesting deeper than `maxDepth` is an error, not a stack overflow.
    public static let maxDepth = 256

    public static func parse(_ text: String) throws -> JSONValue {
        var p = JSONParser(Array(text.utf8))
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        if p.i < p.b.count { throw p.error("unexpected text after the JSON value") }
        return v
    }
}

private struct JSONParser {
    let b: [UInt8]
    var i = 0
    var depth = 0
    init(_ b: [UInt8]) { self.b = b }

    func error(_ msg: String) -> JSONParseError {
        var line = 1, col = 1
        for k in 0..<min(i, b.count) {
            if b[k] == UInt8(ascii: "\n") { line += 1; col = 1 } else { col += 1 }
        }
        return JSONParseError(line: line, column: col, message: msg)
    }

    mutating func skipSpace() {
        while i < b.count, [9, 10, 13, 32].contains(b[i]) { i += 1 }
    }

    mutating func value() throws -> JSONValue {
        guard i < b.count else { throw error("unexpected end of input, expected a value") }
        switch b[i] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < JSONValue.maxDepth else { throw error("nested deeper than \(JSONValue.maxDepth) levels") }
            depth += 1
            defer { depth -= 1 }
            return b[i] == UInt8(ascii: "{") ? try object() : try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= b.count, Array(b[i..<i + w.count]) == w else { throw error("invalid literal") }
        i += w.count
    }

    mutating func object() throws -> JSONValue {
        i += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
            let start = i
            let key = try string()
            if members.contains(where: { $0.0 == key }) {
                i = start
                throw error("duplicate key \"\(key)\"")
            }
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            i += 1
            skipSpace()
            members.append((key, try value()))
            skipSpace()
            guard i < b.count else { throw error("unterminated object") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("expected ',' or '}' in object")
        }
    }

    mutating func array() throws -> JSONValue {
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < b.count else { throw error("unterminated list") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected ',' or ']' in list")
        }
    }

    mutating func string() throws -> String {
        i += 1
        var bytes: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: bytes, as: UTF8.self) }
            if c < 0x20 { throw error("control character in string") }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < b.count else { break }
                switch b[i] {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        // A high surrogate must be followed by an escaped low surrogate (RFC 8259 §7).
                        guard i + 2 < b.count, b[i + 1] == UInt8(ascii: "\\"), b[i + 2] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    bytes.append(contentsOf: Array(String(scalar).utf8))
                default: throw error("invalid escape")
                }
                i += 1
                continue
            }
            bytes.append(c)
            i += 1
        }
        throw error("unterminated string")
    }

    /// Reads the four hex digits after `\\u` (i points at the `u`); leaves i on the last digit.
    mutating func hex4() throws -> UInt32 {
        guard i + 4 < b.count else { throw error("invalid \\u escape") }
        var code: UInt32 = 0
        for k in 1...4 {
            let c = b[i + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            code = code << 4 | UInt32(d)
        }
        i += 4
        return code
    }

    /// RFC 8259 numbers only: no leading zeros, no '+', digits on both sides of '.'.
    mutating func number() throws -> JSONValue {
        let start = i
        func digits() -> Int {
            let s = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let n = digits()
        guard n > 0 else { i = start; throw error("unexpected character, expected a value") }
        if n > 1 && b[intStart] == UInt8(ascii: "0") { i = start; throw error("invalid number: leading zero") }
        var isInt = true
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1; isInt = false
            guard digits() > 0 else { i = start; throw error("invalid number: expected digits after '.'") }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1; isInt = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { i = start; throw error("invalid number: expected exponent digits") }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if isInt, let v = Int(text) { return .int(v) }
        guard let d = Double(text), d.isFinite else { i = start; throw error("number out of range '\(text)'") }
        return .double(d)
    }
}
