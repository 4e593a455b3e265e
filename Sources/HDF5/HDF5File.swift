import CHDF5
import Foundation

/// An error from the HDF5 layer, naming the file and object involved.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An open HDF5 file. Writes are deterministic: object time tracking is off, so the same
/// datasets and attributes give the same bytes.
public final class HDF5File {
    public let path: String
    let id: hid_t
    private var closed = false

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    /// Creates (or truncates) a file for writing.
    public static func create(_ path: String) throws -> HDF5File {
        tls_H5_silence_errors()
        let fcpl = H5Pcreate(tls_H5P_FILE_CREATE())
        defer { H5Pclose(fcpl) }
        let fid = H5Fcreate(path, tls_H5F_ACC_TRUNC(), fcpl, tls_H5P_DEFAULT())
        guard fid >= 0 else { throw HDF5Error("\(path): cannot create HDF5 file") }
        return HDF5File(path: path, id: fid)
    }

    /// Regular files only: HDF5 would block on a FIFO or read /dev/zero forever.
    static func requireRegular(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { throw HDF5Error("\(path): no such file") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw HDF5Error("\(path): not a regular file") }
    }

    /// Opens an existing file read-only.
    public static func open(_ path: String) throws -> HDF5File {
        tls_H5_silence_errors()
        try requireRegular(path)
        let fid = H5Fopen(path, tls_H5F_ACC_RDONLY(), tls_H5P_DEFAULT())
        guard fid >= 0 else { throw HDF5Error("\(path): not a readable HDF5 file") }
        return HDF5File(path: path, id: fid)
    }

    /// Opens an existing file for reading and writing (to add attributes).
    public static func openForUpdate(_ path: String) throws -> HDF5File {
        tls_H5_silence_errors()
        try requireRegular(path)
        let fid = H5Fopen(path, tls_H5F_ACC_RDWR(), tls_H5P_DEFAULT())
        guard fid >= 0 else { throw HDF5Error("\(path): cannot open HDF5 file for update") }
        return HDF5File(path: path, id: fid)
    }

    public var root: HDF5Group { HDF5Group(file: self, path: "/") }

    /// Flushes and closes, ignoring errors (for `defer`; use `finish` where the bytes matter).
    public func close() {
        guard !closed else { return }
        closed = true
        H5Fflush(id, H5F_SCOPE_GLOBAL)
        H5Fclose(id)
    }

    /// Flushes and closes, and says if either failed (a full disk shows here).
    public func finish() throws {
        guard !closed else { return }
        closed = true
        let flushed = H5Fflush(id, H5F_SCOPE_GLOBAL)
        let closedOK = H5Fclose(id)
        guard flushed >= 0, closedOK >= 0 else {
            throw HDF5Error("\(path): cannot write (\(String(cString: strerror(errno))))")
        }
    }

    deinit { close() }
}
