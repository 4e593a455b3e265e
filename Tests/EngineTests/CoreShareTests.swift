import TestSupport
import XCTest
@testable import PipelineEngine

/// The cores a piece of work gets are the machine's split among the pieces running now, and
/// grow back when others finish (a last long stage is not left on one core).
final class CoreShareTests: XCTestCase {
    func testCoresAreSplitAmongRunningWorkAndFreedWhenItEnds() {
        let share = CoreShare(cores: 2)
        XCTAssertEqual(share.threads, 2)
        share.running {
            XCTAssertEqual(share.threads, 2, "alone: every core")
            share.running { XCTAssertEqual(share.threads, 1, "two pieces: one core each") }
            XCTAssertEqual(share.threads, 2, "the other piece finished: its core comes back")
            share.aside {
                share.running { XCTAssertEqual(share.threads, 2, "a stage waiting for its shard holds no core") }
            }
        }
        let three = CoreShare(cores: 2)
        three.running { three.running { three.running { XCTAssertEqual(three.threads, 1, "never below one thread") } } }
    }

    func testAFixedThreadCountOverridesTheShare() {
        var context = StageContext(stageID: "s", params: Params([]), inputs: [:], outputPaths: [], key: "k", progress: { _, _ in }, cores: CoreShare(cores: 8))
        XCTAssertEqual(context.threads, 8)
        context.threads = 3
        XCTAssertEqual(context.threads, 3)
        XCTAssertNil(context.cores)
    }
}
