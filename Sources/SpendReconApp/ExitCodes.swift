import ArgumentParser
import Logging
import PGClient
import PostgresSandbox
import ReconRules
import ReconStore

/// SPEC section 7's exit codes.
public enum SpendReconExit {
    public static let ok: Int32 = 0
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let unavailable: Int32 = 69
    public static let internalError: Int32 = 70
    public static let lockHeld: Int32 = 75
    public static let configuration: Int32 = 78

    /// Maps an error to its exit code and prints one line about it to stderr. Passwords never
    /// reach the line: connection errors are already redacted by the libpq layer.
    static func code(for error: Error, logger: Logger) -> ExitCode {
        switch error {
        case let exit as ExitCode:
            return exit
        case let error as PostgresError where error.kind == .conninfo:
            logger.error("malformed --db conninfo", metadata: ["error": "\(error)"])
            return ExitCode(usage)
        case let error as ConfigurationError:
            logger.error("configuration error", metadata: ["problem": "\(error.problem)", "fix": "\(error.fix)"])
            return ExitCode(configuration)
        case let error as PostgresError where ConfigurationError(error) != nil:
            let configuration = ConfigurationError(error)!
            logger.error("configuration error", metadata: ["problem": "\(configuration.problem)", "fix": "\(configuration.fix)",
                                                            "sqlstate": "\(error.sqlState ?? "")"])
            return ExitCode(self.configuration)
        case let error as PostgresError where error.isConnectionProblem:
            logger.error("database unavailable", metadata: ["error": "\(error)"])
            return ExitCode(unavailable)
        case let error as PostgresError where error.isTimeout:
            // A timeout the operator set (statement_timeout, lock_timeout): the database did not
            // serve the job in time. Nothing half-written; retry later or raise the limit.
            logger.error("database statement timed out", metadata: ["error": "\(error)"])
            return ExitCode(unavailable)
        case let cancelled as RunCancelled:
            logger.notice("run cancelled", metadata: ["reason": "\(cancelled)"])
            return ExitCode(128 + cancelled.signal)
        case let error as AsOfRefused:
            logger.error("as_of refused", metadata: ["error": "\(error)"])
            return ExitCode(usage)
        case let error as RunLock.Held:
            logger.error("another run holds the lock", metadata: ["holder": "\(error)"])
            return ExitCode(lockHeld)
        case let error as DataError:
            logger.error("data error stopped the run", metadata: ["error": "\(error)"])
            return ExitCode(dataError)
        default:
            logger.error("internal error", metadata: ["error": "\(error)"])
            return ExitCode(internalError)
        }
    }
}

/// Runs a command body, turning every error into SPEC section 7's exit code.
func withExitCodes(logger: Logger, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ValidationError {
        throw error
    } catch {
        throw SpendReconExit.code(for: error, logger: logger)
    }
}
