import Foundation

/// The machine's cores, shared among the pieces of work the engine runs at this moment (stages,
/// or the shards of a sharded stage). A stage that reads `StageContext.threads` between its
/// pieces (FTLM: every random vector) picks up the cores other stages free when they finish,
/// so the last long stage of a run does not stay on the one core it had at its start.
public final class CoreShare: @unchecked Sendable {
    public let cores: Int
    private let lock = NSLock()
    private var active = 0

    /// The driver makes one per run and hands it to every stage it starts.
    public init(cores: Int = ProcessInfo.processInfo.activeProcessorCount) { self.cores = max(1, cores) }

    /// Threads for one piece of work now: the cores split evenly among the running pieces.
    public var threads: Int {
        lock.lock(); defer { lock.unlock() }
        return max(1, cores / max(1, active))
    }

    /// Runs `body` as one more running piece of work.
    public func running<T>(_ body: () throws -> T) rethrows -> T {
        change(+1)
        defer { change(-1) }
        return try body()
    }

    /// Runs `body` with this piece of work set aside (a stage waiting for its shards).
    func aside<T>(_ body: () throws -> T) rethrows -> T {
        change(-1)
        defer { change(+1) }
        return try body()
    }

    private func change(_ by: Int) { lock.lock(); active += by; lock.unlock() }
}
