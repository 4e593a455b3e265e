import Foundation
import PipelineEngine
import SlurmExecutor

/// Ctrl-C or SIGTERM during a run: say what was kept (finished stages and shards survive;
/// temporaries are cleaned by the next run), cancel the Slurm jobs this run submitted (after
/// asking, on a terminal), then exit 130 (143 for SIGTERM) as shells expect.
enum Interrupt {
    static func sayWhatIsKept(on signalNumber: Int32, workspace: Workspace, cluster: SlurmExecutor? = nil) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            // A second signal while asking is ignored; the first decides.
            signal(SIGINT, SIG_IGN); signal(SIGTERM, SIG_IGN)
            let shards = workspace.stateDir + "/shards"
            let saved = (FileManager.default.enumerator(atPath: shards)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".h5.sha256") }.count
            var text = "\r\u{1B}[K\ninterrupted: every finished stage is kept" + (saved > 0 ? ", and \(saved) finished shard(s)" : "")
            if let cluster { text += "; " + settle(cluster) }
            text += "; run the same command again to resume (tlspipe status shows what is left)\n"
            FileHandle.standardError.write(Data(text.utf8))
            // _exit, not exit: exit runs the libraries' destructors (OpenBLAS frees its buffers)
            // while stage threads still compute in them, which crashed a run interrupted in a
            // dgemm (signal 11 and a backtrace after this message). Nothing is left to flush:
            // files are written by atomic rename, and stderr is unbuffered.
            fflush(nil)
            _exit(signalNumber == SIGTERM ? 143 : 130)
        }
        source.resume()
        // The source must outlive this call: the run holds the process until it ends.
        Holder.shared.keep(source)
    }

    /// Cancels this run's queued and running jobs, asking first when a person is at a terminal.
    static func settle(_ cluster: SlurmExecutor) -> String {
        let active = cluster.activeSubmitted()
        if active.isEmpty { return "no Slurm job of this run is left in the queue" }
        if isatty(0) != 0 && isatty(2) != 0 {
            FileHandle.standardError.write(Data("\ncancel the \(active.count) Slurm job(s) this run submitted (\(active.joined(separator: ", "))) with scancel? [y/N] ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            if !["y", "yes"].contains(answer) {
                return "left Slurm job(s) \(active.joined(separator: ", ")) in the queue (the next run re-attaches to them)"
            }
        }
        if let problem = cluster.cancel(active) { return "scancel failed (\(problem)) for job(s) \(active.joined(separator: ", "))" }
        return "cancelled Slurm job(s) \(active.joined(separator: ", "))"
    }
}

/// Keeps the signal source alive for the process's lifetime (a run installs one).
final class Holder: @unchecked Sendable {
    static let shared = Holder()
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    func keep(_ s: any DispatchSourceSignal) { lock.lock(); sources.append(s); lock.unlock() }
}
