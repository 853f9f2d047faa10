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

    @Option(name: .long, help: "Log line format on stderr: logfmt or json.")
    var logFormat: LogFormat = .logfmt

    /// A logger with this command's level and format (a handler of its own: only `main`
    /// bootstraps the logging system).
    func makeLogger(_ label: String) -> Logger {
        SpendReconApp.makeLogger(label, level: logLevel, format: logFormat)
    }
}

/// A logger writing `format` lines to stderr at `level`.
func makeLogger(_ label: String, level: Logger.Level, format: LogFormat) -> Logger {
    var logger = Logger(label: label) { LineLogHandler(label: $0, format: format) }
    logger.logLevel = level
    return logger
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

/// `partner:merchant_id` on the command line, e.g. `woocommerce:store-42`.
struct MerchantArgument: ExpressibleByArgument {
    let partner: String
    let merchantID: String

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        partner = String(parts[0])
        merchantID = String(parts[1])
    }

    /// The subject name support sees, `partner:merchant_id`.
    var subjectName: String { "\(partner):\(merchantID)" }
}
