import ArgumentParser
import Exact
import Logging
import PGClient
import ReconReport
import ReconStore

/// `spend-recon report`: the nightly report of SPEC section 9, one self-contained HTML file.
/// Reads `recon` only and writes nothing there.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the nightly report: one self-contained HTML page with charts and the numbers behind them.",
        discussion: """
            Subjects by program and status, credit granted by currency and tier, settlement, overdue credit
            by age, outstanding credit, pending subjects' progress, top ineligibility reasons, rejected
            rows, the last runs. Opens offline and as a mail attachment: nothing is fetched.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Report as of this instant (default: the latest nightly run's as-of).", valueName: "TIME"))
    var asOf: InstantArgument?

    @Option(help: ArgumentHelp("Write the page here (atomically); default: standard output.", valueName: "FILE"))
    var output: String?

    @Option(help: "How many of the latest runs to show.")
    var runs = 14

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.report")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            let data = try ReportData.read(connection, asOf: asOf?.instant, runs: runs)
            let page = try ReportPage.html(data, generatedAt: try DatabaseClock.now(connection))
            try OutputSink.write(page, to: output)
            logger.info("report written", metadata: ["path": "\(output ?? "stdout")", "as_of": "\(data.asOf.iso8601)"])
        }
    }
}
