import Foundation

/// OpenBLAS picks its kernels by the CPU model at load time. On CPUs newer than the library
/// (OpenBLAS 0.3.21 on a Sapphire Rapids VM, measured) it falls back to its generic "Prescott"
/// kernels: dgemm at 8–15 instead of 50–60 GFLOP/s, and FTLM 2–3 times slower. The fix is the
/// library's own switch, OPENBLAS_CORETYPE, which must be set before the library loads: the
/// process sets it and executes itself again, once.
public enum BLASKernels {
    /// Cores OpenBLAS reports for CPUs without AVX2: on a CPU that has AVX2 they mean the library
    /// did not recognise the model.
    public static let preAVX2 = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "sandybridge", "katmai",
                          "coppermine", "northwood", "banias", "opteron", "opteron_sse3", "barcelona", "bobcat",
                          "bulldozer", "piledriver", "steamroller", "excavator", "nano"]

    /// The OPENBLAS_CORETYPE to ask for, or nil when OpenBLAS's own choice stands (it chose an
    /// AVX2-class core, the CPU lacks AVX2, or the user set the variable).
    public static func better(core: String, cpuFlags: Set<String>, environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, preAVX2.contains(core.lowercased()) else { return nil }
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }

    /// The feature flags of the first CPU in /proc/cpuinfo (empty where there is none).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let cpuinfo, let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.drop { $0 != ":" }.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
    }

    /// Executes this program again with OPENBLAS_CORETYPE set when OpenBLAS fell back to
    /// pre-AVX2 kernels on an AVX2 or AVX-512 CPU. Returns if there is nothing to do, or if the
    /// execution fails (the run then goes on with the slow kernels).
    public static func chooseOrReexecute() {
        #if os(Linux)
        guard let core = better(core: BLAS.coreName, cpuFlags: cpuFlags(), environment: ProcessInfo.processInfo.environment) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        #endif
    }
}
