import Foundation

/// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n from the Chebyshev guesses; the
/// weights sum to 2 and the rule is exact for polynomials of degree 2n − 1, which a test checks).
public enum GaussLegendre {
    public static func nodes(_ n: Int) -> [(x: Double, weight: Double)] {
        precondition(n >= 1)
        var out: [(x: Double, weight: Double)] = []
        for i in 0..<n {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                if n == 1 { p1 = x; p0 = 1 }
                for k in stride(from: 2, through: n, by: 1) {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                // p1 = P_n(x), p0 = P_{n−1}(x)
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let dx = p1 / derivative
                x -= dx
                if abs(dx) < 1e-16 { break }
            }
            out.append((x, 2 / ((1 - x * x) * derivative * derivative)))
        }
        return out.sorted { $0.x < $1.x }
    }
}
