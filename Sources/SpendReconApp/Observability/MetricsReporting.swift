import ArgumentParser
import Exact
import Logging

/// Runs a command body and records its outcome in the metrics file (when one was asked for),
/// success or failure; then lets the outcome through unchanged. A metrics file that cannot be
/// written is logged and does not change the exit code: a stale file is itself the alarm.
func reportingMetrics(_ metrics: MetricsFile?, logger: Logger, _ body: () throws -> MetricsFile.Outcome) throws {
    let startedAt = Instant.now
    let start = monotonicMicroseconds()
    do {
        let outcome = try body()
        do {
            try metrics?.recordSuccess(outcome, startedAt: startedAt, durationMicros: monotonicMicroseconds() - start)
        } catch {
            logger.error("metrics file not written", metadata: ["error": "\(error)"])
        }
    } catch {
        let code: Int32 = switch error {
        case let exit as ExitCode: exit.rawValue
        case is ValidationError: SpendReconExit.usage
        default: SpendReconExit.internalError
        }
        do {
            try metrics?.recordFailure(exitCode: code, startedAt: startedAt, durationMicros: monotonicMicroseconds() - start)
        } catch let writeError {
            logger.error("metrics file not written", metadata: ["error": "\(writeError)"])
        }
        throw error
    }
}
