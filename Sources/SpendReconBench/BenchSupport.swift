import ArgumentParser
import Logging
import ReconStore
import SpendReconApp

/// The bench's exit codes: 64 for a bad option (argument-parser's own), 69 when huge pages
/// cannot be reserved, 70 when a measured night failed or decided wrongly.
func withBenchExitCodes(logger: Logger, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ValidationError {
        throw error
    } catch let error as HugePageError {
        logger.error("huge pages unavailable", metadata: ["error": "\(error)"])
        throw ExitCode(69)
    } catch {
        logger.error("bench failed", metadata: ["error": "\(error)"])
        throw ExitCode(70)
    }
}

/// A logger writing logfmt lines to stderr at `level`.
func makeBenchLogger(_ label: String, level: Logger.Level) -> Logger {
    var logger = Logger(label: label) { LineLogHandler(label: $0, format: .logfmt) }
    logger.logLevel = level
    return logger
}

/// `1234567` as `1,234,567`, for the printed table.
func grouped(_ value: Int) -> String {
    let digits = Array(String(value.magnitude))
    let groups = stride(from: digits.count, to: 0, by: -3).reversed().map { end in String(digits[max(0, end - 3)..<end]) }
    return (value < 0 ? "-" : "") + groups.joined(separator: ",")
}

func monotonicMicroseconds() -> Int64 { MonotonicClock.microseconds() }
