import PGClient
import ReconRules

/// A later night's accounts and enrolments read before it knows exactly which it needs: those
/// of the open subjects (their stored `account_id`), of every code's recipient, and any without
/// an id, as rows, unvalidated.
///
/// Why: which accounts a later night needs is known only once the stored keys and the
/// platform's integrations are in (`FactReader.neededIntegrations`). Read only then, the
/// accounts would sit on the longest branch before the first spend row with one core idle.
/// Nearly all of them are the open subjects', known as
/// soon as the open rows are read, so the second reader reads those meanwhile, and only the
/// few still missing (a new integration's account, a rival's) are read afterwards. What the
/// night then keeps is exactly the needed accounts and their enrolments, as before: a row read
/// ahead that no unsettled subject needs is dropped unvalidated, so it is not counted as
/// rejected either (`FactReader.readUnsettledFacts`).
struct AccountsReadAhead {
    var accounts: [RawAccount] = []
    var enrollments: [RawEnrollment] = []
    /// The ids asked for and those found: an id here needs no second read, found or not.
    var covered = IntegrationIDSet()

    init() {}

    /// Reads the accounts `ids` (distinct) and those of every code's recipient, and any account
    /// or enrolment row without an account id, over `reader`.
    init(reading ids: [Int64], over reader: FactReader) throws {
        try reader.bindSettings()
        try reader.loadAccountIDs(ids, into: .factAccounts)
        for id in ids { covered.insert(id) }
        try reader.connection.copyOutBinary(FactStatements.readAheadAccounts) { row in
            let raw = try BillingRows.account(row)
            if let id = raw.accountID { covered.insert(id) }
            accounts.append(raw)
        }
        try reader.connection.copyOutBinary(FactStatements.readAheadEnrollments) { row in
            enrollments.append(try BillingRows.enrollment(row))
        }
    }
}
