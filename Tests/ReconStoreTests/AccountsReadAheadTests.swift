import Exact
import PGClient
@testable import ReconStore
import ReconRules
import SampleData
import XCTest

/// With a second reader and a second writer, a later night reads the open subjects' accounts
/// ahead, while the final keys and integrations come in, and afterwards only the needed
/// accounts it still lacks (`AccountsReadAhead`). It must end with exactly the facts that one
/// reader reading the needed accounts once they are known gives.
final class AccountsReadAheadTests: XCTestCase {
    /// On a generated platform (shared accounts and merchants, codes, every rejection class):
    /// the same integrations, codes, enrolments, accounts and rejections either way.
    func testReadingAheadGivesTheFactsOfOneReader() throws {
        let f = try StoreFixture()
        var profile = SampleProfile.bench(merchants: 3000, rows: 60_000, seed: 47)
        profile.badRowsPerMille = 10
        try SampleLoader(connection: f.db).load(SampleGenerator(profile: profile))
        try f.run(asOf: profile.asOf.adding(days: -20).iso8601)
        XCTAssertGreaterThan(try f.count("SELECT count(*) FROM recon.subject_status WHERE NOT final"), 50)

        let (oneStored, one) = try readFacts(f, asOf: profile.asOf, readingAhead: false)
        let (aheadStored, ahead) = try readFacts(f, asOf: profile.asOf, readingAhead: true)
        XCTAssertEqual(aheadStored.count, oneStored.count)
        XCTAssertGreaterThan(one.integrations.count, 100)
        XCTAssertEqual(ahead.integrations, one.integrations)
        XCTAssertEqual(ahead.codes, one.codes)
        XCTAssertEqual(ahead.enrollments, one.enrollments)
        XCTAssertFalse(one.rejections.isEmpty, "the bad rows must be rejected")
        XCTAssertEqual(counts(ahead.rejections), counts(one.rejections))
        XCTAssertEqual(ahead.accounts.count, one.accounts.count)
        XCTAssertEqual(ahead.accounts.rejected, one.accounts.rejected)
        XCTAssertEqual(ahead.knownAccounts, one.knownAccounts)
        for id in one.integrations.map(\.accountID) + one.codes.map(\.recipientAccountID) {
            XCTAssertEqual(ahead.accounts.account(id), one.accounts.account(id), "account \(id)")
        }
    }

    /// An open subject's stored account that no unsettled subject needs any more (here a stale
    /// `account_id`) is read ahead but dropped unvalidated: its bad row is not rejected on this
    /// night. A new integration's account, not known ahead, is read afterwards.
    func testAnAccountReadAheadThatNoSubjectNeedsIsDropped() throws {
        let f = try StoreFixture()
        for i in Int64(1)...2 {
            try f.account(i)
            try f.integration(100 + i, merchant: "m-\(i)", account: i)
        }
        try f.run(asOf: "2025-11-10")
        XCTAssertEqual(try f.status("integration:101")?.final, false, "no spend yet: open")
        try f.bill(1001, account: 2, at: "2025-11-05", amount: "5000.00")
        try f.run(asOf: "2025-11-11")
        XCTAssertEqual(try f.status("integration:102")?.final, true, "granted: final, so a later night needs a stored subject")
        try f.account(9, currency: nil) // a bad row that no subject refers to
        try f.db.execute("UPDATE recon.subject_status SET account_id = 9 WHERE subject_key = 'integration:101'")
        try f.account(5)
        try f.integration(205, merchant: "m-5", account: 5, setUp: "2025-11-11")
        try f.enroll(5, "other-promo", at: "2025-11-11")

        let (_, one) = try readFacts(f, asOf: t("2025-11-12"), readingAhead: false)
        let (_, ahead) = try readFacts(f, asOf: t("2025-11-12"), readingAhead: true)
        XCTAssertEqual(Set(ahead.integrations.map(\.id)), [101, 205])
        XCTAssertNotNil(ahead.accounts.account(1))
        XCTAssertNotNil(ahead.accounts.account(5), "the new integration's account, read after the others")
        XCTAssertEqual(ahead.enrollments[5]?.map(\.promotion), ["other-promo"])
        XCTAssertNil(ahead.accounts.account(9))
        XCTAssertFalse(ahead.rejections.contains { $0.table == "ad_accounts" && $0.key == "9" },
                       "account 9 was read ahead, but nothing needs it: \(ahead.rejections)")
        XCTAssertEqual(ahead.accounts.count, one.accounts.count)
        XCTAssertEqual(counts(ahead.rejections), counts(one.rejections))
        XCTAssertEqual(ahead.enrollments, one.enrollments)
    }

    private func readFacts(_ f: StoreFixture, asOf: Instant, readingAhead: Bool) throws -> (StoredSubjects, Facts) {
        let programs = try ProgramCatalog(connection: f.db).load(only: nil)
        // Reading ahead takes a second connection of each kind.
        let connections = try readingAhead ? f.nightConnections(recon: 2, billing: 2) : f.nightConnections()
        return try NightLoader(connections: connections, asOf: asOf).laterNight(programs: programs)
    }

    private func counts(_ rejections: [Rejection]) -> [Rejection: Int] {
        rejections.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
