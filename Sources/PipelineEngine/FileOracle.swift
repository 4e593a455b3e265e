import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// stat(2) of a path (links followed: outputs live in the user's folders).
private func facts(of path: String) -> FileFacts? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return FileFacts(regular: (st.st_mode & S_IFMT) == S_IFREG, size: Int(st.st_size),
                     mtimeNS: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec), inode: Int(st.st_ino))
}

/// What the planner may learn about files: it reads, never writes. The disk oracle is the real
/// one; tests give an in-memory one, so planning is tested with no file touched.
public protocol FileOracle: Sendable {
    /// nil when the path does not exist.
    func stat(_ path: String) -> FileFacts?
    /// SHA-256 of a regular file's bytes; nil if it cannot be read.
    func sha256(_ path: String) -> String?
    /// Names in a real folder (not through a symlink); empty if there is none.
    func list(_ dir: String) -> [String]
    /// Hash every output even when its stat matches the record (`--rehash`, reports).
    var alwaysHash: Bool { get }
}

extension FileOracle {
    public func list(_ dir: String) -> [String] { [] }
    public var alwaysHash: Bool { false }
}

/// The facts of one path the planner uses.
public struct FileFacts: Sendable, Equatable {
    public let regular: Bool
    let stat: FileStat
    public init(regular: Bool, size: Int, mtimeNS: Int, inode: Int) {
        self.regular = regular
        stat = FileStat(size: size, mtimeNS: mtimeNS, inode: inode)
    }
}

/// The file system as it is.
public struct DiskFiles: FileOracle {
    /// With `rehash`, every output is hashed even when its stat matches the record (a tamper
    /// that keeps size, mtime and inode is invisible to the stat shortcut).
    public let rehash: Bool
    public init(rehash: Bool = false) { self.rehash = rehash }
    public var alwaysHash: Bool { rehash }

    public func stat(_ path: String) -> FileFacts? { facts(of: path) }

    public func list(_ dir: String) -> [String] {
        guard SafeFiles.isRealDirectory(dir) else { return [] }
        return (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    }

    public func sha256(_ path: String) -> String? {
        guard SafeFiles.isRegularFile(path) else { return nil }
        return Hashing.sha256(file: path)
    }
}
