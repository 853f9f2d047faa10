import ArgumentParser
import Logging
import PGClient
import ReconStore

/// `spend-recon outbox`: the crediting system's feed (SPEC section 8), one JSON object per line
/// in `position` order. A consumer passes the last position it handled as `--after`.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Print the credit handed to the crediting system after a position, as JSON lines in order.",
        discussion: """
            Each grant and adjustment has one entry (credit_ref grant:<id> or adjustment:<id>). Remember
            the last position you handled and pass it as --after: you will never miss or repeat an entry.
            The job sends NOTIFY spend_recon_credit with the last position after each commit that adds some.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Print the entries after this position (0: from the start).", valueName: "POSITION"))
    var after: Int64 = 0

    @Option(help: "At most this many entries.")
    var limit = 1000

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after must be 0 or a position") }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.outbox")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            for entry in try CreditOutbox(connection: connection).entries(after: after, limit: limit) {
                print(try JSONOutput.line(entry))
            }
        }
    }
}
