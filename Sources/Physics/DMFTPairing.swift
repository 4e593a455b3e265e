import Foundation
import LinearAlgebra
import Numerics

/// The pieces of the DMFT bubble at one frequency ν and the ε-integral
///   I(ν, ν') = ∫dε N(ε)φ(ε) A(ν, ε) A(ν', ε)
/// in closed form, for grid points and for partners ν + ω that fall between uniform points
/// (interpolated there): σ(ω > 0) pairs every grid point ν, refined ones included, with ν + ω.
struct DMFTPairing {
    struct Point {
        /// z = ν − Σ(ν), F(z) = z − √(z² − 4t²).
        var z: ComplexDouble
        var f: ComplexDouble
        /// e^{−βν} relative to the conductivity's common scale.
        var b: Double
        /// Spectral weight at ν (A vanishes where the DOS does, and so does I).
        var hasWeight: Bool
        /// A Lorentzian outside the band with Γ ≪ its distance to it (a thermal replica below the
        /// band bottom): it reaches the band only by its tail Γ/(π(x − ε)²), where the closed form
        /// cancels catastrophically, so its first order in Γ is used instead.
        var tail: Bool
    }

    let dmft: DMFT
    let points: [Point]
    /// For each grid point: the uniform point at or below it (index into `dmft.uniformIndices`)
    /// and its distance above it in steps, in [0, 1).
    private let below: [Int]
    private let fraction: [Double]
    private let uniformZ: [ComplexDouble]
    private let omega: [Double]
    private let beta: Double, logScale: Double

    init(_ dmft: DMFT, _ sol: DMFTSolution, z1: [ComplexDouble], beta: Double, logScale: Double) {
        self.dmft = dmft
        self.beta = beta; self.logScale = logScale
        omega = sol.omega
        let n = z1.count
        var pts: [Point] = []
        pts.reserveCapacity(n)
        let dos = sol.dos  // a computed array: once, not per point
        for i in 0..<n {
            pts.append(Self.point(dmft, z: z1[i], nu: sol.omega[i], dos: dos[i], beta: beta, logScale: logScale))
        }
        points = pts
        let uniform = dmft.uniformIndices
        uniformZ = uniform.map { z1[$0] }
        var below = [Int](repeating: 0, count: n), fraction = [Double](repeating: 0, count: n)
        var k = 0
        for i in 0..<n {
            while k + 1 < uniform.count && uniform[k + 1] <= i { k += 1 }
            below[i] = k
            fraction[i] = uniform[k] == i ? 0 : min(max(0, (sol.omega[i] - sol.omega[uniform[k]]) / dmft.step), 1)
        }
        self.below = below
        self.fraction = fraction
    }

    static func point(_ dmft: DMFT, z: ComplexDouble, nu: Double, dos: Double, beta: Double, logScale: Double) -> Point {
        let band = 2 * abs(dmft.t)
        let dist = abs(z.real) - band
        return Point(z: z, f: z - dmft.root(z), b: exp(-beta * nu - logScale), hasWeight: dos > 0,
                     tail: dist > 0 && z.imaginary < 1e-4 * dist)
    }

    /// The point ν_i + shift·h: a grid point when ν_i is uniform, else z interpolated linearly
    /// between the uniform points around it (nil beyond the grid).
    func partner(of i: Int, shift: Int) -> Point? {
        let k = below[i] + shift
        guard k < uniformZ.count else { return nil }
        let u = dmft.uniformIndices[k]
        let x = fraction[i]
        if x == 0 { return points[u] }
        guard k + 1 < uniformZ.count else { return nil }
        let a = uniformZ[k], b = uniformZ[k + 1]
        let z = ComplexDouble(a.real + x * (b.real - a.real), a.imaginary + x * (b.imaginary - a.imaginary))
        let nu = omega[u] + x * dmft.step
        let g = dmft.localGreen(z)
        return Self.point(dmft, z: z, nu: nu, dos: -g.imaginary / Double.pi, beta: beta, logScale: logScale)
    }

    /// I(ν, ν') for two points (`diagonal`: the same point, ν' = ν).
    func overlap(_ p: Point, _ r: Point, diagonal: Bool) -> Double {
        let band = 2 * abs(dmft.t)
        if p.tail && r.tail {
            // O(Γ²): only the diagonal, ∫ √(4t²−ε²)/(π(x−ε)⁴) dε = 2t²x/(x²−4t²)^{5/2}.
            guard diagonal else { return 0 }
            let x = p.z.real, gam = p.z.imaginary
            let root = (x * x - band * band).squareRoot()
            return gam * gam / (Double.pi * Double.pi) * 2 * dmft.t * dmft.t * x / pow(root, 5) * (x < 0 ? -1 : 1)
        }
        if p.tail || r.tail {
            // (Γ_o/π) · (−1/π) Im ∫ Nφ/((x_o − ε)² (z − ε)) dε, z the other point.
            let (o, other) = p.tail ? (p, r) : (r, p)
            let xo = ComplexDouble(o.z.real, 0)
            let d = partial(xo, xo - dmft.root(xo), other.z, other.f)
            return o.z.imaginary / Double.pi * (-1 / Double.pi) * (-d).imaginary
        }
        // ½ Re[(F(z1) − F(z̄2))/(z̄2 − z1) − (F(z1) − F(z2))/(z2 − z1)] / π², the second term
        // −F'(z1) on the diagonal.
        let first = (p.f - r.f.conjugate) / (r.z.conjugate - p.z)
        let second: ComplexDouble = diagonal ? -(1 - p.z / dmft.root(p.z)) : (p.f - r.f) / (r.z - p.z)
        return 0.5 * (first - second).real / (Double.pi * Double.pi)
    }

    /// Φ(ν) = ∫dν' I(ν, ν') = ∫dε Nφ A(ν, ε) = −Im F(z)/π; a thermal replica outside the band by
    /// its first order in Γ, (Γ/π) ∫ Nφ/(x − ε)² dε = −(Γ/π) F'(x), as in `overlap`.
    func rowIntegral(_ p: Point) -> Double {
        if p.tail {
            let x = ComplexDouble(p.z.real, 0)
            return p.z.imaginary / Double.pi * -(1 - x / dmft.root(x)).real
        }
        return -p.f.imaginary / Double.pi
    }

    /// ∂_a [(F(a) − F(b))/(b − a)] = [F'(a)(b − a) + F(a) − F(b)]/(b − a)².
    private func partial(_ a: ComplexDouble, _ fa: ComplexDouble, _ b: ComplexDouble, _ fb: ComplexDouble) -> ComplexDouble {
        let fpa = 1 - a / dmft.root(a)
        return (fpa * (b - a) + fa - fb) / ((b - a) * (b - a))
    }
}
