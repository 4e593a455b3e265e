import Foundation

/// Slurm's own commands (`sbatch`, `squeue`, `scancel`, `sacct`), found on PATH and run with
/// parsable output formats. Nothing here parses human-readable tables.
public struct SlurmCommands: Sendable {
    public init() {}

    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// The first line of stderr (or stdout), for messages.
        public var firstError: String {
            let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return String((text.isEmpty ? stdout : text).split(separator: "\n").first ?? "no output")
        }
    }

    /// The full path of a command on PATH, or nil.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `name args`, feeding `input` on stdin. Throws only when the command cannot start.
    public func run(_ name: String, _ args: [String], input: String? = nil) throws -> Output {
        guard let exe = Self.which(name) else {
            throw SlurmError("\(name) not found on PATH: --executor slurm needs Slurm's commands (load the site's slurm module, or use --executor local)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input == nil ? FileHandle.nullDevice : inp
        do { try p.run() } catch { throw SlurmError("cannot start \(exe): \(error.localizedDescription)") }
        if let input {
            inp.fileHandleForWriting.write(Data(input.utf8))
            try? inp.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so neither fills up and blocks the command.
        let errData = ErrBuffer()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

final class ErrBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}
