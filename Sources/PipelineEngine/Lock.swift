import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a data folder: two drivers never write one folder at once.
/// The kernel releases it when the process dies, so a killed run leaves no stale lock.
public final class FolderLock {
    private let fd: Int32

    public init(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/lock"
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw StageError("cannot open lock file \(path)") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, 31, 0)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw LockBusy(message: "another tlspipe (pid \(holder)) is running on \(folder); wait for it or stop it")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

public struct LockBusy: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
