import Foundation
import PostgresSandbox
import XCTest

/// `cron/spend-recon-nightly`, run as cron and systemd run it, with a stand-in for the job where
/// the test needs one that hangs or fails on cue: it never hides a night.
final class NightlyWrapperTests: XCTestCase {
    let wrapper = OperationsTests.repository.appendingPathComponent("cron/spend-recon-nightly").path
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "sr-wrapper-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A stand-in for `spend-recon` that prints its arguments, then runs `body` (shell).
    private func fakeJob(_ body: String) throws -> String {
        let path = directory + "/fake-spend-recon"
        try "#!/usr/bin/env bash\necho \"job started: $*\"\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// The environment of a clean machine: no libpq variables, an env file and a lock of our own.
    private func environment(_ extra: [String: String]) -> [String: String] {
        var env = ["PGHOST": "", "PGHOSTADDR": "", "PGDATABASE": "", "PGSERVICE": "", "PGSERVICEFILE": "",
                   "SPEND_RECON_VERBOSE": "", "SPEND_RECON_LOG_FILE": "", "SPEND_RECON_DB": "", "SPEND_RECON_REPORT_DIR": "",
                   "SPEND_RECON_LOCK_FILE": directory + "/nightly.lock", "SPEND_RECON_ENV_FILE": directory + "/spend-recon.env"]
        env.merge(extra) { $1 }
        return env
    }

    private func run(_ env: [String: String]) throws -> (code: Int32, out: String, err: String) {
        var full = ProcessInfo.processInfo.environment
        full.merge(env) { $1 }
        let out = directory + "/out-\(UUID().uuidString)", err = directory + "/err-\(UUID().uuidString)"
        let pid = try Subprocess.spawn(wrapper, [], stdout: out, stderr: err, environment: full)
        let code = try Subprocess.wait(pid)
        return (code, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    func testAHungNightIsVisibleWhileItRunsAndAStopIsPassedOn() throws {
        let job = try fakeJob("echo 'level=info msg=progress done=10'; trap 'kill %1; echo stopped; exit 143' TERM; sleep 60 & wait")
        var full = ProcessInfo.processInfo.environment
        full.merge(environment(["SPEND_RECON_BIN": job, "SPEND_RECON_DB": "host=db", "SPEND_RECON_VERBOSE": "1",
                                "SPEND_RECON_LOG_FILE": directory + "/nightly.log"])) { $1 }
        let out = directory + "/streamed"
        let pid = try Subprocess.spawn(wrapper, [], stdout: out, stderr: out, environment: full)
        var streamed = ""
        for _ in 0..<50 where !streamed.contains("progress") {
            Thread.sleep(forTimeInterval: 0.1)
            streamed = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        }
        XCTAssertTrue(streamed.contains("job started: run") && streamed.contains("msg=progress"), "streamed as it runs: \(streamed)")
        XCTAssertTrue((try String(contentsOfFile: directory + "/nightly.log", encoding: .utf8)).contains("msg=progress"),
                      "and into the log file as it runs")
        kill(pid, SIGTERM)
        XCTAssertEqual(try Subprocess.wait(pid), 143)
        XCTAssertTrue((try String(contentsOfFile: out, encoding: .utf8)).contains("stopped"))
    }

    func testALogFileThatCannotBeWrittenIsWarnedAboutAndTheNightKeepsItsCode() throws {
        let job = try fakeJob("exit 0")
        let result = try run(environment(["SPEND_RECON_BIN": job, "SPEND_RECON_DB": "host=db",
                                          "SPEND_RECON_LOG_FILE": "/nonexistent-spend-recon/nightly.log"]))
        XCTAssertEqual(result.code, 0, result.err)
        XCTAssertTrue(result.err.contains("cannot write the log file /nonexistent-spend-recon/nightly.log"), result.err)
        XCTAssertEqual(result.out, "", "still quiet on success")
        let failing = try fakeJob("echo 'level=error msg=\"database unavailable\"'; exit 69")
        let failed = try run(environment(["SPEND_RECON_BIN": failing, "SPEND_RECON_DB": "host=db",
                                          "SPEND_RECON_LOG_FILE": "/nonexistent-spend-recon/nightly.log"]))
        XCTAssertEqual(failed.code, 69)
        XCTAssertTrue(failed.out.contains("exited with code 69") && failed.out.contains("database unavailable"), failed.out)
    }

    func testAMissingEnvironmentFileIsSaidAndNoDatabaseAtAllIsAConfigurationError() throws {
        let job = try fakeJob("exit 0")
        let missing = try run(environment(["SPEND_RECON_BIN": job]))
        XCTAssertEqual(missing.code, 78, missing.err)
        XCTAssertTrue(missing.err.contains("spend-recon.env does not exist"), missing.err)
        XCTAssertTrue(missing.err.contains("no database configured"), missing.err)

        // The libpq environment alone is enough.
        let libpq = try run(environment(["SPEND_RECON_BIN": job, "PGSERVICE": "spend-recon"]))
        XCTAssertEqual(libpq.code, 0, libpq.err)
        XCTAssertTrue(libpq.err.contains("does not exist"), "still said: \(libpq.err)")

        let unreadable = directory + "/spend-recon.env"
        try "SPEND_RECON_DB=\"host=db\"\n".write(toFile: unreadable, atomically: true, encoding: .utf8)
        chmod(unreadable, 0o000)
        if access(unreadable, R_OK) != 0 {   // root reads it anyway
            let refused = try run(environment(["SPEND_RECON_BIN": job]))
            XCTAssertEqual(refused.code, 78)
            XCTAssertTrue(refused.err.contains("is not readable"), refused.err)
        }
        chmod(unreadable, 0o644)
        XCTAssertEqual(try run(environment(["SPEND_RECON_BIN": job])).code, 0)
    }

    func testANightSkippedBecauseThePreviousOneStillRunsSaysSo() throws {
        let job = try fakeJob("exit 0")
        try "SPEND_RECON_DB=\"host=db\"\n".write(toFile: directory + "/spend-recon.env", atomically: true, encoding: .utf8)
        let lock = directory + "/nightly.lock"
        let holder = try Subprocess.spawn("/usr/bin/flock", [lock, "sleep", "20"], stdout: nil, stderr: nil)
        defer { kill(holder, SIGTERM); _ = try? Subprocess.wait(holder) }
        var skipped = try run(environment(["SPEND_RECON_BIN": job, "SPEND_RECON_DB": "host=db"]))
        for _ in 0..<20 where skipped.code == 0 {   // until the holder has the lock
            Thread.sleep(forTimeInterval: 0.1)
            skipped = try run(environment(["SPEND_RECON_BIN": job, "SPEND_RECON_DB": "host=db"]))
        }
        XCTAssertEqual(skipped.code, 75)
        XCTAssertEqual(skipped.err, "spend-recon-nightly: skipped: the previous night still holds \(lock)\n")
    }

    func testOffATerminalTheJobLogsProgressLines() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 20)
        let result = try runBinary(["run", "--db", f.conninfo, "--as-of", "2025-12-11", "--progress-interval", "0"])
        XCTAssertEqual(result.code, 0, result.err)
        let lines = result.err.split(separator: "\n").filter { $0.contains("msg=progress") }
        XCTAssertGreaterThan(lines.count, 5, result.err)
        XCTAssertTrue(lines.last?.contains("total=20") == true, "\(lines)")
        XCTAssertFalse(result.err.contains("\r"), "no carriage returns off a terminal")
    }

    /// A stand-in that writes a page when asked for the report (`--output FILE` is last).
    private func reportingJob(reportFails: Bool) throws -> String {
        try fakeJob("""
            if [[ "$1" == report ]]; then
                \(reportFails ? "echo 'report failed' >&2; exit 70" : "echo '<html>night</html>' > \"${@: -1}\"")
            fi
            exit 0
            """)
    }

    func testAGoodNightWritesItsReportAndLatestAndAFailedReportIsSaid() throws {
        let reports = directory + "/reports"
        let job = try reportingJob(reportFails: false)
        let good = try run(environment(["SPEND_RECON_BIN": job, "SPEND_RECON_DB": "host=db", "SPEND_RECON_REPORT_DIR": reports]))
        XCTAssertEqual(good.code, 0, good.err)
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!,
                                              formatOptions: [.withFullDate, .withDashSeparatorInDate])
        XCTAssertEqual(try String(contentsOfFile: "\(reports)/spend-recon-\(day).html", encoding: .utf8), "<html>night</html>\n")
        XCTAssertEqual(try String(contentsOfFile: "\(reports)/latest.html", encoding: .utf8), "<html>night</html>\n")

        let failing = try reportingJob(reportFails: true)
        let bad = try run(environment(["SPEND_RECON_BIN": failing, "SPEND_RECON_DB": "host=db", "SPEND_RECON_REPORT_DIR": reports]))
        XCTAssertEqual(bad.code, 0, "the night itself succeeded")
        XCTAssertTrue(bad.err.contains("its report could not be written"), bad.err)

        // Without the setting no report is asked for.
        let none = try run(environment(["SPEND_RECON_BIN": job, "SPEND_RECON_DB": "host=db", "SPEND_RECON_VERBOSE": "1"]))
        XCTAssertFalse(none.out.contains("job started: report"), none.out)
    }
}
