import Exact
import PGClient
import ReconRules

/// Reads `recon.programs` and `recon.program_tiers`. A program the job cannot use as written
/// (unknown tier currency, a threshold with too many decimals) stops the run with a DataError.
public struct ProgramCatalog {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public func load(only programID: String? = nil) throws -> [Program] {
        var tiersByProgram: [String: [Tier]] = [:]
        for row in try connection.execute("""
            SELECT program_id, country, currency, tier, threshold::text, credit::text
            FROM recon.program_tiers ORDER BY program_id, country, tier
            """).rows {
            let programID = try row.decode(0, as: String.self)
            let code = try row.decode(2, as: String.self)
            guard let currency = Currency(code: code) else {
                throw DataError("program \(programID) has a tier in unknown currency \(code)")
            }
            func minor(_ column: Int) throws -> Int64 {
                do {
                    return try ExactDecimal(parsing: try row.decode(column, as: String.self)).minorUnits(exponent: currency.exponent)
                } catch let problem as ExactDecimal.Problem {
                    throw DataError("program \(programID) has a tier amount that is not valid \(code): \(problem)")
                }
            }
            tiersByProgram[programID, default: []].append(
                Tier(country: try row.decode(1, as: String.self), currency: currency, level: try row.decode(3, as: Int.self),
                     threshold: try minor(4), credit: try minor(5)))
        }
        let rows = try connection.execute("""
            SELECT program_id, kind, partners, markets, window_days, activation_days, coalesce(lookback_days, 0),
                   settle_days, grant_sla_days, enroll_from, enroll_until, credit_expires_at,
                   eligible_origins, conflicting_promotions
            FROM recon.programs WHERE $1::text IS NULL OR program_id = $1 ORDER BY program_id
            """, [programID]).rows
        return try rows.map { row in
            let id = try row.decode(0, as: String.self)
            guard let kind = Program.Kind(rawValue: try row.decode(1, as: String.self)) else {
                throw DataError("program \(id) has an unknown kind")
            }
            return Program(
                id: id, kind: kind,
                partners: Set(try row.decode(2, as: [String].self)), markets: Set(try row.decode(3, as: [String].self)),
                windowDays: try row.decode(4, as: Int.self), activationDays: try row.decodeIfPresent(5, as: Int.self),
                lookbackDays: try row.decode(6, as: Int.self), settleDays: try row.decode(7, as: Int.self),
                grantSLADays: try row.decode(8, as: Int.self), enrollFrom: try row.decodeIfPresent(9, as: Instant.self),
                enrollUntil: try row.decodeIfPresent(10, as: Instant.self),
                creditExpiresAt: try row.decodeIfPresent(11, as: Instant.self),
                eligibleOrigins: Set(try row.decode(12, as: [String].self)),
                conflictingPromotions: Set(try row.decode(13, as: [String].self)),
                tiers: tiersByProgram[id] ?? [])
        }
    }
}
