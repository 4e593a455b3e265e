import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File operations the engine uses for everything it writes: temporaries with unpredictable
/// names created exclusively, no symlink followed, fsync of file and folder around a rename,
/// and errors that carry errno's text.
public enum SafeFiles {
    /// Marker every engine temporary carries: `.NAME.tlspipe-XXXXXXXXXXXX.tmp`. Cleanup removes
    /// only names of exactly this shape, never a user's `draft.tmp-v2.tex`.
    static let tempInfix = ".tlspipe-"
    static let tempSuffix = ".tmp"

    /// The error text of errno now.
    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// A new empty temporary beside `final`, created with O_EXCL|O_NOFOLLOW under a random name.
    public static func makeTemporary(for final: String) throws -> String {
        let dir = (final as NSString).deletingLastPathComponent
        let base = (final as NSString).lastPathComponent
        for _ in 0..<16 {
            var rng = SystemRandomNumberGenerator()
            let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
            let tag = String((0..<12).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let path = (dir.isEmpty ? "" : dir + "/") + "." + base + tempInfix + tag + tempSuffix
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 { close(fd); return path }
            if errno != EEXIST { throw StageError("cannot create a temporary file beside \(final): \(errnoText())") }
        }
        throw StageError("cannot create a temporary file beside \(final): too many name collisions")
    }

    /// Whether a folder entry name is an engine temporary (see `tempInfix`).
    static func isEngineTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(tempSuffix), let r = name.range(of: tempInfix, options: .backwards) else { return false }
        let tag = name[r.upperBound..<name.index(name.endIndex, offsetBy: -tempSuffix.count)]
        return tag.count == 12 && tag.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }

    /// Removes this engine's leftover temporaries from `dir` (not following symlinks; only
    /// names of the engine's temporary shape). Call only while holding the folder's lock.
    static func removeEngineTemporaries(in dir: String) {
        guard isRealDirectory(dir), let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names where isEngineTemporary(name) {
            let path = dir + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            unlink(path)
        }
    }

    /// Writes `data` atomically: exclusive temporary, write, fsync, rename, fsync of the folder.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let tmp = try makeTemporary(for: path)
        do {
            let fd = open(tmp, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw StageError("cannot write \(tmp): \(errnoText())") }
            defer { close(fd) }
            try data.withUnsafeBytes { buf in
                var off = 0
                while off < buf.count {
                    let n = write(fd, buf.baseAddress! + off, buf.count - off)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw StageError("cannot write \(path): \(errnoText())")
                    }
                    off += n
                }
            }
            guard fsync(fd) == 0 else { throw StageError("cannot write \(path): \(errnoText())") }
            try rename(tmp, to: path)
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// fsync of the file, rename into place, fsync of the folder: safe against a kill and a power loss.
    public static func rename(_ from: String, to: String) throws {
        let fd = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            let ok = fsync(fd) == 0
            let err = errno
            close(fd)
            if !ok { throw StageError("cannot write \(to): \(errnoText(err))") }
        }
        if Foundation.rename(from, to) != 0 {
            throw StageError("cannot move \(from) to \(to): \(errnoText())")
        }
        syncFolder((to as NSString).deletingLastPathComponent)
    }

    static func syncFolder(_ dir: String) {
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// True for a directory that is not a symlink.
    static func isRealDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and its parents; refuses a symlink or non-folder at any component below
    /// `root` (the engine's own state folder), so a planted link cannot redirect its writes.
    public static func ensureDirectory(_ path: String, noSymlinksBelow root: String? = nil) throws {
        if let root, path.hasPrefix(root) {
            try ensureDirectory(root)
            var current = root
            for part in path.dropFirst(root.count).split(separator: "/") {
                current += "/" + part
                var st = stat()
                if lstat(current, &st) == 0 {
                    guard (st.st_mode & S_IFMT) == S_IFDIR else {
                        throw StageError("\(current) is \((st.st_mode & S_IFMT) == S_IFLNK ? "a symlink" : "not a folder"); tlspipe never follows links in its state folder: remove it")
                    }
                } else if mkdir(current, 0o755) != 0 && errno != EEXIST {
                    throw StageError("cannot create folder \(current): \(errnoText())")
                }
            }
            return
        }
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw StageError("\(path) exists and is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StageError("cannot create folder \(path): \(describe(error))")
        }
    }

    /// Reads a regular file (no symlink followed when `noFollow`), at most `limit` bytes.
    /// nil if it is missing; throws if it is not a regular file or cannot be read.
    public static func readRegular(_ path: String, noFollow: Bool = false, limit: Int = 64 << 20) throws -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (noFollow ? O_NOFOLLOW : 0))
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StageError("cannot read \(path): \(errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw StageError("\(path) is not a regular file") }
        guard Int(st.st_size) <= limit else { throw StageError("\(path) is larger than \(limit >> 20) MiB") }
        var data = Data(count: Int(st.st_size))
        var off = 0
        let total = data.count
        let ok = data.withUnsafeMutableBytes { buf -> Bool in
            while off < total {
                let n = read(fd, buf.baseAddress! + off, total - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { break }
                off += n
            }
            return true
        }
        guard ok else { throw StageError("cannot read \(path): \(errnoText())") }
        return data.prefix(off)
    }

    /// The bytes of a regular file (up to 64 MiB), for callers outside the engine.
    public static func readRegularPublic(_ path: String) throws -> Data {
        guard let d = try readRegular(path) else { throw StageError("\(path): no such file") }
        return d
    }

    /// Removes a file or folder tree without following symlinks inside it.
    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// True for an existing regular file (a symlink to one counts when `noFollow` is false).
    public static func isRegularFile(_ path: String, noFollow: Bool = false) -> Bool {
        var st = stat()
        let r = noFollow ? lstat(path, &st) : stat(path, &st)
        return r == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// One line for any error: our own messages as they are, Foundation's without its domain dump.
    public static func describe(_ error: Error) -> String {
        if let e = error as? StageError { return e.description }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
            if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
                return errnoText(Int32(posix.code))
            }
            if ns.domain == NSPOSIXErrorDomain { return errnoText(Int32(ns.code)) }
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file"
            case .fileWriteOutOfSpace: return "no space left on device"
            case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
            case .fileWriteFileExists: return "a file is in the way"
            default: return "file system error \(ns.code)"
            }
        }
        return "\(error)"
    }
}
