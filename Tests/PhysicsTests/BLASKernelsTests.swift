import XCTest
import LinearAlgebra

/// OpenBLAS's kernel choice: where it falls back to pre-AVX2 kernels on a CPU it does not know,
/// tlspipe asks for the CPU's class instead; otherwise the library's choice and the user's stand.
final class BLASKernelsTests: XCTestCase {
    let avx512: Set<String> = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
    let avx2: Set<String> = ["sse2", "avx", "avx2", "fma"]

    func testFallbackCoresAreReplacedByTheCPUsClass() {
        XCTAssertEqual(BLASKernels.better(core: "Prescott", cpuFlags: avx512, environment: [:]), "SkylakeX")
        XCTAssertEqual(BLASKernels.better(core: "Prescott", cpuFlags: avx2, environment: [:]), "Haswell")
        XCTAssertEqual(BLASKernels.better(core: "Sandybridge", cpuFlags: avx2, environment: [:]), "Haswell")
    }

    func testTheLibrarysAndTheUsersChoicesStand() {
        XCTAssertNil(BLASKernels.better(core: "Haswell", cpuFlags: avx512, environment: [:]))
        XCTAssertNil(BLASKernels.better(core: "SkylakeX", cpuFlags: avx512, environment: [:]))
        XCTAssertNil(BLASKernels.better(core: "Zen", cpuFlags: avx2, environment: [:]))
        XCTAssertNil(BLASKernels.better(core: "Prescott", cpuFlags: avx512, environment: ["OPENBLAS_CORETYPE": "Prescott"]))
        XCTAssertNil(BLASKernels.better(core: "Prescott", cpuFlags: ["sse2", "sse3"], environment: [:]), "a CPU without AVX2 keeps its kernels")
    }

    func testFlagsAreReadFromCPUInfo() {
        let info = "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\nbugs\t\t: none\n"
        XCTAssertEqual(BLASKernels.cpuFlags(cpuinfo: info), ["fpu", "sse2", "avx2", "fma"])
        XCTAssertEqual(BLASKernels.cpuFlags(cpuinfo: nil), [])
    }
}
