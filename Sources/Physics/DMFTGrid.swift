import Foundation

/// The residues u ∈ [0, ω0) of a DMFT grid and their quadrature weights for ∫ dν.
///
/// Base: p uniform residues q·ω0/p (trapezoid weights h). Refined: around the residue u_s of a
/// band edge, a window [u_s − W, u_s + W] on which u = u_s ± s² and s is uniform: integrands
/// with √ or 1/√ behaviour at u_s become smooth in s, so the trapezoid in s converges as Δs².
/// The base residues inside the window stay in the grid (σ(ω > 0) pairs uniform points) with
/// zero weight. Weights sum to ω0 (a test checks it).
struct DMFTGrid {
    var residues: [Double] = []
    var weights: [Double] = []
    var isUniform: [Bool] = []

    /// Fewest s-points per side of the window.
    static let windowPoints = 24

    /// `edgeWidth`: the Γ that rounds the edge. A rounded edge is smooth in s only beyond
    /// s ~ √Γ; unresolved, it costs about √(Γ/W) of the window's integral (measured: the f-sum
    /// off by 4e−3 at ω0 = 2, T = 0.2, Γ = 1e−5 with 24 points), so Δs is made ≤ √Γ/3 where that
    /// matters (√(Γ/W) > 1e−3), with at most 200 points per side.
    init(omega0: Double, basePoints p: Int, edge: Double?, edgeWidth: Double = 0) {
        let h = omega0 / Double(p)
        func wrap(_ u: Double) -> Double { let r = u.truncatingRemainder(dividingBy: omega0); return r < 0 ? r + omega0 : r }
        guard let edge else {
            residues = (0..<p).map { Double($0) * h }
            weights = [Double](repeating: h, count: p)
            isUniform = [Bool](repeating: true, count: p)
            return
        }
        let centre = wrap(edge)
        let halfWidth = min(4 * h, 0.45 * omega0)
        let rounding = (edgeWidth / halfWidth).squareRoot()
        let j = rounding > 1e-3 ? min(200, max(DMFTGrid.windowPoints, Int((3 / rounding).rounded(.up)))) : DMFTGrid.windowPoints
        let ds = halfWidth.squareRoot() / Double(j)
        // (position relative to the centre, weight): the window, both sides, s = 1…J.
        // Trapezoid in s of g(s) = 2s F(u_s ± s²) with g(0) extrapolated as 2g(Δs) − g(2Δs).
        var points: [(offset: Double, weight: Double, uniform: Bool)] = []
        var ends: [Int] = []  // the window's two end points, −W then +W
        for side in [-1.0, 1.0] {
            for k in 1...j {
                let s = Double(k) * ds
                let gWeight: Double = k == 1 ? 2 * ds : (k == 2 ? ds / 2 : (k == j ? ds / 2 : ds))
                if k == j { ends.append(points.count) }
                points.append((k == j ? side * halfWidth : side * s * s, gWeight * 2 * s, false))
            }
        }
        // The base residues, relative to the centre in (−ω0/2, ω0/2].
        for q in 0..<p {
            var d = Double(q) * h - centre
            if d > omega0 / 2 { d -= omega0 }
            if d <= -omega0 / 2 { d += omega0 }
            points.append((d, 0, true))
        }
        // Outside the window: the trapezoid over the base points between the window's ends,
        // going round the period from +W to −W + ω0.
        var outside = points.indices.filter { points[$0].uniform && abs(points[$0].offset) > halfWidth * (1 + 1e-12) }
        outside.sort { wrapFrom(points[$0].offset, halfWidth, omega0) < wrapFrom(points[$1].offset, halfWidth, omega0) }
        let chain = [ends[1]] + outside + [ends[0]]
        var positions = chain.map { wrapFrom(points[$0].offset, halfWidth, omega0) }
        positions[0] = halfWidth                              // +W
        positions[positions.count - 1] = omega0 - halfWidth  // −W + ω0
        for k in 0..<(chain.count - 1) {
            let dx = positions[k + 1] - positions[k]
            points[chain[k]].weight += dx / 2
            points[chain[k + 1]].weight += dx / 2
        }
        // Sort by residue; a window point that coincides with a base point takes its place.
        var merged: [(u: Double, weight: Double, uniform: Bool)] = []
        for pt in points.map({ (u: wrap(centre + $0.offset), weight: $0.weight, uniform: $0.uniform) }).sorted(by: { $0.u < $1.u }) {
            if let last = merged.last, abs(last.u - pt.u) < 1e-12 * omega0 {
                merged[merged.count - 1] = (last.u, last.weight + pt.weight, last.uniform || pt.uniform)
                if pt.uniform { merged[merged.count - 1].u = pt.u }
            } else {
                merged.append(pt)
            }
        }
        residues = merged.map(\.u)
        weights = merged.map(\.weight)
        isUniform = merged.map(\.uniform)
    }
}

/// Position of an offset (relative to the window centre) measured round the period from +W.
private func wrapFrom(_ offset: Double, _ w: Double, _ omega0: Double) -> Double {
    var d = offset
    if d < w { d += omega0 }
    return d
}
