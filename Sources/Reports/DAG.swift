import Foundation
import PipelineEngine

/// The stage graph as Graphviz DOT (fresh stages green, stale orange, waiting yellow) and as SVG
/// through `dot` (Debian's graphviz).
public enum DAG {
    /// A DOT double-quoted string (quotes, backslashes and newlines escaped).
    public static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    public static func dot(_ pipeline: Pipeline, plan: Plan) -> String {
        var s = "digraph \(quoted(pipeline.name)) {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
        for inst in pipeline.instances {
            let color: String
            switch plan[inst.id]?.decision {
            case .fresh?: color = "#d9f2d9"
            case .stale?: color = "#f9d0b0"
            default: color = "#fbf0b8"
            }
            s += "  \(quoted(inst.id)) [label=\(quoted(inst.id + "\n(" + inst.kind + ")")), fillcolor=\"\(color)\", id=\(quoted("stage-" + inst.id))];\n"
        }
        for inst in pipeline.instances {
            for (slot, deps) in inst.inputs {
                for d in deps { s += "  \(quoted(d)) -> \(quoted(inst.id)) [label=\(quoted(slot)), fontsize=8];\n" }
            }
        }
        return s + "}\n"
    }

    /// SVG from `dot -Tsvg`, or nil with the reason when graphviz is not installed.
    public static func svg(_ dot: String) -> Result<String, DAGError> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["dot", "-Tsvg"]
        let input = Pipe(), output = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = err
        do { try p.run() } catch { return .failure(DAGError(message: "cannot start dot (install graphviz)")) }
        input.fileHandleForWriting.write(Data(dot.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return .failure(DAGError(message: "dot could not draw the graph (install graphviz)")) }
        return .success(String(decoding: data, as: UTF8.self))
    }
}

public struct DAGError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
