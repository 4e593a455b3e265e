import Foundation
import PipelineEngine

/// Ctrl-C during a run: say what was kept (finished stages and shards survive; temporaries are
/// cleaned by the next run), then exit 130 as shells expect.
enum Interrupt {
    static func sayWhatIsKept(on signalNumber: Int32, workspace: Workspace) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            let shards = workspace.stateDir + "/shards"
            let saved = (FileManager.default.enumerator(atPath: shards)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".h5.sha256") }.count
            let text = "\r\u{1B}[K\ninterrupted: every finished stage is kept" + (saved > 0 ? ", and \(saved) finished shard(s)" : "")
                + "; run the same command again to resume (tlspipe status shows what is left)\n"
            FileHandle.standardError.write(Data(text.utf8))
            exit(130)
        }
        source.resume()
        // The source must outlive this call: the run holds the process until it ends.
        Holder.shared.keep(source)
    }
}

/// Keeps the signal source alive for the process's lifetime (a run installs one).
final class Holder: @unchecked Sendable {
    static let shared = Holder()
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    func keep(_ s: any DispatchSourceSignal) { lock.lock(); sources.append(s); lock.unlock() }
}
