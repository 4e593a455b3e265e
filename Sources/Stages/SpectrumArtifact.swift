import HDF5
import Physics
import PipelineEngine

/// A stick-spectrum artifact: the pooled histogram, one per independent batch (for errors),
/// and the kinetic energy. Written by `static-disorder` (and later `ed`, `ftlm`), read by
/// `filter`, `rta` and `dc`.
struct SpectrumArtifact {
    var spectrum: StickHistogram
    var batches: [StickHistogram]
    var kineticEnergy: [Double]
    var batchKineticEnergy: [[Double]]
    var label: String
    /// FTLM: the same runs read at M/2 Lanczos steps; |σ − σ_coarse| estimates the resolution error.
    var coarse: StickHistogram? = nil
    /// What the batch datasets hold (FTLM's stratified jackknife writes pseudo-values there).
    var batchMeaning = "weight of each independent batch, [batch, temperature, omega]"

    func write(to path: String, extra: (HDF5Group) throws -> Void = { _ in }) throws {
        let f = try HDF5File.create(path)
        defer { f.close() }
        let r = f.root
        let nT = spectrum.temperatures.count, nb = spectrum.binCount, nB = batches.count
        try r.setAttribute("label", label)
        try r.setAttribute("content", "stick-spectrum")
        try r.write("temperature", spectrum.temperatures, attributes: Units.temperature)
        try r.write("omega", spectrum.binCentres, attributes: [
            "units": "t/ħ", "meaning": "bin centres; bin k covers [k·b, (k+1)·b)",
            "bin_width": JSONValue.format(spectrum.binWidth)])
        try r.write("weight", spectrum.weight, shape: [nT, nb], attributes: [
            "meaning": "∫_bin σ dω on ω > 0 (σ is even), [temperature, omega]"])
        try r.write("weighted_omega", spectrum.weightedOmega, shape: [nT, nb], attributes: [
            "meaning": "Σ w·ω per bin: weighted_omega/weight is the mean stick position"])
        try r.write("drude_weight", spectrum.drude, attributes: ["meaning": "weight of the ω = 0 sticks (degenerate pairs)"])
        try r.write("weight_beyond", spectrum.beyond, attributes: ["meaning": "weight of sticks past the histogram's range (ω > ω_max)"])
        try r.write("kinetic_energy", kineticEnergy, attributes: ["units": "t", "meaning": "⟨K⟩ per temperature"])
        try r.write("total_weight", (0..<nT).map { spectrum.totalWeight(row: $0) },
                    attributes: ["meaning": "∫_{−∞}^{∞} σ dω per temperature"])
        if nB > 0 {
            try r.write("batch_weight", batches.flatMap(\.weight), shape: [nB, nT, nb],
                        attributes: ["meaning": batchMeaning])
            try r.write("batch_weighted_omega", batches.flatMap(\.weightedOmega), shape: [nB, nT, nb])
            try r.write("batch_drude_weight", batches.flatMap(\.drude), shape: [nB, nT])
            try r.write("batch_kinetic_energy", batchKineticEnergy.flatMap { $0 }, shape: [nB, nT])
        }
        if let c = coarse {
            try r.write("coarse_weight", c.weight, shape: [nT, nb], attributes: [
                "meaning": "weight of the same Lanczos runs read at M/2 steps: the difference from weight estimates the resolution (finite-M) error"])
            try r.write("coarse_weighted_omega", c.weightedOmega, shape: [nT, nb])
            try r.write("coarse_drude_weight", c.drude)
        }
        try extra(r)
    }

    static func read(_ path: String) throws -> SpectrumArtifact {
        let f = try HDF5File.open(path)
        defer { f.close() }
        let r = f.root
        guard try r.attribute("content") == "stick-spectrum" else {
            throw StageError("\(path): not a stick spectrum (expected the output of static-disorder, ed or ftlm)")
        }
        let temps = try r.readDoubles("temperature").values
        let omega = try r.readDoubles("omega").values
        guard let bwText = try r.attribute(onDataset: "omega", "bin_width"), let bw = Double(bwText) else {
            throw StageError("\(path): omega has no bin_width attribute")
        }
        let nT = temps.count, nb = omega.count
        // Shapes checked before anything is built from them: a corrupt file is an error, not a trap.
        for (name, count) in [("weight", nT * nb), ("weighted_omega", nT * nb), ("drude_weight", nT)] + (r.exists("coarse_weight") ? [("coarse_weight", nT * nb), ("coarse_weighted_omega", nT * nb), ("coarse_drude_weight", nT)] : []) {
            let n = try r.readDoubles(name).values.count
            guard n == count else { throw StageError("\(path): \(name) has \(n) values, expected \(count)") }
        }
        if r.exists("weight_beyond"), try r.readDoubles("weight_beyond").values.count != nT { throw StageError("\(path): weight_beyond has the wrong length") }
        let spectrum = StickHistogram(temperatures: temps, binWidth: bw, binCount: nb,
                                      weight: try r.readDoubles("weight").values,
                                      weightedOmega: try r.readDoubles("weighted_omega").values,
                                      drude: try r.readDoubles("drude_weight").values,
                                      beyond: r.exists("weight_beyond") ? try r.readDoubles("weight_beyond").values : nil)
        var batches: [StickHistogram] = []
        var batchK: [[Double]] = []
        if r.exists("batch_weight") {
            let w = try r.readDoubles("batch_weight")
            let wo = try r.readDoubles("batch_weighted_omega").values
            let d = try r.readDoubles("batch_drude_weight").values
            let k = try r.readDoubles("batch_kinetic_energy").values
            let nB = w.shape.first ?? 0
            let block = nT * nb
            guard w.values.count == nB * block, wo.count == nB * block, d.count == nB * nT, k.count == nB * nT else {
                throw StageError("\(path): batch datasets have inconsistent shapes")
            }
            for b in 0..<nB {
                batches.append(StickHistogram(temperatures: temps, binWidth: bw, binCount: nb,
                                              weight: Array(w.values[b * block..<(b + 1) * block]),
                                              weightedOmega: Array(wo[b * block..<(b + 1) * block]),
                                              drude: Array(d[b * nT..<(b + 1) * nT])))
                batchK.append(Array(k[b * nT..<(b + 1) * nT]))
            }
        }
        var coarse: StickHistogram? = nil
        if r.exists("coarse_weight") {
            coarse = StickHistogram(temperatures: temps, binWidth: bw, binCount: nb,
                                    weight: try r.readDoubles("coarse_weight").values,
                                    weightedOmega: try r.readDoubles("coarse_weighted_omega").values,
                                    drude: try r.readDoubles("coarse_drude_weight").values)
        }
        return SpectrumArtifact(spectrum: spectrum, batches: batches,
                                kineticEnergy: try r.readDoubles("kinetic_energy").values,
                                batchKineticEnergy: batchK, label: try r.attribute("label") ?? path, coarse: coarse)
    }

    /// Row of temperature `T` (matched to 1e−9 relative), or a clear error.
    func row(of T: Double, path: String) throws -> Int {
        guard let i = spectrum.temperatures.firstIndex(where: { abs($0 - T) <= 1e-9 * max(1, T) }) else {
            throw StageError("\(path) has no temperature \(JSONValue.format(T)) (it has \(spectrum.temperatures.map { JSONValue.format($0) }.joined(separator: ", ")))")
        }
        return i
    }
}

/// A curve artifact: σ(ω) per temperature on a frequency grid (from `filter`, `rta`, later `dmft`).
struct CurveArtifact {
    var omega: [Double]
    var temperature: [Double]
    var sigma: [Double]        // [T, ω]
    var sigmaError: [Double]?  // [T, ω]
    var label: String

    static func read(_ path: String) throws -> CurveArtifact {
        let f = try HDF5File.open(path)
        defer { f.close() }
        let r = f.root
        for name in ["omega", "temperature", "sigma"] where !r.exists(name) {
            throw StageError("\(path): no dataset '\(name)' (expected a σ(ω) curve artifact)")
        }
        // The error drawn as a band: statistical plus, where known, resolution (systematic), added.
        var error = r.exists("sigma_error") ? try r.readDoubles("sigma_error").values : nil
        if r.exists("sigma_resolution_error") {
            let res = try r.readDoubles("sigma_resolution_error").values
            error = error.map { zip($0, res).map { $0 + $1 } } ?? res
        }
        let omega = try r.readDoubles("omega").values, temperature = try r.readDoubles("temperature").values
        let sigma = try r.readDoubles("sigma").values
        guard sigma.count == omega.count * temperature.count, error.map({ $0.count == sigma.count }) ?? true else {
            throw StageError("\(path): sigma has \(sigma.count) values for \(temperature.count) temperatures × \(omega.count) frequencies")
        }
        return CurveArtifact(omega: omega, temperature: temperature, sigma: sigma, sigmaError: error,
                             label: try r.attribute("label") ?? path)
    }

    func row(_ T: Double, path: String) throws -> (sigma: [Double], error: [Double]?) {
        guard let i = temperature.firstIndex(where: { abs($0 - T) <= 1e-9 * max(1, T) }) else {
            throw StageError("\(path) has no temperature \(JSONValue.format(T)) (it has \(temperature.map { JSONValue.format($0) }.joined(separator: ", ")))")
        }
        let n = omega.count
        return (Array(sigma[i * n..<(i + 1) * n]), sigmaError.map { Array($0[i * n..<(i + 1) * n]) })
    }
}
