import Foundation
import LinearAlgebra
import Numerics

/// Settings of a full diagonalisation of every momentum sector (N ≤ 12).
public struct EDSettings: Sendable {
    public var model: TLSModel
    public var temperatures: [Double]
    public var twists: Int
    public var binWidth: Double
    public var omegaMax: Double

    public init(model: TLSModel, temperatures: [Double], twists: Int = 1, binWidth: Double = 5e-4, omegaMax: Double? = nil) {
        self.model = model; self.temperatures = temperatures; self.twists = twists; self.binWidth = binWidth
        self.omegaMax = omegaMax ?? TLSSpectrumRange.defaultOmegaMax(model)
    }
}

public enum TLSSpectrumRange {
    /// Transitions carrying weight lie within the band and a few TLS quanta: this range keeps
    /// histograms small; any weight beyond it is still counted (`StickHistogram.beyond`).
    public static func defaultOmegaMax(_ m: TLSModel) -> Double {
        4 * abs(m.t) + 2 * abs(m.g) + 4 * abs(m.omega0) + 1
    }
}

/// The exact reference: every sector (and twist) diagonalised with LAPACK `zheevd`, current
/// matrix elements J = U†(jU) by one `zgemm`, Kubo sums pooled under one global Z.
public enum ExactDiagonalization {
    public static func sectorSums(_ sector: Sector, weight: Double, into sums: inout KuboSums) throws {
        let d = sector.dimension
        let (energies, u) = try hermitianEigen(n: d, matrix: sector.dense(.hamiltonian))
        var ju = [ComplexDouble](repeating: .zero, count: d * d)
        var ku = ju
        u.withUnsafeBufferPointer { up in
            ju.withUnsafeMutableBufferPointer { jp in
                ku.withUnsafeMutableBufferPointer { kp in
                    for col in 0..<d {
                        sector.apply(.current, up.baseAddress! + col * d, into: jp.baseAddress! + col * d)
                        sector.apply(.kinetic, up.baseAddress! + col * d, into: kp.baseAddress! + col * d)
                    }
                }
            }
        }
        var kinetic = [Double](repeating: 0, count: d)
        for n in 0..<d {
            var acc = 0.0
            for s in 0..<d { let a = u[n * d + s], b = ku[n * d + s]; acc += a.real * b.real + a.imaginary * b.imaginary }
            kinetic[n] = acc
        }
        var jm = [ComplexDouble](repeating: .zero, count: d * d)
        u.withUnsafeBufferPointer { up in
            ju.withUnsafeBufferPointer { jp in
                jm.withUnsafeMutableBufferPointer { mp in
                    complexMultiply(up.baseAddress!, rowsA: d, colsA: d, .adjoint, jp.baseAddress!, rowsB: d, colsB: d, .none,
                                    into: mp.baseAddress!)
                }
            }
        }
        let j2 = jm.map { $0.lengthSquared }
        j2.withUnsafeBufferPointer {
            sums.addEigenpairs(energies: energies, currentSquared: $0, kinetic: kinetic, floor: sector.model.energyFloor, weight: weight)
        }
    }

    public static func compute(_ s: EDSettings, progress: (Double) -> Void = { _ in }) throws -> (spectrum: StickHistogram, kinetic: [Double]) {
        var sums = KuboSums(temperatures: s.temperatures, binWidth: s.binWidth,
                            binCount: Int((s.omegaMax / s.binWidth).rounded(.up)))
        let momenta = s.model.momenta(twists: s.twists)
        for (k, m) in momenta.enumerated() {
            try sectorSums(Sector(model: s.model, kappa: m.kappa), weight: m.multiplicity, into: &sums)
            progress(Double(k + 1) / Double(momenta.count))
        }
        let r = sums.normalised()
        return (r.sigma, r.kinetic)
    }
}
