import Foundation
import Physics
import PipelineEngine

/// The `ftlm` stage on a disordered chain (real space): work units are (realisation, batch)
/// pairs, u = r·B + b; a shard holds units k, k + count, …; the merge averages realisations
/// (quenched), so sharded equals unsharded bit for bit.
extension FTLMStage {
    func validateRealSpace(_ p: Params) -> [(String, String)] {
        var problems: [(String, String)] = []
        let units = (p[DisorderParameters.realizations] ?? 1) * p[Self.batches]
        if p[Self.shards] > units {
            problems.append((Self.shards.name, "must not exceed realizations × batches = \(units) (a shard is a set of realisations' batches)"))
        }
        if p[Self.targetError] != nil { problems.append((Self.targetError.name, "error control is not available on the real-space path (disorder)")) }
        if p[Self.exactWindow] > 0 { problems.append((Self.exactWindow.name, "hybrid FTLM is not available on the real-space path (disorder)")) }
        if p[Self.momentumBlocks] > 1 { problems.append((Self.momentumBlocks.name, "the real-space path (disorder) has no momentum sectors")) }
        if (p[DisorderParameters.realizations] ?? 1) < 2 && p[Self.batches] < 2 {
            problems.append((Self.batches.name, "one realisation needs at least 2 batches for error bars"))
        }
        if p[ModelParameters.sites] > 16 { problems.append((ModelParameters.sites.name, "the real-space path holds N·2^N states: at most 16 sites")) }
        return problems
    }

    func runRealSpaceShard(_ context: StageContext, shard: Int, count: Int, output: String) throws {
        let p = context.params
        let s = settings(p)
        let disorder = DisorderParameters.settings(p)
        let units = (p[DisorderParameters.realizations] ?? 1) * s.batches
        let mine = Array(stride(from: shard % count, to: units, by: count))
        let storage = KrylovStorage(dimension: RealSpaceChain.storedDimension(sites: disorder.sites), steps: s.lanczosSteps, realPairs: true)
        var out: [(index: Int, sums: KuboSums)] = []
        for (i, u) in mine.enumerated() {
            out.append((u, try FTLM.realSpaceSums(s, disorder: disorder, realization: u / s.batches, batch: u % s.batches,
                                                   threads: context.threads, storage: storage) { f, what in
                context.progress((Double(i) + f) / Double(mine.count), "realisation \(u / s.batches + 1), batch \(u % s.batches + 1): \(what)")
            }))
        }
        try KuboSumsFile.write(out, exactStates: [], to: output)
    }

    /// units[r][b] from every shard file, in a fixed order.
    func realSpaceUnits(_ context: StageContext, shards: [String]) throws -> [[KuboSums]] {
        let p = context.params
        let batches = p[Self.batches], realizations = p[DisorderParameters.realizations] ?? 1
        var units = [KuboSums?](repeating: nil, count: batches * realizations)
        for path in shards {
            for (u, sums) in try KuboSumsFile.read(path) {
                guard u >= 0 && u < units.count else { throw StageError("shard \(path) holds unit \(u) of \(units.count)") }
                units[u] = sums
            }
        }
        guard units.allSatisfy({ $0 != nil }) else { throw StageError("shards do not cover every realisation and batch") }
        return (0..<realizations).map { r in (0..<batches).map { units[r * batches + $0]! } }
    }
}
