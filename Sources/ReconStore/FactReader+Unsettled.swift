import PGClient
import ReconRules

/// A later night's facts: only what the subjects not yet final need.
///
/// Why: once most subjects are final (every night after the first few), reading and validating
/// every account and integration of the platform would be most of a later night's time before
/// its first spend row, although only the open and the new subjects are evaluated. "Tomorrow costs what changed" held for spend rows but not for
/// subjects.
///
/// What is read, in two steps (the second needs the stored keys, which come meanwhile over the
/// other connection):
/// 1. `readSubjectRows`: every integration of the programs' partners and every code, as rows,
///    unvalidated (one pass over the platform's integrations is what finding the new ones costs);
/// 2. `readUnsettledFacts`: the unsettled integrations (new, or open in a program), and every
///    integration that shares a merchant or an account with one of them, since P1 and P6 rank
///    a subject among exactly those; the accounts of these and of every code's recipient; those
///    accounts' enrolments (with a second reader, most of them read ahead during step 1:
///    `AccountsReadAhead`). Codes are few and all kept (C4 ranks by activating account).
/// Then everything read is validated as `readSubjects` validates it. An integration settled in
/// every program (final everywhere) that shares nothing with an unsettled one is neither
/// validated nor ranked: no decision depends on it. A rejected integration is never stored, so
/// it stays unsettled and is rejected every night as before; an account or enrolment that no
/// unsettled subject needs is not read, and so not counted as rejected on that night
/// (docs/DECISIONS.md).
extension FactReader {
    /// The integrations and codes of `programs` visible as of `asOf`, as rows.
    public struct SubjectRows {
        public var integrations: [RawIntegration] = []
        public var codes: [RawPromoCode] = []
    }

    func readSubjectRows(programs: [Program]) throws -> SubjectRows {
        var rows = SubjectRows()
        try bindSettings(partners: Self.partners(of: programs))
        try connection.copyOutBinary(FactStatements.integrations) { row in
            rows.integrations.append(try BillingRows.integration(row))
        }
        try connection.copyOutBinary(FactStatements.codes) { row in rows.codes.append(try BillingRows.code(row)) }
        return rows
    }

    /// `readSubjects` over two connections at once: the accounts and enrolments on
    /// `accountReader`, meanwhile the integrations and codes as rows on this reader, validated
    /// against the accounts once both are in. The same facts, rejections included.
    ///
    /// Why: read one after the other, the first night's 208,000 accounts and 200,000
    /// integrations kept one core idle for a quarter of a second before the first spend row.
    func readSubjects(programs: [Program], accountsFrom accountReader: FactReader) throws -> Facts {
        let ((accountFacts, enrollmentRejections), rows) = try concurrently({ () throws -> (Facts, [Rejection]) in
            var facts = Facts()
            try accountReader.bindSettings()
            try accountReader.readAccounts(FactStatements.accounts, into: &facts)
            let accountRejections = facts.rejections
            facts.rejections = []
            try accountReader.readEnrollments(FactStatements.enrollments, into: &facts)
            let enrollmentRejections = facts.rejections
            facts.rejections = accountRejections
            return (facts, enrollmentRejections)
        }, { try self.readSubjectRows(programs: programs) })
        // Validated and listed in `readSubjects`' order: accounts, integrations, codes, enrolments.
        var facts = accountFacts
        facts.integrations.reserveCapacity(rows.integrations.count)
        Self.validate(integrations: rows.integrations, codes: rows.codes, programs: programs, into: &facts)
        facts.rejections += enrollmentRejections
        return facts
    }

    /// The accounts the needed integrations and the codes belong to: what a read ahead asks for.
    static func neededAccountIDs(_ needed: [RawIntegration], codes: [RawPromoCode]) -> (set: IntegrationIDSet, ids: [Int64]) {
        var set = IntegrationIDSet()
        var ids: [Int64] = []
        func need(_ id: Int64?) { if let id, set.insert(id) { ids.append(id) } }
        for raw in needed { need(raw.accountID) }
        for raw in codes { need(raw.recipientAccountID) }
        return (set, ids)
    }

    /// The facts the unsettled subjects of `rows` need, `needed` being the integrations they
    /// need (`neededIntegrations`). `ahead` holds the accounts read ahead (`AccountsReadAhead`,
    /// meanwhile on another connection, or just before on this one): only what it lacks is read
    /// here.
    func readUnsettledFacts(programs: [Program], rows: SubjectRows, needed: [RawIntegration],
                            readAhead ahead: AccountsReadAhead) throws -> Facts {
        let (neededAccounts, neededIDs) = Self.neededAccountIDs(needed, codes: rows.codes)
        let missing = neededIDs.filter { !ahead.covered.contains($0) }.sorted()
        var missingAccounts: [RawAccount] = []
        var missingEnrollments: [RawEnrollment] = []
        if !missing.isEmpty {
            try bindSettings()
            try loadAccountIDs(missing, into: .factAccounts)
            try connection.copyOutBinary(FactStatements.accountsOfIDs) { row in missingAccounts.append(try BillingRows.account(row)) }
            try connection.copyOutBinary(FactStatements.enrollmentsOfIDs) { row in missingEnrollments.append(try BillingRows.enrollment(row)) }
        }
        // Kept: the needed accounts and any row without an id (rejected, as every night).
        func isNeeded(_ id: Int64?) -> Bool { id.map { neededAccounts.contains($0) } ?? true }
        var facts = Facts()
        for raw in ahead.accounts where isNeeded(raw.accountID) { Self.add(raw, to: &facts) }
        for raw in missingAccounts { Self.add(raw, to: &facts) }
        facts.accounts.shrinkToFit()
        Self.validate(integrations: needed, codes: rows.codes, programs: programs, into: &facts)
        Self.validate(enrollments: ahead.enrollments.lazy.filter { isNeeded($0.accountID) } + missingEnrollments, into: &facts)
        // The platform's accounts are not all read; its subjects stand in for them.
        facts.knownAccounts = max(facts.accounts.count, rows.integrations.count + rows.codes.count)
        return facts
    }

    /// Integration and code rows validated against `facts.accounts`, into `facts` (rejections
    /// in the order read).
    static func validate(integrations: [RawIntegration], codes: [RawPromoCode], programs: [Program], into facts: inout Facts) {
        facts.integrations.reserveCapacity(integrations.count)
        for raw in integrations {
            collect(InputValidation.integration(raw, accounts: facts.accounts), into: &facts.integrations, &facts.rejections)
        }
        let promoPrograms = promoProgramIDs(programs)
        for raw in codes {
            collect(InputValidation.promoCode(raw, accounts: facts.accounts, programIDs: promoPrograms),
                    into: &facts.codes, &facts.rejections)
        }
    }

    /// The integrations an unsettled subject's rules can look at: the unsettled ones (new, or
    /// not final in some program of their partner; a row without an id or a partner, which is
    /// rejected, counts as unsettled) and those sharing a partner's merchant or an account with
    /// one of them. In the order read.
    static func neededIntegrations(_ integrations: [RawIntegration], programs: [Program],
                                   isFinal: (String, Int64) -> Bool) -> [RawIntegration] {
        // The programs of each partner, looked up once per partner rather than by going through
        // the programs (and copying each) for every integration.
        var programsByPartner: [String: [String]] = [:]
        for program in programs where program.kind == .partnerSpendMatch {
            for partner in program.partners { programsByPartner[partner, default: []].append(program.id) }
        }
        var lastPartner: String?
        var lastPrograms: [String] = []
        var unsettled = [Bool](repeating: false, count: integrations.count)
        var merchants = Set<Merchant>()
        var accounts = IntegrationIDSet()
        // By index, not by element: a copy of each row was three strings retained and released.
        for index in integrations.indices {
            if let id = integrations[index].integrationID, let partner = integrations[index].partner {
                if partner != lastPartner {
                    lastPartner = partner
                    lastPrograms = programsByPartner[partner] ?? []
                }
                guard lastPrograms.contains(where: { !isFinal($0, id) }) else { continue }
            }
            unsettled[index] = true
            if let partner = integrations[index].partner, let merchant = integrations[index].merchantID {
                merchants.insert(Merchant(partner: partner, merchantID: merchant))
            }
            if let account = integrations[index].accountID { accounts.insert(account) }
        }
        var needed: [RawIntegration] = []
        for index in integrations.indices {
            var keep = unsettled[index]
            if !keep, let account = integrations[index].accountID, accounts.contains(account) { keep = true }
            if !keep, let partner = integrations[index].partner, let merchant = integrations[index].merchantID {
                keep = merchants.contains(Merchant(partner: partner, merchantID: merchant))
            }
            if keep { needed.append(integrations[index]) }
        }
        return needed
    }

    /// A partner's merchant, as P1 compares them.
    struct Merchant: Hashable {
        var partner: String
        var merchantID: String
    }

    static func partners(of programs: [Program]) -> [String] {
        Array(Set(programs.filter { $0.kind == .partnerSpendMatch }.flatMap(\.partners))).sorted()
    }
}
