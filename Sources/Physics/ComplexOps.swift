import LinearAlgebra
import Numerics

// Real × complex products, which swift-numerics leaves to the caller.
extension Complex where RealType == Double {
    @inline(__always) static func * (a: Double, z: Complex<Double>) -> Complex<Double> { Complex(a * z.real, a * z.imaginary) }
    @inline(__always) static func * (z: Complex<Double>, a: Double) -> Complex<Double> { Complex(a * z.real, a * z.imaginary) }
    @inline(__always) static func / (z: Complex<Double>, a: Double) -> Complex<Double> { Complex(z.real / a, z.imaginary / a) }
}
