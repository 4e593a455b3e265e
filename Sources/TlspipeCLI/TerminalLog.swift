import Foundation
import Logging

/// Log lines for a person at a terminal: the message alone ("done fig1 in 0.19 s"), warnings
/// and errors marked, no timestamp or logger label. Elsewhere (CI, files, `--verbose`) the
/// standard stream handler's full lines are kept.
struct TerminalLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let mark = event.level >= .error ? "error: " : event.level == .warning ? "warning: " : ""
        // Start at column 0 and clear the line: a progress bar may be drawn there.
        FileHandle.standardError.write(Data("\r\u{1B}[K\(mark)\(event.message)\n".utf8))
    }

    /// Compact lines when stderr is a terminal, not in CI, and `--verbose` was not given.
    static var wanted: Bool {
        isatty(2) != 0 && ProcessInfo.processInfo.environment["CI"] == nil && !CommandLine.arguments.contains("--verbose")
    }
}
