import Foundation

/// Slots filled by parallel workers, read once all have finished.
final class ParallelResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, Error>) { lock.lock(); slots[i] = r; lock.unlock() }
    func values() throws -> [T] { try slots.map { try $0!.get() } }
}

/// A thread-safe counter for progress reports.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}

/// body(0) … body(count − 1) on up to `threads` workers that take the next index as they free
/// up; results in index order. Each result depends only on its index, so the bits do not
/// depend on `threads`.
func parallelMap<T>(_ count: Int, threads: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
    let results = ParallelResults<T>(count: count)
    let next = Counter()
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
        while true {
            let i = next.increment() - 1
            guard i < count else { return }
            results.set(i, Result { try body(i) })
        }
    }
    return try results.values()
}
