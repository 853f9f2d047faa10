import ArgumentParser
import Logging
import PGClient
import ReconStore

/// `spend-recon liability`: finance's view of the credit promised (SPEC section 8), settled
/// afresh as of `--as-of` (default: the database's clock). Writes nothing, takes no lock.
struct LiabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liability",
        abstract: "Credit granted, settled, outstanding, overdue and in mismatch, per program and currency.",
        discussion: """
            settled + settled late + outstanding (not yet due) + overdue + mismatch = granted, per line.
            Expired: outstanding or overdue credit whose expiry has passed with nothing applied. Unmatched:
            applications live as of --as-of that name no outbox entry (applied by hand or an unknown ref).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Settle as of this instant (default: now).", valueName: "TIME"))
    var asOf: InstantArgument?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let logger = database.makeLogger("spend-recon.liability")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            let asOf = try self.asOf?.instant ?? DatabaseClock.now(connection)
            let report = try LiabilityReport.read(connection, asOf: asOf)
            print(json ? try JSONOutput.text(report, snakeCase: true) : Self.text(report))
        }
    }

    static func text(_ report: LiabilityReport) -> String {
        var lines = ["liability as of \(report.asOf)"]
        if report.lines.isEmpty { lines.append("  no credit handed over yet") }
        for line in report.lines {
            if let program = line.programID {
                lines.append("  \(program) \(line.currency): granted \(line.granted) (\(line.entries) entries)")
                lines.append("    settled \(line.settled), settled late \(line.settledLate), outstanding \(line.outstanding), "
                             + "overdue \(line.overdue), mismatch \(line.mismatch)")
                lines.append("    expired without a live application: \(line.expiredUnapplied)")
            } else {
                lines.append("  unmatched applications \(line.currency): \(line.unmatched) (\(line.unmatchedCount))")
            }
        }
        if report.rejectedApplications > 0 {
            lines.append("  application rows rejected (left out): \(report.rejectedApplications)")
        }
        return lines.joined(separator: "\n")
    }
}
