/// What the planner decided for one stage instance.
public enum Decision: String, Sendable {
    /// Its record matches the spec, its inputs and its files: nothing to do.
    case fresh
    /// It must run: see its reasons.
    case stale
    /// Its own record matches, but an input will be rebuilt first; whether it changes is known
    /// only after that (early cut-off: identical input content leaves it fresh).
    case mustBuildToKnow = "must_build_to_know"
}

/// The planner's verdict on one instance, with everything `status`, `explain`, `--dry-run` and
/// the executor read.
public struct PlannedStage: Sendable {
    public let id: String
    public let kind: String
    public let decision: Decision
    /// Its own reasons (parameter, code, files, inputs rebuilt differently), in that order.
    public let reasons: [StaleReason]
    /// Inputs that are not fresh now: (slot, stage id).
    public let staleInputs: [(slot: String, stage: String)]
    /// The key it would have now (nil while an input is not fresh).
    public let expectedKey: String?
    public let outputs: [String]
    /// Outputs whose stat changed but whose bytes still match (the executor refreshes their stat).
    public let rehashed: [String]
    /// Finished shards of an interrupted run that a rerun keeps (sharded kinds).
    public var keptShards: Int = 0

    public var fresh: Bool { decision == .fresh }
}

/// The whole plan, in pipeline order (inputs first).
public struct Plan: Sendable {
    public let stages: [PlannedStage]
    private let index: [String: Int]

    public init(stages: [PlannedStage]) {
        self.stages = stages
        index = Dictionary(stages.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public subscript(id: String) -> PlannedStage? { index[id].map { stages[$0] } }

    /// The first stale ancestors that make `id` wait (stages with reasons of their own), nearest first.
    public func rootCauses(of id: String) -> [PlannedStage] {
        var out: [PlannedStage] = []
        var seen = Set<String>()
        var frontier = self[id]?.staleInputs.map(\.stage) ?? []
        while !frontier.isEmpty {
            let cur = frontier.removeFirst()
            guard !seen.contains(cur), let st = self[cur] else { continue }
            seen.insert(cur)
            if st.decision == .stale { out.append(st) }
            frontier += st.staleInputs.map(\.stage)
        }
        return out
    }
}
