import ArgumentParser
import Exact
import Logging
import PGClient
import ReconStore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Validate every spend row of billing and record the ones that break the input contract.",
        discussion: """
            The nightly run reads only the rows its rules can look at, and records the bad ones \
            among them. This sweep reads all of billing (rows of accounts without a subject, unknown \
            accounts, rows far outside any window) and decides nothing. Run it weekly, or after a \
            billing incident.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Validate rows as of this instant (ISO 8601, or a date meaning midnight UTC).",
                               valueName: "TIME"))
    var asOf: InstantArgument?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let logger = database.makeLogger("spend-recon.audit")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            let reader = try Connection(conninfo: database.db, logger: logger)
            var auditor = Auditor(connection: connection, reader: reader, logger: logger)
            auditor.stop = SignalStop.request
            let summary = try auditor.run(asOf: asOf?.instant ?? Instant.now)
            var text = "audit \(summary.runID ?? 0) as of \(summary.asOf)\n  rejected rows: \(summary.rejectedRows)"
            text += "\n  granted without a grant row: \(summary.grantedWithoutGrant.count)"
            for subject in summary.grantedWithoutGrant.prefix(20) { text += "\n    \(subject)" }
            print(json ? try SummaryPrinter.json(summary) : text)
        }
    }
}
