import ArgumentParser
import Logging
import PGClient
import ReconStore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending recon schema migrations in one transaction.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Also create the sample billing tables (tests and demos only; a deployment brings its own).")
    var withBillingTables = false

    func run() throws {
        let logger = database.makeLogger("spend-recon.migrate")
        try withExitCodes(logger: logger) {
            let connection = try Connection(conninfo: database.db, logger: logger)
            let migrator = Migrator(connection: connection, logger: logger)
            let applied = try migrator.migrate()
            if withBillingTables { try migrator.createBillingTables() }
            print(applied.isEmpty
                  ? "recon schema is current at version \(try migrator.currentVersion())"
                  : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}
