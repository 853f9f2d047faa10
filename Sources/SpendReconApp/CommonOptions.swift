import ArgumentParser
import Exact
import Logging

/// Options every database command takes.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "libpq conninfo string or URI; without it libpq's environment applies (PGHOST, PGDATABASE, PGSERVICE, .pgpass).",
        valueName: "CONNINFO"))
    var db: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// An instant given on the command line: ISO 8601 (`2025-12-01T00:00:00Z`) or a date (midnight UTC).
struct InstantArgument: ExpressibleByArgument {
    let instant: Instant

    init?(argument: String) {
        guard let instant = Instant(iso8601: argument) else { return nil }
        self.instant = instant
    }

    static var defaultValueDescription: String { "now" }
}
