/// Why a stage instance must be rebuilt. Each case has a stable `code` for machines
/// (`status --json`) and a sentence for people.
public enum StaleReason: Sendable, Equatable {
    case neverBuilt
    case recordUnreadable(String)
    case outputMissing(String)
    case outputModified(String)
    case outputNotRegular(String)
    case outputSetChanged
    case kindChanged(old: String, new: String)
    case codeVersionChanged(old: Int, new: Int)
    case parameterChanged(name: String, old: String, new: String)
    case parameterAdded(name: String, value: String)
    case parameterRemoved(name: String, old: String)
    case inputAdded(slot: String, stage: String)
    case inputRemoved(slot: String, stage: String)
    /// The input was rebuilt and its content (or key) differs from what this stage used.
    case inputChanged(slot: String, stage: String)
    /// The key differs for no reason listed above (e.g. the key's own recipe changed).
    case keyChanged
    case forced

    public var code: String {
        switch self {
        case .neverBuilt: return "never_built"
        case .recordUnreadable: return "record_unreadable"
        case .outputMissing: return "output_missing"
        case .outputModified: return "output_modified"
        case .outputNotRegular: return "output_not_regular"
        case .outputSetChanged: return "output_set_changed"
        case .kindChanged: return "kind_changed"
        case .codeVersionChanged: return "code_version_changed"
        case .parameterChanged: return "parameter_changed"
        case .parameterAdded: return "parameter_added"
        case .parameterRemoved: return "parameter_removed"
        case .inputAdded: return "input_added"
        case .inputRemoved: return "input_removed"
        case .inputChanged: return "input_changed"
        case .keyChanged: return "key_changed"
        case .forced: return "forced"
        }
    }

    public var description: String {
        switch self {
        case .neverBuilt: return "never built (no record)"
        case .recordUnreadable(let why): return "its record cannot be read (\(why)): rebuilding"
        case .outputMissing(let p): return "artifact missing: \(p)"
        case .outputModified(let p): return "artifact modified: \(p) no longer matches its recorded SHA-256"
        case .outputNotRegular(let p): return "artifact is not a regular file: \(p)"
        case .outputSetChanged: return "output files changed"
        case let .kindChanged(old, new): return "kind changed: \(old) → \(new)"
        case let .codeVersionChanged(old, new): return "code changed: implementation version \(old) → \(new)"
        case let .parameterChanged(name, old, new): return "parameter \(name) changed: \(old) → \(new)"
        case let .parameterAdded(name, value): return "parameter \(name) added: \(value)"
        case let .parameterRemoved(name, old): return "parameter \(name) removed (was \(old))"
        case let .inputAdded(slot, stage): return "input '\(slot)' now takes stage \(stage)"
        case let .inputRemoved(slot, stage): return "input '\(slot)' no longer takes stage \(stage)"
        case let .inputChanged(slot, stage): return "input '\(slot)' (stage \(stage)) was rebuilt with different content"
        case .keyChanged: return "stage key changed"
        case .forced: return "forced (--force)"
        }
    }

    /// `{"code": …, "text": …, …fields}` for `status --json`.
    public var json: JSONValue {
        var m: [(String, JSONValue)] = [("code", .string(code)), ("text", .string(description))]
        switch self {
        case .recordUnreadable(let why): m.append(("detail", .string(why)))
        case .outputMissing(let p), .outputModified(let p), .outputNotRegular(let p): m.append(("path", .string(p)))
        case let .kindChanged(old, new): m += [("old", .string(old)), ("new", .string(new))]
        case let .codeVersionChanged(old, new): m += [("old", .int(old)), ("new", .int(new))]
        case let .parameterChanged(name, old, new): m += [("name", .string(name)), ("old", .string(old)), ("new", .string(new))]
        case let .parameterAdded(name, value): m += [("name", .string(name)), ("new", .string(value))]
        case let .parameterRemoved(name, old): m += [("name", .string(name)), ("old", .string(old))]
        case let .inputAdded(slot, stage), let .inputRemoved(slot, stage), let .inputChanged(slot, stage):
            m += [("slot", .string(slot)), ("stage", .string(stage))]
        case .neverBuilt, .outputSetChanged, .keyChanged, .forced: break
        }
        return .object(m)
    }
}
