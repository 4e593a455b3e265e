import Foundation
import XCTest
@testable import HDF5

final class HDF5RoundTripTests: XCTestCase {
    var dir: URL!
    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tlspipe-h5-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func writeSample(_ path: String) throws {
        let f = try HDF5File.create(path)
        let r = f.root
        let big = (0..<30000).map { sin(Double($0) * 0.001) }
        try r.write("matrix", big, shape: [3, 10000], attributes: ["units": "t", "meaning": "test ω"])
        try r.write("small", [1.5, -2.25, 1e-300, .infinity])
        try r.write("counts", [1, -2, Int(Int32.max) + 5])
        try r.write("z", [ComplexValue(1, -1), ComplexValue(0.5, 2)])
        try r.write("scalar", scalar: 3.25)
        let g = try r.createGroup("sub")
        try g.write("x", [7.0, 8.0])
        try r.setAttribute("provenance", "{\"ω\": \"unicode ok\"}")
        f.close()
    }

    func testRoundTrip() throws {
        let path = dir.appendingPathComponent("a.h5").path
        try writeSample(path)
        let f = try HDF5File.open(path)
        let m = try f.root.readDoubles("matrix")
        XCTAssertEqual(m.shape, [3, 10000])
        XCTAssertEqual(m.values[12345], sin(12345 * 0.001))
        XCTAssertEqual(try f.root.readDoubles("small").values, [1.5, -2.25, 1e-300, .infinity])
        XCTAssertEqual(try f.root.readInts("counts").values, [1, -2, Int(Int32.max) + 5])
        XCTAssertEqual(try f.root.readComplex("z").values, [ComplexValue(1, -1), ComplexValue(0.5, 2)])
        XCTAssertEqual(try f.root.readDoubles("scalar").shape, [])
        XCTAssertEqual(try f.root.group("sub").readDoubles("x").values, [7, 8])
        XCTAssertEqual(try f.root.attribute("provenance"), "{\"ω\": \"unicode ok\"}")
        XCTAssertEqual(try f.root.attribute(onDataset: "matrix", "units"), "t")
        XCTAssertNil(try f.root.attribute("absent"))
        XCTAssertThrowsError(try f.root.readDoubles("absent"))
        XCTAssertTrue(f.root.exists("sub/x"))
        XCTAssertFalse(f.root.exists("nope/x"))
    }

    /// Object time tracking is off: the same content gives the same bytes.
    func testByteReproducible() throws {
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        try writeSample(a)
        Thread.sleep(forTimeInterval: 1.1)
        try writeSample(b)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
    }

    /// An independent reader (h5py) sees exactly what was written; skipped where h5py is absent.
    func testH5pyReadsWhatWeWrote() throws {
        let path = dir.appendingPathComponent("a.h5").path
        try writeSample(path)
        let script = """
        import h5py, numpy as np, sys
        f = h5py.File(sys.argv[1], 'r')
        m = f['matrix'][...]
        assert m.shape == (3, 10000), m.shape
        assert m[1, 2345] == np.sin(12345 * 0.001)
        assert f['z'].dtype == np.complex128, f['z'].dtype
        assert list(f['z'][...]) == [1 - 1j, 0.5 + 2j]
        assert list(f['counts'][...]) == [1, -2, 2**31 + 4]
        assert f['matrix'].compression == 'gzip'
        a = f.attrs['provenance']
        a = a.decode() if isinstance(a, bytes) else a
        assert a == '{"ω": "unicode ok"}', a
        assert f['matrix'].attrs['units'] in ('t', b't')
        assert list(f['sub/x'][...]) == [7.0, 8.0]
        print('ok')
        """
        // The test tools' virtual environment (.ci/run makes it), else the system Python.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let venv = root + "/.venv-ci/bin/python"
        let python = FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, "-c", "import h5py"]
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        try XCTSkipIf(p.terminationStatus != 0, "h5py is not installed")
        let q = Process()
        q.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        q.arguments = [python, "-c", script, path]
        let out = Pipe()
        q.standardOutput = out
        q.standardError = out
        try q.run(); q.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(q.terminationStatus, 0, text)
    }
}
