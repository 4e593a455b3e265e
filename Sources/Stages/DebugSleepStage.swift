import Foundation
import HDF5
import PipelineEngine

/// `debug-sleep`: writes part of its artifact, sleeps, then finishes. Registered only when
/// TLSPIPE_DEBUG_KINDS=1, so tests can kill a driver mid-stage.
struct DebugSleepStage: HDF5StageKind {
    let name = "debug-sleep"
    let version = 1
    let summary = "test helper: writes, sleeps, finishes"
    let parameters = [
        ParameterSpec("seconds", .double(min: 0), help: "how long to sleep"),
        ParameterSpec("value", .double(), default: .double(1), help: "value stored"),
    ]
    let inputs = [InputSpec("upstream", required: false, multiple: true, help: "any artifacts")]

    func run(_ context: StageContext) throws -> StageReport {
        let f = try HDF5File.create(context.outputPaths[0])
        try f.root.write("value", [context.params.double("value")])
        f.close()
        Thread.sleep(forTimeInterval: context.params.double("seconds"))
        return StageReport()
    }
}
