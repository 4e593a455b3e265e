import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a folder a run writes into: two drivers never write one folder
/// at once. The kernel releases it when the process dies, so a killed run leaves no stale lock.
/// The lock file is opened without following symlinks and must be a regular file.
public final class FolderLock {
    private let fd: Int32

    /// `what` names the folder in messages (the data folder for its state folder's lock).
    public init(folder: String, name: String, what: String) throws {
        let path = folder + "/" + name
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard fd >= 0 else {
            let why = errno == ELOOP ? "it is a symlink (remove it)" : SafeFiles.errnoText()
            throw LockBusy(message: "cannot open the lock file \(path): \(why)")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw LockBusy(message: "cannot use the lock file \(path): not a regular file (remove it)")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, 31, 0)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            if err == EWOULDBLOCK {
                throw LockBusy(message: "another tlspipe (pid \(holder)) is running on \(what); wait for it or stop it")
            }
            throw LockBusy(message: "cannot lock \(path): \(SafeFiles.errnoText(err))")
        }
        // Only the holder writes its pid, and only into the regular file it locked.
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
