import Foundation

/// The distribution of the local parameters that DMFT+CPA averages over: the impurity problem is
/// solved at each node (ε, g) with the common Weiss field, and the impurity G's are averaged with
/// the node weights (the coherent potential approximation for the quenched part). One node
/// (ε = 0, weight 1) is clean DMFT.
public struct DMFTSiteAverage: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var weight: Double
        public var epsilon: Double
        public var g: Double
        /// This site's ω0 (nil: the DMFT's own ω0).
        public var omega0: Double?
        public init(weight: Double, epsilon: Double, g: Double, omega0: Double? = nil) {
            self.weight = weight; self.epsilon = epsilon; self.g = g; self.omega0 = omega0
        }
    }

    public let nodes: [Node]

    public init(nodes: [Node]) {
        precondition(!nodes.isEmpty, "at least one node")
        self.nodes = nodes
    }

    /// Clean: every site has ε = 0 and the same g.
    public static func clean(g: Double) -> DMFTSiteAverage { DMFTSiteAverage(nodes: [Node(weight: 1, epsilon: 0, g: g)]) }

    /// ε from `kind` with width W (box: Gauss–Legendre with `points` nodes on [−W/2, W/2];
    /// binary: ±W/2) times g and ω0 from their distributions (fixed: one node; uniform /
    /// log-uniform: Gauss–Legendre in x or ln x; binary: min and max). W = 0 with a fixed g and
    /// ω0 is `clean(g:)` exactly.
    public static func product(width: Double, kind: OnSiteDisorder, g: SiteDistribution, omega0: SiteDistribution = .fixed(.nan),
                               points: Int) -> DMFTSiteAverage {
        let eps: [(Double, Double)]
        if width == 0 {
            eps = [(1, 0)]
        } else {
            switch kind {
            case .binary: eps = [(0.5, -width / 2), (0.5, width / 2)]
            case .box: eps = GaussLegendre.nodes(points).map { ($0.weight / 2, $0.x * width / 2) }
            }
        }
        func rule(_ d: SiteDistribution) -> [(Double, Double)] {
            switch d {
            case .fixed(let v): return [(1, v)]
            case .binary(let a, let b): return [(0.5, a), (0.5, b)]
            case .uniform(let a, let b): return GaussLegendre.nodes(points).map { ($0.weight / 2, a + (b - a) * ($0.x + 1) / 2) }
            case .logUniform(let a, let b):
                return GaussLegendre.nodes(points).map { ($0.weight / 2, exp(log(a) + (log(b) - log(a)) * ($0.x + 1) / 2)) }
            }
        }
        // A fixed ω0 is the DMFT's own (nil on the nodes).
        let w0s: [(Double, Double?)] = omega0.isFixed ? [(1, nil)] : rule(omega0).map { ($0.0, $0.1) }
        var nodes: [Node] = []
        for (we, e) in eps {
            for (wg, gv) in rule(g) {
                for (ww, w0) in w0s { nodes.append(Node(weight: we * wg * ww, epsilon: e, g: gv, omega0: w0)) }
            }
        }
        return DMFTSiteAverage(nodes: nodes)
    }

    public var isClean: Bool { nodes.count == 1 && nodes[0].epsilon == 0 && nodes[0].omega0 == nil }
    /// Whether the sites have ω0's of their own (then the grid must be uniform).
    public var hasDistributedOmega0: Bool { nodes.contains { $0.omega0 != nil } }
    /// The largest site ω0, if the sites have their own.
    public var largestOmega0: Double? { nodes.compactMap(\.omega0).max() }
    public var largestG: Double { nodes.map { abs($0.g) }.max()! }
    public var largestEpsilon: Double { nodes.map { abs($0.epsilon) }.max()! }
}
