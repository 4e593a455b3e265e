import Physics
import PipelineEngine

/// Parameters shared by the stage kinds of the electron–TLS model.
enum ModelParameters {
    static func specs(maxSites: Int) -> [ParameterSpec] {
        [
            ParameterSpec("sites", .int(min: 2, max: maxSites), help: "chain length N (ring)"),
            ParameterSpec("t", .double(min: 0, exclusiveMin: true), default: .double(1), help: "hopping t"),
            ParameterSpec("g", .double(min: 0), help: "electron–TLS coupling g"),
            ParameterSpec("omega0", .double(min: 0), help: "TLS Rabi frequency ω0"),
            ParameterSpec("temperatures", .doubles(min: 0, exclusiveMin: true), help: "temperatures T"),
            ParameterSpec("twists", .int(min: 1, max: 100000), default: .int(1), help: "N_φ evenly spaced boundary twists pooled under one Z (1 = periodic)"),
            ParameterSpec("bin_width", .double(min: 0, exclusiveMin: true), default: .double(5e-4), help: "histogram bin width in ω"),
            ParameterSpec("omega_max", .double(min: 0, exclusiveMin: true), default: .null, help: "histogram range (default 4t + 2g + 4ω0 + 1; weight beyond is counted apart)"),
        ]
    }

    static func model(_ p: Params) -> TLSModel {
        TLSModel(sites: p.int("sites"), t: p.double("t"), g: p.double("g"), omega0: p.double("omega0"))
    }

    static func validateRange(_ p: Params) -> [(String, String)] {
        let m = model(p)
        let range = p.optionalDouble("omega_max") ?? TLSSpectrumRange.defaultOmegaMax(m)
        if range / p.double("bin_width") > 2e6 {
            return [(Footprint.rangeBlame(p), "gives more than 2 million histogram bins (range \(JSONValue.format(range)) / bin_width \(JSONValue.format(p.double("bin_width"))))")]
        }
        return []
    }

    static func label(_ method: String, _ p: Params) -> String {
        "\(method) (N = \(p.int("sites"))\(p.int("twists") > 1 ? ", \(p.int("twists")) twists" : ""), ω0 = \(JSONValue.format(p.double("omega0"))))"
    }
}
