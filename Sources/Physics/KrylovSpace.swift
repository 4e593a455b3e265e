import LinearAlgebra

/// What the Lanczos and FTLM code runs on: a momentum sector of the translation-invariant ring,
/// or a whole disordered chain in real space. Operators act on complex vectors.
public protocol KrylovSpace: Sendable {
    var dimension: Int { get }
    /// Below every eigenvalue: the reference of the Boltzmann factors.
    var energyFloor: Double { get }
    func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>)
}

extension Sector: KrylovSpace {
    public var energyFloor: Double { model.energyFloor }
}

/// A disordered chain as a Krylov space with a shared energy floor (every realisation of one
/// distribution uses the same floor, so that their sums could pool).
public struct RealSpaceChain: KrylovSpace {
    public let chain: DisorderedChain
    public let energyFloor: Double
    public init(_ chain: DisorderedChain, floor: Double) { self.chain = chain; energyFloor = floor }
    public var dimension: Int { chain.dimension }

    /// The real operators on complex vectors; the current is j = i·A.
    public func apply(_ op: Sector.Operator, _ v: UnsafePointer<ComplexDouble>, into out: UnsafeMutablePointer<ComplexDouble>) {
        let d = dimension
        let re = UnsafeMutablePointer<Double>.allocate(capacity: 4 * d)
        defer { re.deallocate() }
        let im = re + d, outRe = re + 2 * d, outIm = re + 3 * d
        for i in 0..<d { re[i] = v[i].real; im[i] = v[i].imaginary }
        let real: DisorderedChain.Operator
        switch op {
        case .hamiltonian: real = .hamiltonian
        case .kinetic: real = .kinetic
        case .current: real = .current
        }
        chain.apply(real, UnsafePointer(re), into: outRe)
        chain.apply(real, UnsafePointer(im), into: outIm)
        if op == .current {
            for i in 0..<d { out[i] = ComplexDouble(-outIm[i], outRe[i]) }
        } else {
            for i in 0..<d { out[i] = ComplexDouble(outRe[i], outIm[i]) }
        }
    }
}
