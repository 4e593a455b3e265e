import Foundation
import LinearAlgebra

/// The CPU features the numerical kernels were compiled for (Package.swift: -target-cpu haswell).
enum CPUCheck {
    static let required = ["avx2", "fma", "bmi2"]

    /// A one-line message if this CPU lacks one of them (x86-64 Linux only; elsewhere nil).
    static func missingFeatures(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String? {
        #if arch(x86_64)
        let flags = BLASKernels.cpuFlags(cpuinfo: cpuinfo)
        guard !flags.isEmpty else { return nil }
        let missing = required.filter { !flags.contains($0) }
        guard !missing.isEmpty else { return nil }
        return "this CPU lacks \(missing.joined(separator: ", ")), which tlspipe's numerical kernels need (x86-64 with AVX2 and FMA, Haswell or later); run it on a newer node or rebuild without -target-cpu haswell in Package.swift"
        #else
        return nil
        #endif
    }
}
