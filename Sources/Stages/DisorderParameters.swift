import Foundation
import Physics
import PipelineEngine

/// Quenched disorder and per-site TLS parameters (named alike on every kind that takes them).
/// Any of them set switches a kind to the real-space path (no momentum sectors).
enum DisorderParameters {
    static let width = Parameter<Double>("disorder_width", .double(min: 0), default: .double(0), unit: "t",
                                         help: "quenched on-site disorder W: ε_x uniform in [−W/2, W/2] (box) or ±W/2 (binary)")
    static let kind = Parameter<String>("disorder_kind", .string(allowed: ["box", "binary"]), default: .string("box"),
                                        help: "distribution of ε_x: box or binary")
    static let distribution = ParameterType.object(
        members: [("type", .string(allowed: ["fixed", "uniform", "log-uniform", "binary"])), ("value", .double(min: 0)),
                  ("min", .double(min: 0)), ("max", .double(min: 0))],
        required: ["type"])
    static let omega0 = Parameter<JSONValue>("omega0_distribution", distribution, default: .null, unit: "t",
                                             help: "per-site ω0_i, e.g. {\"type\": \"log-uniform\", \"min\": 0.01, \"max\": 1} (the glass case); absent: omega0 on every site")
    static let g = Parameter<JSONValue>("g_distribution", distribution, default: .null, unit: "t",
                                        help: "per-site g_i, e.g. {\"type\": \"uniform\", \"min\": 0.5, \"max\": 1.5}; absent: g on every site")
    static let realizations = Parameter<Int?>("realizations", .int(min: 1, max: 1_000_000), default: .null,
                                              help: "disorder realisations averaged (quenched: each normalised by its own Z); their spread gives the error bars")
    static let seed = Parameter<Int?>("seed", .int(min: 0), default: .null, help: "random seed of the realisations")
    static let boundary = Parameter<String>("boundary", .string(allowed: ["periodic", "open"]), default: .string("periodic"),
                                            help: "ring or open chain (real-space path only; the f-sum rule is exact on the open chain)")

    static var specs: [ParameterSpec] { [width.spec, kind.spec, omega0.spec, g.spec, realizations.spec, seed.spec, boundary.spec] }
    /// For kinds with a seed of their own (ftlm): the same parameters but `seed`.
    static var specsWithoutSeed: [ParameterSpec] { specs.filter { $0.name != seed.name } }

    /// The histogram range: the clean model's, widened by the disorder's bounds.
    static func omegaMax(_ p: Params) -> Double {
        guard realSpace(p) else { return TLSSpectrumRange.defaultOmegaMax(ModelParameters.model(p)) }
        let s = settings(p)
        return 4 * abs(s.t) + 2 * s.g.bound + 4 * s.omega0.bound + s.width + 1
    }

    /// Whether these parameters ask for the real-space path (a seed alone does not).
    static func realSpace(_ p: Params) -> Bool {
        p[width] > 0 || p[omega0] != .null || p[g] != .null || p[realizations] != nil || p[boundary] == "open"
    }

    static func site(_ json: JSONValue, fixed: Double) -> SiteDistribution {
        guard json != .null else { return .fixed(fixed) }
        let a = json["min"]?.doubleValue ?? 0, b = json["max"]?.doubleValue ?? 0
        switch json["type"]?.stringValue {
        case "uniform": return .uniform(min: a, max: b)
        case "log-uniform": return .logUniform(min: a, max: b)
        case "binary": return .binary(min: a, max: b)
        default: return .fixed(json["value"]?.doubleValue ?? fixed)
        }
    }

    static func settings(_ p: Params) -> DisorderSettings {
        DisorderSettings(sites: p[ModelParameters.sites], t: p[ModelParameters.t], width: p[width],
                         kind: OnSiteDisorder(rawValue: p[kind]) ?? .box,
                         omega0: site(p[omega0], fixed: p[ModelParameters.omega0]), g: site(p[g], fixed: p[ModelParameters.g]),
                         seed: UInt64(p[seed] ?? 0), boundary: ChainBoundary(rawValue: p[boundary]) ?? .periodic)
    }

    /// Problems with the distributions and the combination (parameter, message).
    static func validate(_ p: Params) -> [(String, String)] {
        var problems = distributionProblems(p)
        if realSpace(p) && p[ModelParameters.twists] > 1 {
            problems.append((ModelParameters.twists.name, "the real-space path (disorder) has no twists; use 1"))
        }
        if (p[realizations] ?? 1) > 1 && p[seed] == nil && (p[width] > 0 || p[omega0] != .null || p[g] != .null) {
            problems.append((seed.name, "several random realisations need a seed"))
        }
        return problems
    }

    /// Problems with the ω0 and g distribution objects themselves (parameter, message).
    static func distributionProblems(_ p: Params) -> [(String, String)] {
        var problems: [(String, String)] = []
        for d in [omega0, g] where p[d] != .null {
            let j = p[d]
            switch j["type"]?.stringValue {
            case "fixed":
                if j["value"] == nil { problems.append((d.name, "type fixed needs a value")) }
            default:
                guard let a = j["min"]?.doubleValue, let b = j["max"]?.doubleValue else {
                    problems.append((d.name, "type \(j["type"]?.stringValue ?? "?") needs min and max")); continue
                }
                if a > b { problems.append((d.name, "min must not exceed max")) }
                if j["type"]?.stringValue == "log-uniform" && a <= 0 { problems.append((d.name, "log-uniform needs min > 0")) }
            }
        }
        return problems
    }
}
