import Exact
import PGClient
import ReconRules

/// The stored subjects' SQL, beside the type it fills: the final keys, the open subjects'
/// digests and standing, the grants held, and the keys of every subject that an earlier night
/// saw in good standing. Each read is one statement on the connection given.
extension StoredSubjects {

    /// The standing reasons as an SQL list of literals, made from `Reason.isStanding` (constants
    /// of the code, never outside values): the two reads below ask whether a stored decision had one.
    static let standingReasons = Reason.allCases.filter(\.isStanding).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    static func loadFinalSubjects(_ connection: Connection) throws -> StoredSubjects.Final {
        var final = StoredSubjects.Final()
        var keys = StoredKeyDecoder()
        try connection.copyOutBinary("""
            COPY (SELECT program_id::text, subject_key::text, integration_id::int8 FROM recon.subject_status WHERE final)
            TO STDOUT (FORMAT binary)
            """) { row in
            guard let (program, key) = try keys.decode(row, key: 1, integrationID: 2) else { return }
            final.insert(program: program, key: key)
        }
        final.held = try loadHeldGrants(connection)
        return final
    }

    /// The grants already written, per program (`HeldGrants`): a merchant or account that holds
    /// one keeps it, whatever a late-loaded rival's set-up or activation order says.
    static func loadHeldGrants(_ connection: Connection) throws -> [String: HeldGrants] {
        var held: [String: HeldGrants] = [:]
        try connection.copyOutBinary("""
            COPY (SELECT program_id::text, account_id::int8, integration_id::int8, partner::text, merchant_id::text,
                         promo_code::text
                  FROM recon.credit_grants)
            TO STDOUT (FORMAT binary)
            """) { row in
            guard let program = try row.text(0), let account = try row.int64(1) else { return }
            if let integration = try row.int64(2), let partner = try row.text(3), let merchant = try row.text(4) {
                held[program, default: HeldGrants()].insert(integrationID: integration, partner: partner, merchantID: merchant,
                                                            accountID: account)
            } else if let code = try row.text(5) {
                held[program, default: HeldGrants()].insert(code: code, accountID: account)
            }
        }
        return held
    }

    /// Open subjects with their decisions' digests (`DecisionDigest`): a night leaves an open
    /// subject whose decision did not change as it is (docs/DECISIONS.md). Migration 008's
    /// partial index of the open rows finds them without a pass over the final ones.
    /// Also returns their accounts (`account_id`), in the order read.
    static func loadOpenSubjects(_ connection: Connection) throws -> (open: StoredSubjects.Open, accountIDs: [Int64]) {
        var open = StoredSubjects.Open()
        var accountIDs: [Int64] = []
        var keys = StoredKeyDecoder()
        try connection.copyOutBinary("""
            COPY (SELECT program_id::text, subject_key::text, integration_id::int8, decision_digest::bytea,
                         account_id::int8,
                         CASE WHEN status = 'pending' THEN waiting_for IS DISTINCT FROM 'activation'
                              ELSE NOT EXISTS (
                             SELECT FROM recon.ineligibility_reasons r
                             WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key
                               AND r.reason IN (\(standingReasons))) END
                  FROM recon.subject_status s WHERE NOT final)
            TO STDOUT (FORMAT binary)
            """) { row in
            if let id = try row.int64(4) { accountIDs.append(id) }
            guard let (program, key) = try keys.decode(row, key: 1, integrationID: 2) else { return }
            open.insert(program: program, key: key,
                        row: StoredSubjects.OpenRow(digest: try row.withBytes(3) { DecisionDigest(stored: $0) },
                                                    standingObserved: try row.bool(5) ?? false))
        }
        return (open, accountIDs)
    }

    /// A stored row's program (field 0, its text made once per program rather than per row)
    /// and key. An integration's key in the form `Integration` writes is recognised from its
    /// bytes and the row's `integration_id` and held as that id, so no key text is made or
    /// parsed for it; any other key maps as `StoredSubjects.Key` says.
    struct StoredKeyDecoder {
        private var program = ""

        mutating func decode(_ row: BinaryCopyRow, key: Int, integrationID: Int) throws -> (String, StoredSubjects.Key)? {
            if try !row.text(0, equals: program) {
                guard let text = try row.text(0) else { return nil }
                program = text
            }
            if let id = try row.int64(integrationID),
               try row.withBytes(key, { $0.map { StoredSubjects.Key.isKey($0, ofIntegration: id) } ?? false }) {
                return (program, .integration(id))
            }
            return try row.text(key).map { (program, StoredSubjects.Key($0)) }
        }
    }

    /// Every stored subject whose stored decision saw its account in good standing (a code
    /// still waiting for its activation was not judged on standing): for a pass
    /// over final subjects too (a rerun), where instants before tonight are judged in the
    /// standing the earlier night saw (`Account.inGoodStanding`).
    static func loadStandingObserved(_ connection: Connection) throws -> Set<SubjectID> {
        var keys = Set<SubjectID>()
        try connection.stream("""
            SELECT s.program_id, s.subject_key FROM recon.subject_status s
            WHERE s.waiting_for IS DISTINCT FROM 'activation'
              AND NOT EXISTS (SELECT FROM recon.ineligibility_reasons r
                              WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key
                                AND r.reason IN (\(standingReasons)))
            """) { row in
            keys.insert(SubjectID(try row.decode(0), try row.decode(1)))
        }
        return keys
    }
}
