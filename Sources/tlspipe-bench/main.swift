// Benchmarks: printed figures a reader can compare, nothing asserted.
import Foundation
import LinearAlgebra
import Physics
import Numerics

// The kernels the product runs with (OpenBLAS falls back to slow ones on CPUs it does not know).
BLASKernels.chooseOrReexecute()

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

/// Best of `repeats` timings.
func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var b = Double.infinity
    for _ in 0..<repeats { b = min(b, try seconds(body)) }
    return b
}

func line(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

// `--profile-ftlm N M [ω0]`: two FTLM random vectors and one Lanczos run, for a profiler.
if let i = CommandLine.arguments.firstIndex(of: "--profile-ftlm"), CommandLine.arguments.count > i + 2,
   let n = Int(CommandLine.arguments[i + 1]), let m = Int(CommandLine.arguments[i + 2]) {
    // Optional third value: ω0 (default 0.05).
    let w0 = CommandLine.arguments.count > i + 3 ? Double(CommandLine.arguments[i + 3]) ?? 0.05 : 0.05
    // TLSPIPE_BENCH_THREADS=1: the cost of one cluster task on one core.
    let threads = Int(ProcessInfo.processInfo.environment["TLSPIPE_BENCH_THREADS"] ?? "") ?? 2
    let model = TLSModel(sites: n, t: 1, g: 1, omega0: w0)
    let sector = Sector(model: model, kappa: 2 * Double.pi / Double(n))
    var sums = KuboSums(temperatures: [0.1, 0.2, 0.5, 1, 2, 5], binWidth: 5e-4, binCount: Int(TLSSpectrumRange.defaultOmegaMax(model) / 5e-4) + 1)
    let start = FTLM.randomVector(dimension: sector.dimension, seed: 1, momentum: 1, vector: 0)
    BLAS.setThreads(threads)
    let storage = KrylovStorage(dimension: sector.dimension, steps: m)
    // TLSPIPE_BENCH_VECTORS=0: the Lanczos run alone.
    let vectors = Int(ProcessInfo.processInfo.environment["TLSPIPE_BENCH_VECTORS"] ?? "") ?? 3
    var each: [Double] = []
    for _ in 0..<vectors { each.append(try seconds { try FTLM.addRandomVector(sector, start: start, steps: m, weight: 1, storage: storage, threads: threads, into: &sums) }) }
    if vectors > 0 {
        line(String(format: "FTLM N = %d, M = %d, %d thread(s), seconds per vector (the first faults in the bases): ", n, m, threads)
             + each.map { String(format: "%.2f", $0) }.joined(separator: ", "))
    }
    var basis: KrylovBasis? = nil
    // Twice: the first run may fault in the basis (without vectors before it).
    var tL = 0.0
    for _ in 0..<2 { tL = start.withUnsafeBufferPointer { sp in seconds { basis = KrylovBasis(sector: sector, start: sp.baseAddress!, steps: m, storage: storage.first, threads: threads) } } }
    // A fingerprint of α and β: a kernel change that keeps every sum's order keeps it.
    var fingerprint: UInt64 = 1469598103934665603
    for x in basis!.alpha + basis!.beta { fingerprint = (fingerprint ^ x.bitPattern) &* 1099511628211 }
    line(String(format: "one Lanczos run %.2f s: %d reorthogonalisations against %d columns in all, %d second passes; α, β fingerprint %016llx",
                tL, basis!.reorthogonalisations, basis!.reorthogonalisedColumns, basis!.secondPasses, fingerprint))
    exit(0)
}

// `--profile-exact N M ω0 window [max]`: the exact low states of hybrid FTLM, sector by sector.
if let i = CommandLine.arguments.firstIndex(of: "--profile-exact"), CommandLine.arguments.count > i + 4,
   let n = Int(CommandLine.arguments[i + 1]), let m = Int(CommandLine.arguments[i + 2]),
   let w0 = Double(CommandLine.arguments[i + 3]), let window = Double(CommandLine.arguments[i + 4]) {
    let maxStates = CommandLine.arguments.count > i + 5 ? Int(CommandLine.arguments[i + 5]) ?? 64 : 64
    let model = TLSModel(sites: n, t: 1, g: 1, omega0: w0)
    BLAS.setThreads(1)
    var settings = FTLMSettings(model: model, temperatures: [1], lanczosSteps: m, randomVectors: 1, seed: 1)
    settings.exactWindow = window
    settings.exactMaxStates = maxStates
    var found: [ExactLowStates] = []
    let t = try seconds { found = try LowStateCache(settings).states(storage: KrylovStorage(dimension: model.sectorDimension, steps: m), threads: 2) }
    for (k, mom) in model.momenta(twists: 1).enumerated() {
        let e = found[k].energies
        line(String(format: "κ = %.3f: %d exact states in [%.4f, %.4f]", mom.kappa, e.count, e.first ?? .nan, e.last ?? .nan))
    }
    line(String(format: "%d exact states in %.1f s (lowest energies, Lanczos runs, spectra)", found.map(\.count).reduce(0, +), t))
    exit(0)
}

line("tlspipe benchmarks — \(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS core \(BLAS.coreName)")
line("")

nonisolated(unsafe) var triadGBs = 30.0

/// `--only blas|static|dmft|model|disorder|driver`: that section alone (the triad, their
/// yardstick, always runs); repeatable.
let onlySections: Set<String> = Set(CommandLine.arguments.indices.compactMap { i in
    i > 0 && CommandLine.arguments[i - 1] == "--only" ? CommandLine.arguments[i] : nil
})
func wanted(_ section: String) -> Bool { onlySections.isEmpty || onlySections.contains(section) }

/// Peak resident memory of this process (VmHWM), in bytes.
func peakRSSBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for l in text.split(separator: "\n") where l.hasPrefix("VmHWM:") {
        return (Int(l.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
    return 0
}

// Memory bandwidth: STREAM-style triad a = b + s·c on 3 × 2^24 doubles (384 MiB), one thread.
do {
    let n = 1 << 24
    var a = [Double](repeating: 0, count: n)
    let b = [Double](repeating: 1, count: n), c = [Double](repeating: 2, count: n)
    let t = best(5) {
        a.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeBufferPointer { pc in
                    for i in 0..<n { pa[i] = pb[i] + 3 * pc[i] }
                }
            }
        }
    }
    triadGBs = 24 * Double(n) / t / 1e9
    line(String(format: "STREAM triad (1 thread):            %6.1f GB/s  (3 × 8 B per element, %d elements)", triadGBs, n))
    precondition(a[n / 2] == 7)
}

// BLAS/LAPACK rates: the yardstick for the stages built on them.
var dgemmRate = 0.0, dgemm2Rate = 0.0
for threads in [1, 2] where wanted("blas") || wanted("model") || wanted("disorder") {
    BLAS.setThreads(threads)
    let n = 1500
    var rng = Xoshiro256(seed: 1)
    let a = Matrix(rows: n, cols: n, values: (0..<n * n).map { _ in rng.uniform() })
    let t = best(3) { _ = multiply(a, a) }
    let rate = 2 * pow(Double(n), 3) / t / 1e9
    if threads == 1 { dgemmRate = rate } else { dgemm2Rate = rate }
    line(String(format: "dgemm n = %d, %d thread(s):       %6.1f GFLOP/s", n, threads, rate))
}
BLAS.setThreads(1)

// Static disorder: time per realisation against its two LAPACK/BLAS parts.
for n in [600, 1000] where wanted("static") {
    let s = StaticDisorderSettings(sites: n, realizations: 1, batches: 1, seed: 1, temperatures: [0.2, 0.5, 1, 2, 5])
    let eps = StaticDisorder.siteEnergies(sites: n, g: 1, seed: 1, realization: 0)
    let h = StaticDisorder.hamiltonian(energies: eps, t: 1, boundary: .periodic)
    let tEig = try best(3) { _ = try symmetricEigen(h) }
    let tGemm = best(3) { _ = multiply(h, h, transposeA: .transpose) }
    let tAll = try best(3) { _ = try StaticDisorder.kuboSums(energies: eps, settings: s) }
    line(String(format: "static-disorder N = %4d (5 T):     %6.3f s per realisation = dsyevd %.3f s + dgemm %.3f s (%.0f GFLOP/s) + Kubo sums %.3f s",
                n, tAll, tEig, tGemm, 2 * pow(Double(n), 3) / tGemm / 1e9, tAll - tEig - tGemm))
}

// DMFT: one self-consistent solve and one conductivity evaluation at the default controls.
if wanted("dmft") {
    line("")
    for (w0, T) in [(0.05, 1.0), (1.0, 0.1), (2.0, 0.2), (2.0, 0.1)] {
        let d = DMFT(g: 1, omega0: w0)
        var sol: DMFTSolution? = nil
        let tSolve = try best(2) { sol = try d.solve(temperature: T) }
        var cond: DMFTConductivity? = nil
        let tCond = try best(2) { cond = try d.conductivity(temperature: T, base: sol!, omegaMax: 8, omegaStep: 0.01) }
        let refined = d.transportGrid(sol!).residues.count - d.residues.count
        line(String(format: "DMFT ω0 = %.2f, T = %.2f: solve %.3f s (%d points, %d iterations), conductivity (801 ω) %.3f s%@",
                    w0, T, tSolve, d.omega.count, sol!.iterations, tCond,
                    refined > 0 ? " incl. re-solve on the transport grid (+\(refined) residues per ω0)" as NSString : "" as NSString))
        _ = cond
    }
}

// The electron–TLS model: matrix-free H·v against the triad bandwidth, and FTLM per random vector.
let onlyQuick = CommandLine.arguments.contains("--quick")
if wanted("model") {
    line("")
    for n in [16, 18] {
        let model = TLSModel(sites: n, t: 1, g: 1, omega0: 0.05)
        let sector = Sector(model: model, kappa: 0.3)
        let d = sector.dimension
        var rng = Xoshiro256(seed: 3)
        let v = (0..<d).map { _ in ComplexDouble(rng.gaussian(), rng.gaussian()) }
        var out = [ComplexDouble](repeating: .zero, count: d)
        let reps = n == 16 ? 200 : 50
        let t = v.withUnsafeBufferPointer { vp in
            out.withUnsafeMutableBufferPointer { op in
                best(3) { for _ in 0..<reps { sector.apply(.hamiltonian, vp.baseAddress!, into: op.baseAddress!) } }
            }
        } / Double(reps)
        // Useful traffic: read v once, write the result once (16 + 16 bytes per row; the diagonal
        // is recomputed from the popcount). The vectors (1 MB at N = 16, 4 MB at N = 18) live in
        // the L3 cache, so this can exceed the DRAM triad.
        line(String(format: "H·v N = %d (D = %d, 2 threads):    %7.3f ms, %6.1f GB/s useful traffic, %.0f%% of the 1-thread DRAM triad",
                    n, d, t * 1e3, 32 * Double(d) / t / 1e9, 100 * 32 * Double(d) / t / 1e9 / triadGBs))
    }
    // zgemm peak on the X-matrix shape (M × D)·(D × M) at N = 16, M = 1200.
    for threads in [1, 2] {
        BLAS.setThreads(threads)
        let d = 1 << 14, m = 600
        var rng = Xoshiro256(seed: 4)
        let a = (0..<d * m).map { _ in ComplexDouble(rng.uniform(), rng.uniform()) }
        var c = [ComplexDouble](repeating: .zero, count: m * m)
        let tz = a.withUnsafeBufferPointer { ap in c.withUnsafeMutableBufferPointer { cp in
            best(2) { complexMultiply(ap.baseAddress!, rowsA: d, colsA: m, .adjoint, ap.baseAddress!, rowsB: d, colsB: m, .none, into: cp.baseAddress!) }
        } }
        line(String(format: "zgemm (M × D)·(D × M), D = %d, M = %d, %d thread(s): %6.1f GFLOP/s", d, m, threads, 8 * Double(d * m * m) / tz / 1e9))
    }
    BLAS.setThreads(1)
    if !onlyQuick {
        // FTLM per random vector per sector on the whole machine (2 threads),
        // with the Krylov storage already allocated (as in a batch: it is reused across vectors).
        BLAS.setThreads(ProcessInfo.processInfo.activeProcessorCount)
        for (n, m) in [(16, 1200), (18, 600)] {
            let model = TLSModel(sites: n, t: 1, g: 1, omega0: 0.05)
            let sector = Sector(model: model, kappa: 2 * Double.pi / Double(n))
            var sums = KuboSums(temperatures: [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10], binWidth: 5e-4, binCount: Int(TLSSpectrumRange.defaultOmegaMax(model) / 5e-4) + 1)
            let d = sector.dimension
            let storage = KrylovStorage(dimension: d, steps: m)
            let start = FTLM.randomVector(dimension: d, seed: 1, momentum: 1, vector: 0)
            let tCold = try seconds { try FTLM.addRandomVector(sector, start: start, steps: m, weight: 1, storage: storage, threads: 2, into: &sums) }
            let tAll = try seconds { try FTLM.addRandomVector(sector, start: start, steps: m, weight: 1, storage: storage, threads: 2, into: &sums) }
            var basis: KrylovBasis? = nil
            let tL = start.withUnsafeBufferPointer { sp in seconds { basis = KrylovBasis(sector: sector, start: sp.baseAddress!, steps: m, storage: storage.first, threads: 2) } }
            var x = [Double](repeating: 0, count: m * m)
            let tX = seconds { FTLM.realOverlaps(storage.first, storage.second, rows: d, m, m, threads: 2, into: &x) }
            let flops = 4 * Double(d) * Double(m) * Double(m)
            let peak = Double(peakRSSBytes()) / 1e9
            line(String(format: "FTLM N = %d, M = %d: %6.2f s per random vector per sector (first vector of a batch %.2f s); one Lanczos run %.2f s (%d of %d steps reorthogonalised against %.0f columns on average, %d second passes), X = Re[(jV)†Ṽ] %.2f s = %.0f GFLOP/s (%.0f%% of 2-thread dgemm); peak RSS %.1f GB",
                        n, m, tAll, tCold, tL, basis!.reorthogonalisations, m, Double(basis!.reorthogonalisedColumns) / Double(max(1, basis!.reorthogonalisations)), basis!.secondPasses, tX, flops / tX / 1e9, 100 * flops / tX / 1e9 / dgemm2Rate, peak))
        }
        // κ = 0 and π as real spaces (`RealSector`): a real random vector against a complex one
        // (its trace estimate has twice the variance, so real pays when it costs under half).
        for (n, m) in [(16, 1200)] {
            let model = TLSModel(sites: n, t: 1, g: 1, omega0: 0.05)
            let complex = Sector(model: model, kappa: 0), real = RealSector(complex)!
            var sums = KuboSums(temperatures: [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10], binWidth: 5e-4, binCount: Int(TLSSpectrumRange.defaultOmegaMax(model) / 5e-4) + 1)
            let start = FTLM.randomVector(dimension: complex.dimension, seed: 1, momentum: 0, vector: 0)
            let storage = KrylovStorage(dimension: complex.dimension, steps: m)
            _ = try seconds { try FTLM.addRandomVector(complex, start: start, steps: m, weight: 1, storage: storage, threads: 2, into: &sums) }
            let tComplex = try seconds { try FTLM.addRandomVector(complex, start: start, steps: m, weight: 1, storage: storage, threads: 2, into: &sums) }
            let pairs = Array(start.prefix(real.dimension))
            let realStorage = KrylovStorage(dimension: real.dimension, steps: m, realPairs: true)
            _ = try seconds { try FTLM.addRandomVector(real, start: pairs, steps: m, weight: 1, storage: realStorage, threads: 2, into: &sums) }
            let tReal = try seconds { try FTLM.addRandomVector(real, start: pairs, steps: m, weight: 1, storage: realStorage, threads: 2, into: &sums) }
            line(String(format: "FTLM N = %d, M = %d at κ = 0: complex vector %.2f s (bases %.2f GB), real vector %.2f s (bases %.2f GB): real/complex cost %.2f, per unit of error %.2f",
                        n, m, tComplex, 2 * Double(m * complex.dimension * 16) / 1e9, tReal, 2 * Double(m * complex.dimension * 8) / 1e9,
                        tReal / tComplex, 2 * tReal / tComplex))
        }
        BLAS.setThreads(1)
    }
}

// Disorder (real space, N·2^N real amplitudes per realisation): H·v against the triad, and FTLM
// per random vector per realisation (M = 600) with its peak memory. `--quick` skips the FTLM part.
if wanted("disorder") {
    line("")
    let disorder = DisorderSettings(sites: 12, width: 1, kind: .box, omega0: .logUniform(min: 0.01, max: 1), g: .fixed(1), seed: 1)
    for n in [12, 14, 16] {
        var ds = disorder
        ds.sites = n
        let space = RealSpaceChain(ds.realization(0), floor: ds.energyFloor)
        let d = space.dimension, amplitudes = space.chain.dimension
        var rng = Xoshiro256(seed: 3)
        let v = (0..<d).map { _ in ComplexDouble(rng.gaussian(), rng.gaussian()) }
        var out = [ComplexDouble](repeating: .zero, count: d)
        let reps = max(2, (1 << 22) / d)
        let t = v.withUnsafeBufferPointer { vp in
            out.withUnsafeMutableBufferPointer { op in
                best(3) { for _ in 0..<reps { space.apply(.hamiltonian, vp.baseAddress!, into: op.baseAddress!) } }
            }
        } / Double(reps)
        // Useful traffic: v read three times (block x and its two neighbours), the result written
        // once, 8 B per real amplitude.
        let traffic = 4 * 8 * Double(amplitudes)
        line(String(format: "real-space H·v N = %d (D = %d real, 2 threads): %8.3f ms, %6.1f GB/s useful traffic, %.0f%% of the 1-thread DRAM triad",
                    n, amplitudes, t * 1e3, traffic / t / 1e9, 100 * traffic / t / 1e9 / triadGBs))
    }
    if !onlyQuick {
        BLAS.setThreads(1)
        for n in [12, 14, 16] {
            var ds = disorder
            ds.sites = n
            let m = 600
            let s = FTLMSettings(model: TLSModel(sites: n, t: 1, g: 1, omega0: 0.1), temperatures: [0.1, 0.2, 0.5, 1, 2, 5],
                                 lanczosSteps: m, randomVectors: 1, batches: 1, seed: 2, omegaMax: 12)
            let storage = KrylovStorage(dimension: RealSpaceChain.storedDimension(sites: n), steps: m, realPairs: true)
            // The first vector faults in the bases' pages (on this VM that varied between runs by 3×).
            let tCold = try seconds { _ = try FTLM.realSpaceSums(s, disorder: ds, realization: 0, batch: 0, threads: 2, storage: storage) }
            let t = try seconds { _ = try FTLM.realSpaceSums(s, disorder: ds, realization: 0, batch: 0, threads: 2, storage: storage) }
            // The X product of the last vector's two bases: a real GEMM over the D amplitudes.
            var x = [Double](repeating: 0, count: m * m)
            let d = RealSpaceChain.storedDimension(sites: n)
            let tX = seconds { FTLM.realOverlaps(storage.first, storage.second, rows: d, m, m, threads: 2, into: &x) }
            let flops = 2 * Double(n << n) * Double(m) * Double(m)
            // One Lanczos run from the same start, alone: where the rest of the time goes.
            let space = RealSpaceChain(ds.realization(0), floor: ds.energyFloor)
            let start = FTLM.randomVector(dimension: d, seed: s.seed, stream: FTLM.realSpaceStream(realization: 0, vector: 0))
            var basis: KrylovBasis? = nil
            let tL = start.withUnsafeBufferPointer { sp in seconds { basis = KrylovBasis(sector: space, start: sp.baseAddress!, steps: m, storage: storage.first, threads: 2) } }
            line(String(format: "real-space FTLM N = %d (D = %d real), M = %d: %6.2f s per random vector per realisation (first vector of a shard %.2f s); one Lanczos run %.2f s (%d of %d steps reorthogonalised against %.0f columns on average); X = AVᵀṼ %.2f s = %.0f GFLOP/s (%.0f%% of 2-thread dgemm); peak RSS %.1f GB",
                        n, n << n, m, t, tCold, tL, basis!.reorthogonalisations, m, Double(basis!.reorthogonalisedColumns) / Double(max(1, basis!.reorthogonalisations)),
                        tX, flops / tX / 1e9, 100 * flops / tX / 1e9 / dgemm2Rate, Double(peakRSSBytes()) / 1e9))
        }
    }
}

// Driver overhead: no-op run and status of the default spec (built already or built now).
let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tlspipe").path
let driverBench = wanted("driver")
if driverBench, FileManager.default.isExecutableFile(atPath: exe), FileManager.default.fileExists(atPath: "pipelines/default.json") {
    func runTool(_ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
    let tFirst = seconds { _ = runTool(["run", "pipelines/default.json", "--jobs", "2"]) }
    line("")
    line(String(format: "default spec, run (whatever was stale): %7.2f s", tFirst))
    let tNoop = best(10) { _ = runTool(["run", "pipelines/default.json"]) }
    let tStatus = best(10) { _ = runTool(["status", "pipelines/default.json"]) }
    line(String(format: "default spec, no-op run:             %7.1f ms (best of 10; goal well under 100 ms)", tNoop * 1000))
    line(String(format: "default spec, status:                %7.1f ms (best of 10)", tStatus * 1000))
    // Scaling of the driver's own work: generated specs of n instances (n/2 tiny static-disorder
    // stages swept over the seed, each followed by a filter), built once, then a no-op run and
    // status. Goal: 2 000 instances ≤ 200 ms, growing linearly.
    let scaleDir = NSTemporaryDirectory() + "tlspipe-bench-scale-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: scaleDir) }
    try? FileManager.default.createDirectory(atPath: scaleDir, withIntermediateDirectories: true)
    for n in [500, 1000, 2000] {
        let seeds = (0..<(n / 2)).map(String.init).joined(separator: ", ")
        let spec = """
        {"name": "scale\(n)", "stages": [
          {"id": "s", "kind": "static-disorder", "params": {"sites": 4, "realizations": 1, "batches": 1, "temperatures": [1], "bin_width": 0.01}, "sweep": {"seed": [\(seeds)]}},
          {"id": "f", "kind": "filter", "params": {"delta": 0.1, "omega_max": 1}, "inputs": {"spectrum": "s"}}
        ]}
        """
        let file = scaleDir + "/scale\(n).json"
        try? spec.write(toFile: file, atomically: true, encoding: .utf8)
        let data = ["--data-dir", scaleDir + "/d\(n)", "--figures-dir", scaleDir + "/f\(n)"]
        let tBuild = seconds { _ = runTool(["run", file, "--jobs", "2"] + data) }
        let tN = best(5) { _ = runTool(["run", file] + data) }
        let tS = best(5) { _ = runTool(["status", file] + data) }
        line(String(format: "generated spec, %4d instances: no-op run %6.1f ms, status %6.1f ms (best of 5; first build %.1f s)", n, tN * 1000, tS * 1000, tBuild))
    }
    // The whole DMFT part of the paper's figures (6 ω0 × 15 temperatures), in a scratch folder.
    if !onlyQuick, FileManager.default.fileExists(atPath: "pipelines/paper.json") {
        let scratch = NSTemporaryDirectory() + "tlspipe-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let tDMFT = seconds { _ = runTool(["run", "pipelines/paper.json", "--target", "dmft", "--data-dir", scratch + "/data", "--figures-dir", scratch + "/figures"]) }
        line(String(format: "paper spec, every DMFT stage (6 ω0 × 15 T, spectra, σ, ρ): %6.1f s", tDMFT))
    }
} else if driverBench {
    line("(tlspipe binary or pipelines/default.json not found: run from the repository after `swift build -c release`)")
}
