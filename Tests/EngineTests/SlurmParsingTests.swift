import XCTest
@testable import SlurmExecutor

/// What the Slurm executor reads from and writes to Slurm's commands, checked on the text those
/// commands print (Slurm 22.05), without a cluster.
final class SlurmParsingTests: XCTestCase {
    func testSqueueLinesOfJobsAndArrayTasks() throws {
        let job = try XCTUnwrap(QueuedJob.parse(line: "12|12|N/A|tlspipe-ab-cd-stage|RUNNING|None|node7"))
        XCTAssertEqual(job.jobID, "12")
        XCTAssertNil(job.task)
        XCTAssertFalse(job.ended)
        let task = try XCTUnwrap(QueuedJob.parse(line: "10_3|10|3|tlspipe-ab-cd-shards|CANCELLED by 0|None|"))
        XCTAssertEqual(task.jobID, "10")
        XCTAssertEqual(task.task, 3)
        XCTAssertEqual(task.state, "CANCELLED")
        XCTAssertTrue(task.ended)
        XCTAssertNil(QueuedJob.parse(line: "garbage"))
    }

    func testSacctLinesCarryTheExitCode() throws {
        let t = try XCTUnwrap(QueuedJob.parse(accounting: "10_3|tlspipe-ab-cd-shards|FAILED|1:0|node2"))
        XCTAssertEqual(t.jobID, "10")
        XCTAssertEqual(t.task, 3)
        XCTAssertEqual(t.exitCode, 1)
        let oom = try XCTUnwrap(QueuedJob.parse(accounting: "11|x|OUT_OF_MEMORY|0:125|node2"))
        XCTAssertEqual(oom.state, "OUT_OF_MEMORY")
        XCTAssertTrue(oom.ended)
    }

    func testArrayRangesAndTimeLimits() {
        XCTAssertEqual(SlurmExecutor.ranges([0, 1, 2, 3]), "0-3")
        XCTAssertEqual(SlurmExecutor.ranges([7, 0, 2, 3, 9, 10]), "0,2-3,7,9-10")
        for ok in ["90", "02:00:00", "1-12", "1-12:00", "1-12:00:00", "5:30"] { XCTAssertTrue(SlurmProfile.isTimeLimit(ok), ok) }
        for bad in ["", "two hours", "1-", "-5", "1:2:3:4", "1h"] { XCTAssertFalse(SlurmProfile.isTimeLimit(bad), bad) }
    }

    /// Memory: the kind's estimate with a quarter spare plus 512 MiB, or the profile's figure.
    func testMemoryRequest() {
        XCTAssertEqual(SlurmExecutor.memoryMiB(estimate: 0, override: nil), 512)
        XCTAssertEqual(SlurmExecutor.memoryMiB(estimate: 2.5 * 1_073_741_824, override: nil), 3200 + 512)
        XCTAssertEqual(SlurmExecutor.memoryMiB(estimate: 1e12, override: 8 * 1_073_741_824), 8192)
    }

    func testShellQuoting() {
        XCTAssertEqual(SlurmExecutor.quote("/a b/it's"), #"'/a b/it'\''s'"#)
    }

    func testProfileFile() throws {
        let p = try SlurmProfile.parse(.object([("partition", .string("compute")), ("time", .string("02:00:00")),
                                                ("kinds", .object([("ftlm", .object([("memory", .string("8G")), ("cpus_per_task", .int(2))]))]))]),
                                       file: "p.json")
        XCTAssertEqual(p.partition, "compute")
        XCTAssertEqual(p.kinds["ftlm"]?.memory, 8 * 1_073_741_824)
        XCTAssertEqual(p.kinds["ftlm"]?.cpusPerTask, 2)
        XCTAssertThrowsError(try SlurmProfile.parse(.object([("cpus_per_task", .int(0))]), file: "p.json")) { e in
            XCTAssertEqual("\(e)", "p.json: cpus_per_task: expected a whole number of cores from 1 to 4096")
        }
    }
}
