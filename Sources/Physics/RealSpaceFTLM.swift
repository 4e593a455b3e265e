import Foundation
import LinearAlgebra

/// FTLM on a disordered chain in real space: no momentum sectors, one Krylov space of N·2^N
/// states per realisation. Random vectors of realisation r, vector v come from their own stream
/// (above 2^63: apart from the disorder's streams, which are the realisation indices, and from
/// the sectors' momentum·2^32 + vector).
extension FTLM {
    public static func realSpaceStream(realization r: Int, vector v: Int) -> UInt64 {
        (1 << 63) | (UInt64(r) << 32) | UInt64(v)
    }

    /// Unnormalised sums of realisation `r`, batch `b` (its vectors v ≡ b mod B), each vector
    /// weighing D/R (trace estimate over the whole space). Real arithmetic: a random vector has
    /// D real Gaussian amplitudes (`RealSpaceChain`), half the memory and flops of a complex one.
    /// Per vector its trace estimate has twice the variance (2 Tr O² against Tr O²), so per unit of
    /// work the two are equal, and the error bars (spread of batches and realisations) say so.
    public static func realSpaceSums(_ s: FTLMSettings, disorder: DisorderSettings, realization r: Int, batch b: Int,
                                     threads: @autoclosure () -> Int = 1, storage reused: KrylovStorage? = nil,
                                     progress: (Double, String) -> Void = { _, _ in }) throws -> KuboSums {
        var sums = KuboSums(temperatures: s.temperatures, binWidth: s.binWidth, binCount: s.binCount)
        sums.coarse = sums.numerator
        let space = RealSpaceChain(disorder.realization(r), floor: disorder.energyFloor)
        let d = space.dimension, realDimension = space.chain.dimension
        let storage = reused ?? KrylovStorage(dimension: d, steps: s.lanczosSteps, realPairs: true)
        let vectors = Array(stride(from: b, to: s.randomVectors, by: s.batches))
        for (k, v) in vectors.enumerated() {
            let start = randomVector(dimension: d, seed: s.seed, stream: realSpaceStream(realization: r, vector: v))
            try addRandomVector(space, start: start, steps: s.lanczosSteps, weight: Double(realDimension) / Double(s.randomVectors),
                                storage: storage, threads: threads(), into: &sums)
            progress(Double(k + 1) / Double(vectors.count), "random vector \(k + 1)/\(vectors.count)")
        }
        return sums
    }

    /// The quenched average: each realisation's batches pooled under its own Z and normalised,
    /// then the realisations averaged. The error samples are the realisations (their spread holds
    /// both the disorder's and the random vectors' scatter), or with one realisation its batches.
    /// `units[r][b]`.
    public static func quenchedMerge(_ units: [[KuboSums]]) -> StaticDisorderResult {
        let perRealisation = units.map { batches -> (sigma: StickHistogram, kinetic: [Double], coarse: StickHistogram?) in
            var total = batches[0]
            for b in batches.dropFirst() { total.accumulate(b) }
            return total.normalised()
        }
        func mean(_ hs: [StickHistogram]) -> StickHistogram {
            var m = hs[0]
            for h in hs.dropFirst() { m.accumulate(h) }
            for row in 0..<m.temperatures.count { m.scale(row: row, by: 1 / Double(hs.count)) }
            return m
        }
        let sigma = mean(perRealisation.map(\.sigma))
        let rows = perRealisation[0].kinetic.count
        let kinetic = (0..<rows).map { row in perRealisation.reduce(0) { $0 + $1.kinetic[row] } / Double(perRealisation.count) }
        let coarse = perRealisation.allSatisfy { $0.coarse != nil } ? mean(perRealisation.map { $0.coarse! }) : nil
        let samples = units.count > 1 ? perRealisation.map { ($0.sigma, $0.kinetic) } : units[0].map { b in
            let n = b.normalised()
            return (n.sigma, n.kinetic)
        }
        return StaticDisorderResult(spectrum: sigma, kineticEnergy: kinetic, batchSpectra: samples.map(\.0),
                                    batchKineticEnergy: samples.map(\.1), coarseSpectrum: coarse)
    }
}
