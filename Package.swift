// swift-tools-version:6.0
import PackageDescription

// Optimise numerics even in debug test builds: the physics tests diagonalise real matrices.
// Checked (-O, not -Ounchecked): bounds and overflow checks stay on, so an input that slips past
// validation stops with an error instead of corrupting memory; the hot loops use unsafe buffer
// pointers where the benchmark shows it matters.
// The numerical kernels (SIMD loops in H·v and the Lanczos recurrence) need AVX2/FMA to run at
// memory speed: baseline x86-64 code is SSE2 only (measured: H·v 0.16 → 0.12 ms at N = 16).
// The CLI checks the CPU at start-up and says so in one line on a CPU without them.
#if arch(x86_64)
let fast: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "haswell"])]
#else
let fast: [SwiftSetting] = [.unsafeFlags(["-O"])]
#endif

let package = Package(
    name: "tlspipe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tlspipe", targets: ["tlspipe"]),
        .executable(name: "tlspipe-bench", targets: ["tlspipe-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // C libraries from Debian packages, found with pkg-config.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CLapack", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),

        // Thin Swift layers over the C libraries.
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "LinearAlgebra", dependencies: [
            "CLapack", .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: fast),

        // The pipeline engine: spec, DAG, keys, staleness, execution, provenance. No physics.
        .target(name: "PipelineEngine", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Sends stages to a Slurm cluster through sbatch/squeue/scancel. No physics.
        .target(name: "SlurmExecutor", dependencies: [
            "PipelineEngine", .product(name: "Logging", package: "swift-log"),
        ]),

        // The physics: pure functions on value types. No pipeline, no files.
        .target(name: "Physics", dependencies: [
            "LinearAlgebra", .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: fast),

        // gnuplot rendering of figures.
        .target(name: "Figures", dependencies: []),

        // The edge: stage kinds that bind physics + HDF5 + figures to the engine.
        .target(name: "Stages", dependencies: ["PipelineEngine", "Physics", "HDF5", "Figures", "LinearAlgebra"]),

        // The command line (library), the shipped executable, and the test kit: the same command
        // line with test-only stage kinds, which never enter the shipped binary.
        // What a referee opens: the HTML report and the Workflow Run RO-Crate (reads only).
        .target(name: "Reports", dependencies: ["PipelineEngine", "Stages"]),
        .target(name: "TlspipeCLI", dependencies: [
            "Stages", "PipelineEngine", "HDF5", "LinearAlgebra", "Reports", "SlurmExecutor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "tlspipe", dependencies: ["TlspipeCLI", "Stages"]),
        .target(name: "DebugKinds", dependencies: ["Stages", "PipelineEngine", "HDF5", "LinearAlgebra"]),
        .executableTarget(name: "tlspipe-testkit", dependencies: ["TlspipeCLI", "Stages", "DebugKinds", "PipelineEngine"]),
        .executableTarget(name: "tlspipe-bench", dependencies: [
            "Physics", "LinearAlgebra", "Stages", "PipelineEngine",
            .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: fast),

        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
        .testTarget(name: "PhysicsTests", dependencies: [
            "Physics", "LinearAlgebra", "TestSupport", .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: fast),
        // Tests: in-process engine tests, and tests that drive the built binaries (split so a
        // failure says which side broke); both share a scratch-folder and CLI helper.
        .target(name: "TestSupport", dependencies: ["PipelineEngine"], path: "Tests/TestSupport"),
        .testTarget(name: "EngineTests", dependencies: ["PipelineEngine", "Stages", "HDF5", "Physics", "TestSupport", "SlurmExecutor"]),
        .testTarget(name: "CLITests", dependencies: ["PipelineEngine", "Stages", "HDF5", "Physics", "TestSupport", "tlspipe", "tlspipe-testkit"]),
    ]
)
