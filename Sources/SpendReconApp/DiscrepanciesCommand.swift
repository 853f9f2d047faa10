import ArgumentParser
import Foundation
import Logging
import PGClient
import ReconStore

struct DiscrepanciesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discrepancies",
        abstract: "List the discrepancies reruns filed, or resolve one (recorded with who and why, never deleted).")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Only the unresolved ones.")
    var open = false

    @Option(help: ArgumentHelp("Resolve this discrepancy (needs --by and --note).", valueName: "ID"))
    var resolve: Int64?

    @Option(help: ArgumentHelp("Who resolves it.", valueName: "NAME"))
    var by: String?

    @Option(help: ArgumentHelp("Why, or what was done (e.g. the ticket).", valueName: "TEXT"))
    var note: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if resolve == nil {
            guard by == nil, note == nil else { throw ValidationError("--by and --note go with --resolve ID") }
        } else {
            guard let by, !by.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--resolve needs --by NAME") }
            guard let note, !note.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--resolve needs --note TEXT") }
        }
    }

    func run() throws {
        let logger = database.makeLogger("spend-recon.discrepancies")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            try Migrator(connection: connection, logger: logger).requireCurrent()
            let book = DiscrepancyBook(connection: connection)
            let entries: [DiscrepancyBook.Entry]
            if let resolve, let by, let note {
                do {
                    entries = [try book.resolve(resolve, by: by, note: note)]
                } catch let refused as DiscrepancyBook.Refused {
                    throw ValidationError(refused.description)
                }
            } else {
                entries = try book.list(openOnly: open)
            }
            if json {
                print(try JSONOutput.text(entries, snakeCase: true))
            } else if entries.isEmpty {
                print(open ? "no open discrepancies" : "no discrepancies")
            } else {
                for entry in entries { print(entry.line) }
            }
        }
    }
}
