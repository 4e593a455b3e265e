import HDF5
import Physics
import PipelineEngine

/// Unnormalised Kubo sums of several batches in one HDF5 file: the shard format of `ftlm`.
enum KuboSumsFile {
    /// `exactStates`: exact low states per sector of a hybrid run (empty otherwise).
    static func write(_ batches: [(index: Int, sums: KuboSums)], exactStates: [Int] = [], to path: String) throws {
        let f = try HDF5File.create(path)
        defer { f.close() }
        let r = f.root
        guard let first = batches.first?.sums else { throw StageError("empty shard") }
        let nT = first.numerator.temperatures.count, nb = first.numerator.binCount, n = batches.count
        try r.write("batch_index", batches.map(\.index))
        try r.write("temperature", first.numerator.temperatures)
        try r.write("bin_width", scalar: first.numerator.binWidth)
        try r.write("weight", batches.flatMap(\.sums.numerator.weight), shape: [n, nT, nb])
        try r.write("weighted_omega", batches.flatMap(\.sums.numerator.weightedOmega), shape: [n, nT, nb])
        try r.write("drude", batches.flatMap(\.sums.numerator.drude), shape: [n, nT])
        try r.write("beyond", batches.flatMap(\.sums.numerator.beyond), shape: [n, nT])
        try r.write("z", batches.flatMap(\.sums.z), shape: [n, nT])
        try r.write("kinetic", batches.flatMap(\.sums.kinetic), shape: [n, nT])
        if !exactStates.isEmpty { try r.write("exact_states", exactStates) }
        if batches.allSatisfy({ $0.sums.coarse != nil }) {
            try r.write("coarse_weight", batches.flatMap { $0.sums.coarse!.weight }, shape: [n, nT, nb])
            try r.write("coarse_weighted_omega", batches.flatMap { $0.sums.coarse!.weightedOmega }, shape: [n, nT, nb])
            try r.write("coarse_drude", batches.flatMap { $0.sums.coarse!.drude }, shape: [n, nT])
            try r.write("coarse_beyond", batches.flatMap { $0.sums.coarse!.beyond }, shape: [n, nT])
        }
    }

    static func exactStates(_ path: String) throws -> [Int] {
        let f = try HDF5File.open(path)
        defer { f.close() }
        return try f.root.readInts("exact_states").values
    }

    static func read(_ path: String) throws -> [(index: Int, sums: KuboSums)] {
        let f = try HDF5File.open(path)
        defer { f.close() }
        let r = f.root
        let idx = try r.readInts("batch_index").values
        let temps = try r.readDoubles("temperature").values
        let bw = try r.readDoubles("bin_width").values[0]
        let w = try r.readDoubles("weight")
        let wo = try r.readDoubles("weighted_omega").values
        let d = try r.readDoubles("drude").values, bey = try r.readDoubles("beyond").values
        let z = try r.readDoubles("z").values, k = try r.readDoubles("kinetic").values
        let nT = temps.count, nb = w.shape[2], block = nT * nb
        let hasCoarse = r.exists("coarse_weight")
        let cw = hasCoarse ? try r.readDoubles("coarse_weight").values : []
        let cwo = hasCoarse ? try r.readDoubles("coarse_weighted_omega").values : []
        let cd = hasCoarse ? try r.readDoubles("coarse_drude").values : []
        let cb = hasCoarse ? try r.readDoubles("coarse_beyond").values : []
        return idx.enumerated().map { (i, b) in
            var s = KuboSums(temperatures: temps, binWidth: bw, binCount: nb)
            s.numerator = StickHistogram(temperatures: temps, binWidth: bw, binCount: nb,
                                         weight: Array(w.values[i * block..<(i + 1) * block]),
                                         weightedOmega: Array(wo[i * block..<(i + 1) * block]),
                                         drude: Array(d[i * nT..<(i + 1) * nT]), beyond: Array(bey[i * nT..<(i + 1) * nT]))
            s.z = Array(z[i * nT..<(i + 1) * nT])
            s.kinetic = Array(k[i * nT..<(i + 1) * nT])
            if hasCoarse {
                s.coarse = StickHistogram(temperatures: temps, binWidth: bw, binCount: nb,
                                          weight: Array(cw[i * block..<(i + 1) * block]), weightedOmega: Array(cwo[i * block..<(i + 1) * block]),
                                          drude: Array(cd[i * nT..<(i + 1) * nT]), beyond: Array(cb[i * nT..<(i + 1) * nT]))
            }
            return (b, s)
        }
    }
}
