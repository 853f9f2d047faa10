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
        // Sized from the planner's estimate: grown by doubling, the array of 200,000 rows was
        // copied and its fresh pages faulted in again at each step, on the later night's longest
        // branch before its first spend row. The partner repeats row after row: made once.
        rows.integrations.reserveCapacity(try estimatedRows(of: "billing.partner_integrations"))
        var partner = RepeatedText()
        try connection.copyOutBinary(Self.integrationsCopy) { row in
            rows.integrations.append(try Self.rawIntegration(row, partner: &partner))
        }
        try connection.copyOutBinary(Self.codesCopy) { row in rows.codes.append(try Self.rawCode(row)) }
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
            try accountReader.readAccounts(Self.accountsCopy, into: &facts)
            let accountRejections = facts.rejections
            facts.rejections = []
            try accountReader.readEnrollments(Self.enrollmentsCopy, into: &facts)
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

    /// The facts the unsettled subjects of `rows` need. `isFinal(program, integration)` says
    /// whether an integration's subject in a program is stored as final.
    func readUnsettledFacts(programs: [Program], rows: SubjectRows,
                            isFinal: (_ programID: String, _ integrationID: Int64) -> Bool) throws -> Facts {
        try readUnsettledFacts(programs: programs, rows: rows,
                               needed: Self.neededIntegrations(rows.integrations, programs: programs, isFinal: isFinal))
    }

    /// The same, with the needed integrations of `rows` already found (`neededIntegrations`).
    /// `readAhead` holds accounts read meanwhile on another connection (`AccountsReadAhead`):
    /// only what it lacks is read here; without it, every needed account is.
    func readUnsettledFacts(programs: [Program], rows: SubjectRows, needed: [RawIntegration],
                            readAhead: AccountsReadAhead? = nil) throws -> Facts {
        var neededAccounts = IntegrationIDSet()
        var neededIDs: [Int64] = []
        func need(_ id: Int64) { if neededAccounts.insert(id) { neededIDs.append(id) } }
        for raw in needed { if let id = raw.accountID { need(id) } }
        for raw in rows.codes { if let id = raw.recipientAccountID { need(id) } }
        let ahead = try readAhead ?? AccountsReadAhead(reading: neededIDs.sorted(), over: self)
        let missing = neededIDs.filter { !ahead.covered.contains($0) }.sorted()
        var missingAccounts: [RawAccount] = []
        var missingEnrollments: [RawEnrollment] = []
        if !missing.isEmpty {
            try bindSettings()
            try loadAccountIDs(missing, into: .factAccounts)
            try connection.copyOutBinary(Self.accountsOfIDsCopy) { row in missingAccounts.append(try Self.rawAccount(row)) }
            try connection.copyOutBinary(Self.enrollmentsOfIDsCopy) { row in missingEnrollments.append(try Self.rawEnrollment(row)) }
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
    ///
    /// A platform's integrations are validated in two halves at once (the second on a thread of
    /// its own), then joined in order: on the first night this runs with the other core idle.
    static func validate(integrations: [RawIntegration], codes: [RawPromoCode], programs: [Program], into facts: inout Facts,
                         inHalvesFrom minimum: Int = parallelValidationMinimum) {
        let accounts = facts.accounts
        func validated(_ part: ArraySlice<RawIntegration>) -> (integrations: [Integration], rejections: [Rejection]) {
            var valid: [Integration] = []
            var rejections: [Rejection] = []
            valid.reserveCapacity(part.count)
            for raw in part {
                collect(InputValidation.integration(raw, accounts: accounts), into: &valid, &rejections)
            }
            return (valid, rejections)
        }
        let middle = integrations.count / 2
        let parts: [(integrations: [Integration], rejections: [Rejection])]
        if middle >= minimum {
            // Neither half throws, so `concurrently` cannot: the fallback only keeps that visible.
            let (second, first) = (try? concurrently({ validated(integrations[middle...]) }, { validated(integrations[..<middle]) }))
                ?? (validated(integrations[middle...]), validated(integrations[..<middle]))
            parts = [first, second]
        } else {
            parts = [validated(integrations[...])]
        }
        for part in parts {
            facts.integrations += part.integrations
            facts.rejections += part.rejections
        }
        let promoPrograms = promoProgramIDs(programs)
        for raw in codes {
            collect(InputValidation.promoCode(raw, accounts: facts.accounts, programIDs: promoPrograms),
                    into: &facts.codes, &facts.rejections)
        }
    }

    /// Below this many integrations a half is not worth a thread.
    static let parallelValidationMinimum = 20_000

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
        var unsettledMerchants: [UInt64] = []
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
                unsettledMerchants.append(merchantHash(partner: partner, merchant: merchant))
            }
            if let account = integrations[index].accountID { accounts.insert(account) }
        }
        // Made at its final size: grown by doubling, the set was rehashed a dozen times.
        var merchants = Set<UInt64>(minimumCapacity: unsettledMerchants.count)
        for hash in unsettledMerchants { merchants.insert(hash) }
        var needed: [RawIntegration] = []
        for index in integrations.indices {
            var keep = unsettled[index]
            if !keep, let account = integrations[index].accountID, accounts.contains(account) { keep = true }
            if !keep, let partner = integrations[index].partner, let merchant = integrations[index].merchantID {
                keep = merchants.contains(merchantHash(partner: partner, merchant: merchant))
            }
            if keep { needed.append(integrations[index]) }
        }
        return needed
    }

    /// A partner's merchant as 64 bits: FNV-1a over the partner's bytes, a separator no UTF-8
    /// text contains, and the merchant's.
    ///
    /// Why not the strings themselves: most of a later night's 200,000 integrations share
    /// nothing with an unsettled one, and hashing their two strings into a set of string pairs
    /// (and growing it) was most of the time it took to find the few that do. Two different
    /// merchants with the same 64 bits (about one chance in 10^9 for a night of 30,000 unsettled
    /// against 200,000 integrations) only make one settled integration needed that is not: it is
    /// validated and ranked with the others, and since it is final it is not evaluated, so no
    /// decision changes (docs/DECISIONS.md).
    static func merchantHash(partner: String, merchant: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in partner.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        for byte in merchant.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    static func partners(of programs: [Program]) -> [String] {
        Array(Set(programs.filter { $0.kind == .partnerSpendMatch }.flatMap(\.partners))).sorted()
    }

    /// `accountsCopy` for the accounts in `spend_recon_fact_accounts`.
    static let accountsOfIDsCopy = """
        COPY (SELECT \(accountColumns) FROM billing.ad_accounts
              WHERE (registered_at <= \(asOfSetting) OR registered_at IS NULL)
                AND account_id IN (SELECT account_id FROM spend_recon_fact_accounts)
        ) TO STDOUT (FORMAT binary)
        """

    /// `enrollmentsCopy` for the accounts in `spend_recon_fact_accounts`.
    static let enrollmentsOfIDsCopy = """
        COPY (SELECT \(enrollmentColumns) FROM billing.promotion_enrollments
              WHERE (enrolled_at <= \(asOfSetting) OR enrolled_at IS NULL)
                AND account_id IN (SELECT account_id FROM spend_recon_fact_accounts)
        ) TO STDOUT (FORMAT binary)
        """
}
