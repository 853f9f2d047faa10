import Exact
import Foundation
import PGClient
import PostgresSandbox
import SampleData
@testable import SpendReconApp
import XCTest

/// Issue 6: the demo, metrics, log lines, progress, and the cron/systemd files.
final class OperationsTests: XCTestCase {
    static let smallSample = SampleProfile(seed: 11, merchants: 40, promoCodes: 6, rowsPerSubject: 10,
                                           asOf: SampleProfile.demo.asOf, setUpDays: 90)
    static let asOf = SampleProfile.demo.asOf.iso8601

    func loadSmallSample(_ fixture: StoreFixture) throws {
        try SampleLoader(connection: fixture.db).load(SampleGenerator(profile: Self.smallSample))
    }

    func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "sr-ops-\(getpid())-\(UUID().uuidString)-\(name)"
    }

    // MARK: demo

    func testDemoRunsEndToEndIsDeterministicAndItsExportParses() throws {
        let first = temporaryPath("demo-1.csv"), second = temporaryPath("demo-2.csv")
        let run = try runBinary(["demo", "--export", first])
        XCTAssertEqual(run.code, 0, run.err)
        XCTAssertTrue(run.out.contains("run 1 as of 2026-01-10T00:00:00Z"), run.out)
        XCTAssertTrue(run.out.contains("Stopped the throwaway server"), run.out)
        let rows = try parseCSV(first)
        XCTAssertEqual(rows.first, SupportExport.header)
        XCTAssertEqual(rows.count, 341, "300 merchants and 40 codes, plus the header")
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0.count == SupportExport.header.count })
        let statuses = Set(rows.dropFirst().map { $0[9] })
        XCTAssertEqual(statuses, ["granted", "pending", "threshold_not_reached", "ineligible"])
        XCTAssertTrue(rows.dropFirst().allSatisfy { !$0[23].isEmpty }, "every row has an explanation")
        // The printed summary and the export agree on the granted count.
        let granted = rows.dropFirst().filter { $0[9] == "granted" }.count
        XCTAssertTrue(run.out.contains("granted                \(granted)\n"), run.out)

        let again = try runBinary(["demo", "--export", second])
        XCTAssertEqual(again.code, 0, again.err)
        XCTAssertEqual(try String(contentsOfFile: first, encoding: .utf8), try String(contentsOfFile: second, encoding: .utf8),
                       "the demo is seeded: the same export every time")
    }

    func testDemoKeepLeavesAServerToConnectToAndPrintsHowToStopIt() throws {
        let run = try runBinary(["demo", "--keep", "--export", temporaryPath("kept.csv")])
        XCTAssertEqual(run.code, 0, run.err)
        let lines = run.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let psql = try XCTUnwrap(lines.first { $0.hasPrefix("psql \"") })
        let conninfo = String(psql.dropFirst(6).dropLast())
        let stop = try XCTUnwrap(lines.first { $0.contains("pg_ctl") && $0.contains("stop") })
        let connection = try Connection(conninfo: conninfo, logger: quietLogger())
        XCTAssertGreaterThan(try connection.execute("SELECT count(*) FROM recon.credit_grants")[0].decode(0, as: Int.self), 0)
        let directory = try XCTUnwrap(stop.components(separatedBy: "rm -rf ").last)
        XCTAssertEqual(try Subprocess.run("/bin/sh", ["-c", stop], log: nil), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "the stop command deletes the server's files")
    }

    // MARK: metrics

    func testMetricsFileHoldsTheSuccessAfterAGoodRunAndKeepsItAfterAFailedOne() throws {
        let fixture = try StoreFixture()
        try loadSmallSample(fixture)
        let metrics = temporaryPath("spend_recon_run.prom")
        let good = try runBinary(["run", "--db", fixture.conninfo, "--as-of", Self.asOf, "--metrics-file", metrics])
        XCTAssertEqual(good.code, 0, good.err)
        let afterGood = try PrometheusText.parse(String(contentsOfFile: metrics, encoding: .utf8))
        XCTAssertEqual(afterGood["spend_recon_last_run_success{kind=\"run\"}"], "1")
        XCTAssertEqual(afterGood["spend_recon_last_run_exit_code{kind=\"run\"}"], "0")
        let successTime = try XCTUnwrap(afterGood["spend_recon_last_success_timestamp_seconds{kind=\"run\"}"])
        XCTAssertEqual(afterGood["spend_recon_last_run_timestamp_seconds{kind=\"run\"}"], successTime)
        let granted = try fixture.count("SELECT count(*) FROM recon.subject_status WHERE status = 'granted'")
        XCTAssertEqual(afterGood["spend_recon_subjects{kind=\"run\",status=\"granted\"}"], "\(granted)")
        let usd = try fixture.db.execute("SELECT sum(credit)::text FROM recon.credit_grants WHERE currency = 'USD'")[0]
            .decode(0, as: String.self)
        XCTAssertEqual(afterGood["spend_recon_credit_granted{kind=\"run\",currency=\"USD\"}"], usd)
        XCTAssertEqual(afterGood["spend_recon_rejected_rows{kind=\"run\"}"],
                       "\(try fixture.count("SELECT count(*) FROM recon.rejected_rows"))")

        let unreachable = "host=/nonexistent-spend-recon port=1 dbname=x"
        let bad = try runBinary(["run", "--db", unreachable, "--as-of", Self.asOf, "--metrics-file", metrics])
        XCTAssertEqual(bad.code, 69, bad.err)
        let afterBad = try PrometheusText.parse(String(contentsOfFile: metrics, encoding: .utf8))
        XCTAssertEqual(afterBad["spend_recon_last_run_success{kind=\"run\"}"], "0")
        XCTAssertEqual(afterBad["spend_recon_last_run_exit_code{kind=\"run\"}"], "69")
        XCTAssertEqual(afterBad["spend_recon_last_success_timestamp_seconds{kind=\"run\"}"], successTime,
                       "a failed run keeps the last success time")
        XCTAssertNotEqual(afterBad["spend_recon_last_run_timestamp_seconds{kind=\"run\"}"], successTime)
        XCTAssertEqual(afterBad["spend_recon_subjects{kind=\"run\",status=\"granted\"}"], "\(granted)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
            .filter { $0.hasPrefix((metrics as NSString).lastPathComponent + ".tmp") }
        XCTAssertEqual(leftovers, [], "the temporary file is renamed into place, never left behind")
    }

    func testAFailureBeforeAnySuccessWritesAValidFileWithoutASuccessTime() throws {
        let metrics = temporaryPath("first.prom")
        let bad = try runBinary(["rerun", "--db", "host=/nonexistent-spend-recon port=1", "--from", "2026-01-01", "--to", "2026-01-02",
                                 "--metrics-file", metrics])
        XCTAssertEqual(bad.code, 69, bad.err)
        let samples = try PrometheusText.parse(String(contentsOfFile: metrics, encoding: .utf8))
        XCTAssertEqual(samples["spend_recon_last_run_exit_code{kind=\"rerun\"}"], "69")
        XCTAssertNil(samples["spend_recon_last_success_timestamp_seconds{kind=\"rerun\"}"])
    }

    // MARK: logs and progress

    func testJSONLogLinesCarryTheRunIDAndDataInFields() throws {
        let fixture = try StoreFixture()
        try loadSmallSample(fixture)
        let run = try runBinary(["run", "--db", fixture.conninfo, "--as-of", Self.asOf, "--log-format", "json", "--log-level", "debug"])
        XCTAssertEqual(run.code, 0, run.err)
        let lines = run.err.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        var finished: [String: String]?
        for line in lines {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], String(line))
            XCTAssertNotNil(object["ts"].flatMap(Instant.init(iso8601:)), String(line))
            XCTAssertNotNil(object["level"])
            XCTAssertEqual(object["logger"], "spend-recon.run")
            if object["msg"] == "run finished" { finished = object }
        }
        let runID = try fixture.count("SELECT max(run_id) FROM recon.runs")
        XCTAssertEqual(finished?["run_id"], "\(runID)")
        XCTAssertEqual(finished?["evaluated"], "46")
        XCTAssertFalse(run.err.contains("\r"), "no progress line when stderr is not a terminal")
    }

    func testLogfmtLinesAreKeyValuePairsWithQuotedValues() throws {
        let fixture = try StoreFixture()
        try loadSmallSample(fixture)
        let run = try runBinary(["run", "--db", fixture.conninfo, "--as-of", Self.asOf])
        XCTAssertEqual(run.code, 0, run.err)
        let pair = #"[a-z_]+=("(\\.|[^"\\])*"|[^ "=]+)"#
        let line = try NSRegularExpression(pattern: "^ts=\\S+ level=[a-z]+ logger=spend-recon\\.run msg=\\S.*$")
        let pairs = try NSRegularExpression(pattern: "^\(pair)( \(pair))*$")
        for text in run.err.split(separator: "\n").map(String.init) {
            let range = NSRange(text.startIndex..., in: text)
            XCTAssertNotNil(line.firstMatch(in: text, range: range), text)
            XCTAssertNotNil(pairs.firstMatch(in: text, range: range), text)
        }
        XCTAssertTrue(run.err.contains(#"msg="run finished""#), run.err)
        XCTAssertTrue(run.err.contains(" run_id="), run.err)
    }

    func testLogLineFormattingEscapesWhatWouldBreakALine() {
        let fields = [("msg", "two words"), ("q", "say \"hi\"\nnext"), ("plain", "abc"), ("empty", "")]
        XCTAssertEqual(LineLogHandler.logfmt(fields), #"msg="two words" q="say \"hi\"\nnext" plain=abc empty="""#)
        XCTAssertEqual(LineLogHandler.json(fields), #"{"msg":"two words","q":"say \"hi\"\nnext","plain":"abc","empty":""}"#)
        XCTAssertEqual(LineLogHandler.json([("c", "\u{01}")]), #"{"c":"\u0001"}"#)
    }

    func testProgressLineShowsCountsRateAndTimeLeft() {
        XCTAssertEqual(ProgressLine.render(label: "run", done: 12_000, total: 200_000, elapsedMicros: 3_000_000),
                       "run: 12,000 / 200,000 subjects (6%) · 4,000/s · 47s left")
        XCTAssertEqual(ProgressLine.render(label: "rerun", done: 0, total: 10, elapsedMicros: 0), "rerun: 0 / 10 subjects (0%)")
        XCTAssertEqual(ProgressLine.render(label: "run", done: 1, total: 7201, elapsedMicros: 1_000_000),
                       "run: 1 / 7,201 subjects (0%) · 1/s · 2h00m left")
    }

    // MARK: cron and systemd

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testCrontabEntryHasFiveTimeFieldsAFlockGuardAndMailto() throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent("cron/spend-recon.crontab"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let settings = lines.filter { $0.range(of: #"^[A-Z_]+="#, options: .regularExpression) != nil }
        XCTAssertTrue(settings.contains { $0.hasPrefix("MAILTO=") })
        let entries = lines.filter { !settings.contains($0) }
        XCTAssertEqual(entries.count, 1, "one entry: \(entries)")
        let fields = entries[0].split(separator: " ", omittingEmptySubsequences: true)
        XCTAssertGreaterThan(fields.count, 5)
        let time = #"^(\*|[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)(/[0-9]+)?$"#
        for field in fields.prefix(5) {
            XCTAssertNotNil(field.range(of: time, options: .regularExpression), "time field \(field)")
        }
        XCTAssertEqual(fields.count, 6, "the wrapper takes its own lock: \(fields)")
        XCTAssertTrue(fields.last!.hasSuffix("spend-recon-nightly"))
    }

    func testSystemdUnitsPassVerification() throws {
        let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let analyze else {
            // Not a silent skip: the run says why. CI's machine has systemd-analyze.
            throw XCTSkip("systemd-analyze is not installed here")
        }
        let directory = temporaryPath("units")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let wrapper = Self.repository.appendingPathComponent("cron/spend-recon-nightly").path
        for unit in ["spend-recon.service", "spend-recon.timer"] {
            var text = try String(contentsOf: Self.repository.appendingPathComponent("cron/\(unit)"), encoding: .utf8)
            // verify checks that ExecStart exists: point it at the wrapper in this checkout.
            text = text.replacingOccurrences(of: "ExecStart=/usr/local/bin/spend-recon-nightly", with: "ExecStart=\(wrapper)")
            try text.write(toFile: directory + "/" + unit, atomically: true, encoding: .utf8)
        }
        let log = directory + "/verify.log"
        let code = try Subprocess.run(analyze, ["verify", directory + "/spend-recon.service", directory + "/spend-recon.timer"], log: log)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(code, 0, output)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", "no warnings")
        let timer = try String(contentsOfFile: directory + "/spend-recon.timer", encoding: .utf8)
        XCTAssertTrue(timer.contains("Persistent=true"))
        XCTAssertTrue(timer.contains("RandomizedDelaySec="))
    }

    func testNightlyWrapperIsQuietOnSuccessAndLoudOnFailure() throws {
        let fixture = try StoreFixture()
        try loadSmallSample(fixture)
        let wrapper = Self.repository.appendingPathComponent("cron/spend-recon-nightly").path
        let envFile = temporaryPath("spend-recon.env")
        let metrics = temporaryPath("nightly.prom")
        try """
            SPEND_RECON_DB="\(fixture.conninfo)"
            SPEND_RECON_METRICS_FILE=\(metrics)
            """.write(toFile: envFile, atomically: true, encoding: .utf8)
        let environment = ["SPEND_RECON_ENV_FILE": envFile, "SPEND_RECON_BIN": spendReconBinary()]
        let good = try runWithEnvironment(wrapper, ["--as-of", Self.asOf], environment: environment)
        XCTAssertEqual(good.code, 0, good.out)
        XCTAssertEqual(good.out, "", "quiet on success: cron sends no mail")
        XCTAssertGreaterThan(try fixture.count("SELECT count(*) FROM recon.credit_grants"), 0)
        XCTAssertEqual(try PrometheusText.parse(String(contentsOfFile: metrics, encoding: .utf8))["spend_recon_last_run_success{kind=\"run\"}"], "1")

        try "SPEND_RECON_DB=\"host=/nonexistent-spend-recon port=1\"\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        let bad = try runWithEnvironment(wrapper, [], environment: environment)
        XCTAssertEqual(bad.code, 69)
        XCTAssertTrue(bad.out.contains("exited with code 69"), bad.out)
        XCTAssertTrue(bad.out.contains("database unavailable"), bad.out)
    }

    /// Runs an executable with extra environment; stdout and stderr together.
    func runWithEnvironment(_ path: String, _ arguments: [String], environment: [String: String]) throws -> (code: Int32, out: String) {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let output = temporaryPath("out")
        let pid = try Subprocess.spawn(path, arguments, stdout: output, stderr: output, environment: env)
        let code = try Subprocess.wait(pid)
        return (code, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
