import ArgumentParser
import Foundation
import Logging
import PipelineEngine
import LinearAlgebra
import Stages

/// The stage kinds this process knows: the product's, or the product's plus the test kit's.
/// A task-local value set once by the executable's entry point, read by every command.
public enum CLIKinds {
    @TaskLocal public static var registry: StageRegistry = StageKinds.registry()
}

/// The command line, shared by `tlspipe` and the test kit (`tlspipe-testkit`, with debug kinds).
public enum TlspipeMain {
    public static func main(registry: StageRegistry) -> Never {
        CLIKinds.$registry.withValue(registry) { run() }
    }

    static func run() -> Never {
        // Logs go to stderr; stdout stays for command output (status tables, DOT, JSON).
        let level = ProcessInfo.processInfo.environment["TLSPIPE_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let compact = TerminalLogHandler.wanted
        LoggingSystem.bootstrap { label in
            if compact { return TerminalLogHandler(logLevel: level) }
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }

        // The numerical kernels are built for x86-64 with AVX2 and FMA (Haswell, 2013, and later):
        // say so in one line instead of dying with SIGILL on an older node.
        if let problem = CPUCheck.missingFeatures() {
            FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            exit(2)
        }
        // OpenBLAS's fastest kernels for this CPU, even where it does not know the model.
        BLASKernels.chooseOrReexecute()
        // BLAS on one thread for the whole process (parallelism is ours; bits independent of --jobs).
        BLAS.useSingleThread()

        // Exit codes: 0 success, 1 a stage failed, 2 bad usage or bad spec (also for parse errors,
        // which ArgumentParser would otherwise report as 64).
        do {
            var command = try Tlspipe.parseAsRoot()
            try command.run()
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data(("error: " + failure.message + "\n").utf8))
            exit(failure.code)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = Tlspipe.exitCode(for: error)
            if code == .success {
                print(Tlspipe.fullMessage(for: error))
                exit(0)
    }
    FileHandle.standardError.write(Data((Tlspipe.fullMessage(for: error) + "\n").utf8))
    exit(2)
}
exit(0)
    }
}
