import Foundation
import Exact
import PGClient
import ReconRules

/// Reads the `billing` input as of an instant, in bulk: a handful of queries per run, never one
/// per subject. Rows timed after `asOf` are not read at all (they have not happened yet); a
/// payment, activation, first cash or campaign after `asOf` is read as null by the rules.
public struct FactReader {
    let connection: Connection
    let asOf: Instant
    /// The planner's cost per account read under which a later night reads the rows without a
    /// time at once rather than probing each account for them (`untimedRowsAreIndexed`).
    var untimedReadCostPerAccount: Int64 = 4

    public init(connection: Connection, asOf: Instant) {
        self.connection = connection
        self.asOf = asOf
    }

    /// Accounts, integrations of the programs' partners, codes and enrolments visible as of
    /// `asOf`, validated. Each table is one binary `COPY` (a platform has hundreds of thousands of
    /// accounts and integrations, and a result object per row cost a later night a third of its
    /// time); `as_of` and the partner list are bound through `set_config`.
    public func readSubjects(programs: [Program]) throws -> Facts {
        var facts = Facts()
        try bindSettings(partners: Self.partners(of: programs))
        try readAccounts(FactStatements.accounts, into: &facts)
        try connection.copyOutBinary(FactStatements.integrations) { row in
            collect(InputValidation.integration(try BillingRows.integration(row), accounts: facts.accounts),
                    into: &facts.integrations, &facts.rejections)
        }
        // Growing by doubling leaves up to half the array spare; a platform has 200,000 of these.
        facts.integrations = facts.integrations.withUnsafeBufferPointer { Array($0) }
        let promoPrograms = Self.promoProgramIDs(programs)
        try connection.copyOutBinary(FactStatements.codes) { row in
            collect(InputValidation.promoCode(try BillingRows.code(row), accounts: facts.accounts, programIDs: promoPrograms),
                    into: &facts.codes, &facts.rejections)
        }
        try readEnrollments(FactStatements.enrollments, into: &facts)
        return facts
    }

    /// Accounts from `sql` (a `FactStatements` of `BillingRows.accountColumns`), validated into `facts`.
    func readAccounts(_ sql: String, into facts: inout Facts) throws {
        try connection.copyOutBinary(sql) { row in Self.add(try BillingRows.account(row), to: &facts) }
        facts.accounts.shrinkToFit()
    }

    /// An account row validated into `facts`: the account, or its rejection (and its id marked
    /// rejected, so that rows of that account are not also rejected as of an unknown account).
    static func add(_ raw: RawAccount, to facts: inout Facts) {
        switch InputValidation.account(raw) {
        case let .success(account): facts.accounts.add(account)
        case let .failure(error):
            facts.rejections.append(error.rejection)
            if let id = raw.accountID { facts.accounts.markRejected(id) }
        }
    }

    /// Enrolments from `sql` (a `FactStatements` of `BillingRows.enrollmentColumns`), validated into `facts`.
    func readEnrollments(_ sql: String, into facts: inout Facts) throws {
        var raws: [RawEnrollment] = []
        try connection.copyOutBinary(sql) { row in raws.append(try BillingRows.enrollment(row)) }
        Self.validate(enrollments: raws, into: &facts)
    }

    /// Enrolment rows validated against `facts.accounts`, into `facts`, grouped by account.
    static func validate<Raws: Sequence<RawEnrollment>>(enrollments raws: Raws, into facts: inout Facts) {
        var enrollments: [Enrollment] = []
        for raw in raws {
            collect(InputValidation.enrollment(raw, accounts: facts.accounts), into: &enrollments, &facts.rejections)
        }
        facts.enrollments = Dictionary(grouping: enrollments, by: \.accountID)
    }

    static func promoProgramIDs(_ programs: [Program]) -> Set<String> {
        Set(programs.filter { $0.kind == .promoCodeSpendMatch }.map(\.id))
    }

    /// Streams the selected bills and top-ups ordered by account, validated, and hands each
    /// account's valid rows to `body` in one piece; rejected rows go to `reject`. Memory holds one
    /// account's rows at a time. Every row read is validated, so a bad row among them is always
    /// recorded; rows the selection leaves out are not read at all.
    public func streamSpend(accounts: AccountLookup, knownAccounts: Int? = nil, _ selection: SpendSelection,
                            reject: (Rejection, RawSpendRow) throws -> Void,
                            body: (_ accountID: Int64, _ rows: [SpendRow]) throws -> Void) throws {
        var current: Int64?
        var buffer: [SpendRow] = []
        func flush() throws {
            if let current, !buffer.isEmpty { try body(current, buffer) }
            buffer.removeAll(keepingCapacity: true)
        }
        let keepsRows = selection.keepsRows
        var cache = SpendRowAccountCache()
        let read = try prepareSpendRead(selection, knownAccounts: knownAccounts ?? accounts.count)
        try withAccountOrderPlan(read.inAccountOrder) {
            try connection.copyOutBinary("COPY (\(read.select)) TO STDOUT (FORMAT binary)") { row in
                if let plain = BillingRows.plainSpendRow(row, source: read.source, accounts: accounts, cache: &cache) {
                    if plain.accountID != current {
                        try flush()
                        current = plain.accountID
                    }
                    if keepsRows { buffer.append(plain) }
                    return
                }
                let raw = try BillingRows.spendRow(row, source: read.source)
                if raw.accountID != current {
                    try flush()
                    current = raw.accountID
                }
                switch InputValidation.spendRow(raw, accounts: accounts, cache: &cache) {
                case let .success(spend): if keepsRows { buffer.append(spend) }
                case let .failure(error): try reject(error.rejection, raw)
                }
            }
        }
        try flush()
        if let untimed = read.untimedSelect {
            // Rows without a time are always rejected, whatever their account's order, and count
            // for nothing: read after the others, so the first spend row comes sooner (this read
            // was a step of its own before the stream on both readers).
            try withUntimedRowsPlan {
                try connection.copyOutBinary("COPY (\(untimed)) TO STDOUT (FORMAT binary)") { row in
                    let raw = try BillingRows.spendRow(row, source: read.source)
                    guard case let .failure(error) = InputValidation.spendRow(raw, accounts: accounts, cache: &cache) else {
                        throw DataError("a spend row without a time passed validation")
                    }
                    try reject(error.rejection, raw)
                }
            }
        }
    }
}

/// Keeps a validated value, or records its rejection.
func collect<T>(_ outcome: InputValidation.Outcome<T>, into values: inout [T], _ rejections: inout [Rejection]) {
    switch outcome {
    case let .success(value): values.append(value)
    case let .failure(error): rejections.append(error.rejection)
    }
}
