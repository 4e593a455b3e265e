import Physics
import PipelineEngine

/// Parameters shared by the stage kinds of the electron–TLS model.
enum ModelParameters {
    /// N: the largest ring differs by kind (ED 12, FTLM 20); reads do not depend on it.
    static func sites(max: Int) -> Parameter<Int> {
        Parameter<Int>("sites", .int(min: 2, max: max), help: "chain length N (ring)")
    }
    static let sites = sites(max: 20)
    static let t = Parameter<Double>("t", .double(min: 0, exclusiveMin: true), default: .double(1), unit: "t", help: "hopping t")
    static let g = Parameter<Double>("g", .double(min: 0), unit: "t", help: "electron–TLS coupling g")
    static let omega0 = Parameter<Double>("omega0", .double(min: 0), unit: "t", help: "TLS Rabi frequency ω0")
    static let temperatures = Parameter<[Double]>("temperatures", .doubles(min: 0, exclusiveMin: true), unit: "t", help: "temperatures T")
    static let twists = Parameter<Int>("twists", .int(min: 1, max: 100000), default: .int(1), help: "N_φ evenly spaced boundary twists pooled under one Z (1 = periodic)")
    static let binWidth = Parameter<Double>("bin_width", .double(min: 0, exclusiveMin: true), default: .double(5e-4), unit: "t", help: "histogram bin width in ω")
    static let omegaMax = Parameter<Double?>("omega_max", .double(min: 0, exclusiveMin: true), default: .null, unit: "t", help: "histogram range (default 4t + 2g + 4ω0 + 1; weight beyond is counted apart)")

    static func specs(maxSites: Int) -> [ParameterSpec] {
        [sites(max: maxSites).spec, t.spec, g.spec, omega0.spec, temperatures.spec, twists.spec, binWidth.spec, omegaMax.spec]
    }

    static func model(_ p: Params) -> TLSModel {
        TLSModel(sites: p[ModelParameters.sites], t: p[ModelParameters.t], g: p[ModelParameters.g], omega0: p[ModelParameters.omega0])
    }

    static func validateRange(_ p: Params) -> [(String, String)] {
        let m = model(p)
        let range = p[ModelParameters.omegaMax] ?? TLSSpectrumRange.defaultOmegaMax(m)
        if range / p[ModelParameters.binWidth] > 2e6 {
            return [(Footprint.rangeBlame(p, omegaMax: omegaMax, binWidth: binWidth, scales: [g, t, omega0]), "gives more than 2 million histogram bins (range \(JSONValue.format(range)) / bin_width \(JSONValue.format(p[ModelParameters.binWidth])))")]
        }
        return []
    }

    static func label(_ method: String, _ p: Params) -> String {
        let w = p.optionalDouble("disorder_width") ?? 0
        let n = p[ModelParameters.sites], twists = p[ModelParameters.twists]
        // A stratified twist average (ftlm) draws N·N_φ/2 momenta instead of N_φ grid twists.
        let average = p["twist_sampling"]?.stringValue == "stratified" ? ", \(n * twists / 2) sampled twists" : twists > 1 ? ", \(twists) twists" : ""
        return "\(method) (N = \(n)\(average), ω0 = \(JSONValue.format(p[ModelParameters.omega0]))\(w > 0 ? ", W = \(JSONValue.format(w))" : ""))"
    }
}
