import CHDF5
import Foundation

/// A complex number stored as the compound {r, i} that h5py reads as complex128.
public struct ComplexValue: Equatable, Sendable {
    public var re: Double
    public var im: Double
    public init(_ re: Double, _ im: Double) { self.re = re; self.im = im }
}

/// A dataset read back: flat row-major values and their shape.
public struct DatasetValues<Element>: Sendable where Element: Sendable {
    public let values: [Element]
    public let shape: [Int]
}

/// A group (or the root) inside an HDF5 file: create and read datasets, attributes, subgroups.
public struct HDF5Group {
    public let file: HDF5File
    public let path: String

    func child(_ name: String) -> String {
        path == "/" ? "/" + name : path + "/" + name
    }

    // MARK: groups

    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        let gcpl = H5Pcreate(tls_H5P_GROUP_CREATE())
        defer { H5Pclose(gcpl) }
        H5Pset_obj_track_times(gcpl, false)
        let gid = H5Gcreate2(file.id, child(name), tls_H5P_DEFAULT(), gcpl, tls_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error("\(file.path): cannot create group \(child(name))") }
        H5Gclose(gid)
        return HDF5Group(file: file, path: child(name))
    }

    public func group(_ name: String) throws -> HDF5Group {
        guard exists(name) else { throw HDF5Error("\(file.path): no group \(child(name))") }
        return HDF5Group(file: file, path: child(name))
    }

    public func exists(_ name: String) -> Bool {
        // Check each path component so that a missing parent is not an error.
        var current = path == "/" ? "" : path
        for part in name.split(separator: "/") {
            current += "/" + part
            if H5Lexists(file.id, current, tls_H5P_DEFAULT()) <= 0 { return false }
        }
        return true
    }

    // MARK: datasets

    /// Writes a float64 dataset of the given shape (row-major). Large datasets are chunked and
    /// deflate-compressed.
    public func write(_ name: String, _ values: [Double], shape: [Int]? = nil,
                      attributes: [String: String] = [:]) throws {
        try writeRaw(name, values, shape: shape ?? [values.count], type: tls_H5T_NATIVE_DOUBLE(),
                     attributes: attributes)
    }

    public func write(_ name: String, _ values: [Int], shape: [Int]? = nil,
                      attributes: [String: String] = [:]) throws {
        let v64 = values.map { Int64($0) }
        try writeRaw(name, v64, shape: shape ?? [values.count], type: tls_H5T_NATIVE_INT64(),
                     attributes: attributes)
    }

    public func write(_ name: String, _ values: [ComplexValue], shape: [Int]? = nil,
                      attributes: [String: String] = [:]) throws {
        let type = try complexType()
        defer { H5Tclose(type) }
        try writeRaw(name, values, shape: shape ?? [values.count], type: type, attributes: attributes)
    }

    public func write(_ name: String, scalar: Double, attributes: [String: String] = [:]) throws {
        try writeRaw(name, [scalar], shape: [], type: tls_H5T_NATIVE_DOUBLE(), attributes: attributes)
    }

    private func complexType() throws -> hid_t {
        let t = H5Tcreate(H5T_COMPOUND, MemoryLayout<ComplexValue>.stride)
        guard t >= 0 else { throw HDF5Error("cannot create complex type") }
        H5Tinsert(t, "r", 0, tls_H5T_NATIVE_DOUBLE())
        H5Tinsert(t, "i", MemoryLayout<Double>.stride, tls_H5T_NATIVE_DOUBLE())
        return t
    }

    private func writeRaw<T>(_ name: String, _ values: [T], shape: [Int], type: hid_t,
                             attributes: [String: String]) throws {
        let count = shape.reduce(1, *)
        guard count == values.count else {
            throw HDF5Error("\(file.path): dataset \(child(name)) has \(values.count) values for shape \(shape)")
        }
        let dims = shape.map { hsize_t($0) }
        let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(tls_H5P_DATASET_CREATE())
        defer { H5Pclose(dcpl) }
        H5Pset_obj_track_times(dcpl, false)
        if count >= 4096 && !shape.isEmpty && !shape.contains(0) {
            // Chunk along the last axis, whole leading rows per chunk up to ~64k elements.
            var chunk = dims
            let last = min(Int(dims[dims.count - 1]), 65536)
            chunk[chunk.count - 1] = hsize_t(last)
            var rows = max(1, 65536 / last)
            for axis in stride(from: chunk.count - 2, through: 0, by: -1) {
                let take = min(Int(dims[axis]), rows)
                chunk[axis] = hsize_t(take)
                rows = max(1, rows / take)
            }
            H5Pset_chunk(dcpl, Int32(chunk.count), chunk)
            H5Pset_shuffle(dcpl)
            H5Pset_deflate(dcpl, 4)
        }
        let did = H5Dcreate2(file.id, child(name), type, space, tls_H5P_DEFAULT(), dcpl, tls_H5P_DEFAULT())
        guard did >= 0 else { throw HDF5Error("\(file.path): cannot create dataset \(child(name))") }
        defer { H5Dclose(did) }
        let status = values.withUnsafeBytes { buf in
            H5Dwrite(did, type, tls_H5S_ALL(), tls_H5S_ALL(), tls_H5P_DEFAULT(), buf.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error("\(file.path): cannot write dataset \(child(name))") }
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            try setStringAttribute(on: did, key, value)
        }
    }

    /// Reads a float64 dataset (any shape).
    public func readDoubles(_ name: String) throws -> DatasetValues<Double> {
        try readRaw(name, type: tls_H5T_NATIVE_DOUBLE(), zero: 0.0)
    }

    public func readInts(_ name: String) throws -> DatasetValues<Int> {
        let raw: DatasetValues<Int64> = try readRaw(name, type: tls_H5T_NATIVE_INT64(), zero: 0)
        return DatasetValues(values: raw.values.map { Int($0) }, shape: raw.shape)
    }

    public func readComplex(_ name: String) throws -> DatasetValues<ComplexValue> {
        let type = try complexType()
        defer { H5Tclose(type) }
        return try readRaw(name, type: type, zero: ComplexValue(0, 0))
    }

    private func readRaw<T>(_ name: String, type: hid_t, zero: T) throws -> DatasetValues<T> {
        guard exists(name) else { throw HDF5Error("\(file.path): no dataset \(child(name))") }
        let did = H5Dopen2(file.id, child(name), tls_H5P_DEFAULT())
        guard did >= 0 else { throw HDF5Error("\(file.path): cannot open dataset \(child(name))") }
        defer { H5Dclose(did) }
        let space = H5Dget_space(did)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        let shape = rank > 0 ? dims.map { Int($0) } : []
        let count = shape.reduce(1, *)
        var values = [T](repeating: zero, count: count)
        let status = values.withUnsafeMutableBytes { buf in
            H5Dread(did, type, tls_H5S_ALL(), tls_H5S_ALL(), tls_H5P_DEFAULT(), buf.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error("\(file.path): cannot read dataset \(child(name)) as the requested type") }
        return DatasetValues(values: values, shape: shape)
    }

    // MARK: attributes (strings; JSON is stored as a string)

    public func setAttribute(_ name: String, _ value: String) throws {
        let oid = H5Oopen(file.id, path, tls_H5P_DEFAULT())
        guard oid >= 0 else { throw HDF5Error("\(file.path): cannot open \(path)") }
        defer { H5Oclose(oid) }
        try setStringAttribute(on: oid, name, value)
    }

    public func setAttribute(onDataset dataset: String, _ name: String, _ value: String) throws {
        let oid = H5Oopen(file.id, child(dataset), tls_H5P_DEFAULT())
        guard oid >= 0 else { throw HDF5Error("\(file.path): cannot open \(child(dataset))") }
        defer { H5Oclose(oid) }
        try setStringAttribute(on: oid, name, value)
    }

    private func setStringAttribute(on oid: hid_t, _ name: String, _ value: String) throws {
        // Variable-length UTF-8 string scalar: what h5py returns as str.
        let type = H5Tcopy(tls_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, tls_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        if H5Aexists(oid, name) > 0 { H5Adelete(oid, name) }
        let aid = H5Acreate2(oid, name, type, space, tls_H5P_DEFAULT(), tls_H5P_DEFAULT())
        guard aid >= 0 else { throw HDF5Error("\(file.path): cannot create attribute \(name)") }
        defer { H5Aclose(aid) }
        let status = value.withCString { cstr -> herr_t in
            var ptr: UnsafePointer<CChar>? = cstr
            return H5Awrite(aid, type, &ptr)
        }
        guard status >= 0 else { throw HDF5Error("\(file.path): cannot write attribute \(name)") }
    }

    public func attribute(_ name: String) throws -> String? {
        try readStringAttribute(objectPath: path, name)
    }

    public func attribute(onDataset dataset: String, _ name: String) throws -> String? {
        try readStringAttribute(objectPath: child(dataset), name)
    }

    private func readStringAttribute(objectPath: String, _ name: String) throws -> String? {
        let oid = H5Oopen(file.id, objectPath, tls_H5P_DEFAULT())
        guard oid >= 0 else { throw HDF5Error("\(file.path): cannot open \(objectPath)") }
        defer { H5Oclose(oid) }
        guard H5Aexists(oid, name) > 0 else { return nil }
        let aid = H5Aopen(oid, name, tls_H5P_DEFAULT())
        defer { H5Aclose(aid) }
        let type = H5Tcopy(tls_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, tls_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        var ptr: UnsafeMutablePointer<CChar>? = nil
        guard H5Aread(aid, type, &ptr) >= 0 else {
            throw HDF5Error("\(file.path): attribute \(name) of \(objectPath) is not a string")
        }
        defer { if let p = ptr { H5free_memory(p) } }
        return ptr.map { String(cString: $0) }
    }

    /// Names of the attributes on this group, sorted.
    public func attributeNames() throws -> [String] {
        let oid = H5Oopen(file.id, path, tls_H5P_DEFAULT())
        guard oid >= 0 else { throw HDF5Error("\(file.path): cannot open \(path)") }
        defer { H5Oclose(oid) }
        var names: [String] = []
        let n = H5Aget_num_attrs(oid)
        for i in 0..<max(0, Int(n)) {
            let aid = H5Aopen_by_idx(oid, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), tls_H5P_DEFAULT(), tls_H5P_DEFAULT())
            guard aid >= 0 else { continue }
            let len = H5Aget_name(aid, 0, nil)
            var buf = [CChar](repeating: 0, count: Int(len) + 1)
            H5Aget_name(aid, buf.count, &buf)
            H5Aclose(aid)
            names.append(String(cString: buf))
        }
        return names.sorted()
    }

    /// Names of the datasets directly in this group, sorted (subgroups left out).
    public func datasetNames() throws -> [String] {
        let gid = H5Gopen2(file.id, path, tls_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error("\(file.path): cannot open \(path)") }
        defer { H5Gclose(gid) }
        var info = H5G_info_t()
        guard H5Gget_info(gid, &info) >= 0 else { throw HDF5Error("\(file.path): cannot list \(path)") }
        var names: [String] = []
        for i in 0..<Int(info.nlinks) {
            let len = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), nil, 0, tls_H5P_DEFAULT())
            guard len > 0 else { continue }
            var buf = [CChar](repeating: 0, count: Int(len) + 1)
            H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), &buf, buf.count, tls_H5P_DEFAULT())
            let name = String(cString: buf)
            var oinfo = H5O_info_t()
            guard H5Oget_info_by_name2(gid, name, &oinfo, UInt32(H5O_INFO_BASIC), tls_H5P_DEFAULT()) >= 0 else { continue }
            if oinfo.type == H5O_TYPE_DATASET { names.append(name) }
        }
        return names.sorted()
    }
}
