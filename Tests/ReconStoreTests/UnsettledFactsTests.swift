import Exact
import PGClient
@testable import ReconStore
import ReconRules
import SampleData
import XCTest

/// Once some subjects are final, a night reads only the facts its unsettled subjects need
/// (`FactReader+Unsettled`): the open and new integrations, those sharing a merchant or an
/// account with them, their accounts and enrolments. It must decide exactly as reading every
/// subject's facts would.
final class UnsettledFactsTests: XCTestCase {
    /// A merchant final after the first night opens a second store, and a final merchant's
    /// account gets a second merchant: on the later night, read from the unsettled subjects
    /// only, the newcomers still see the final rivals (P1, P6); a final subject sharing nothing
    /// with them is not read at all.
    func testNewSubjectsAreRankedAgainstTheirFinalRivals() throws {
        let f = try StoreFixture()
        for i in Int64(1)...3 {
            try f.account(i)
            try f.integration(100 + i, merchant: "m-\(i)", account: i)
            try f.bill(1000 + i, account: i, at: "2025-11-05", amount: "5000.00") // granted at once: final
        }
        try f.run(asOf: "2025-12-11")
        XCTAssertEqual(try f.status("integration:101")?.final, true)
        try f.account(4)
        try f.integration(201, merchant: "m-1", account: 4, setUp: "2025-12-10")   // m-1's second store
        try f.integration(202, merchant: "m-new", account: 2, setUp: "2025-12-10") // account 2's second merchant
        try f.integration(203, merchant: "m-alone", account: 4, setUp: "2025-12-11")

        let programs = try ProgramCatalog(connection: f.db).load(only: nil)
        let loader = NightLoader(connections: try f.nightConnections(), asOf: t("2025-12-12"))
        let (stored, facts) = try loader.laterNight(programs: programs)
        XCTAssertEqual(Set(facts.integrations.map(\.id)), [101, 102, 201, 202, 203],
                       "the unsettled, and their final rivals by merchant (101) and by account (102); not 103")
        XCTAssertEqual(stored.count, 3)

        let second = try f.run(asOf: "2025-12-12")
        XCTAssertEqual(second.evaluated, 3)
        XCTAssertEqual(try f.status("integration:201")?.reasons, ["merchant_already_participated"])
        XCTAssertEqual(try f.status("integration:202")?.reasons, ["account_already_participated", "recent_spend"])
        XCTAssertEqual(try f.status("integration:203")?.reasons, ["account_already_participated"], "account 4's 201 came first")
    }

    /// On a generated platform (shared accounts and merchants, promo codes, every rejection
    /// class), a later night decides the same from the unsettled subjects' facts as from every
    /// subject's, while reading far fewer integrations and accounts.
    /// The first night reads accounts and enrolments on the second reader while the
    /// integrations and codes come on the first (`readSubjects(programs:accountsFrom:)`): the
    /// same facts, in the same order, with the same rejections (bad rows included) as one
    /// connection reading them one after the other.
    func testFactsReadOverTwoConnectionsAreThoseReadOverOne() throws {
        let f = try StoreFixture()
        var profile = SampleProfile.bench(merchants: 400, rows: 8_000, seed: 23)
        profile.badRowsPerMille = 40
        try SampleLoader(connection: f.db).load(SampleGenerator(profile: profile))
        let programs = try ProgramCatalog(connection: f.db).load(only: nil)
        let asOf = profile.asOf
        let one = try FactReader(connection: f.db, asOf: asOf).readSubjects(programs: programs)
        let reader = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let second = try Connection(conninfo: f.conninfo, logger: quietLogger())
        let two = try FactReader(connection: reader, asOf: asOf)
            .readSubjects(programs: programs, accountsFrom: FactReader(connection: second, asOf: asOf))
        XCTAssertGreaterThan(one.integrations.count, 300)
        XCTAssertGreaterThan(one.codes.count, 0)
        XCTAssertFalse(one.rejections.isEmpty, "the bad rows must be rejected")
        XCTAssertEqual(two.integrations, one.integrations)
        XCTAssertEqual(two.codes, one.codes)
        XCTAssertEqual(two.enrollments, one.enrollments)
        XCTAssertEqual(two.rejections, one.rejections)
        XCTAssertEqual(two.accounts.count, one.accounts.count)
        for integration in one.integrations {
            XCTAssertEqual(two.accounts.account(integration.accountID), one.accounts.account(integration.accountID))
        }
        // Both connections are usable again.
        XCTAssertEqual(try reader.execute("SELECT 1").rows.first?.decode(0, as: Int64.self), 1)
        XCTAssertEqual(try second.execute("SELECT 1").rows.first?.decode(0, as: Int64.self), 1)
    }

    func testALaterNightDecidesFromUnsettledFactsAsFromEverySubject() throws {
        let f = try StoreFixture()
        var profile = SampleProfile.bench(merchants: 3000, rows: 60_000, seed: 43)
        profile.badRowsPerMille = 10
        try SampleLoader(connection: f.db).load(SampleGenerator(profile: profile))
        try f.run(asOf: profile.asOf.adding(days: -20).iso8601)

        let unsettled = try decisions(f, asOf: profile.asOf, everySubject: false)
        let every = try decisions(f, asOf: profile.asOf, everySubject: true)
        XCTAssertGreaterThan(every.decisions.count, 100)
        XCTAssertEqual(unsettled.decisions.count, every.decisions.count)
        for (key, decision) in every.decisions where unsettled.decisions[key] != decision {
            XCTFail("\(key): unsettled facts \(String(describing: unsettled.decisions[key])), every subject \(decision)")
            break
        }
        XCTAssertLessThan(unsettled.integrationsRead * 2, every.integrationsRead,
                          "read \(unsettled.integrationsRead) of \(every.integrationsRead) integrations")
        XCTAssertLessThan(unsettled.accountsRead * 2, every.accountsRead)
        XCTAssertTrue(unsettled.rejections.isSubset(of: every.rejections))
        XCTAssertFalse(unsettled.rejections.isEmpty)
    }

    /// `neededIntegrations` against its definition, computed the slow way: the unsettled rows
    /// (not final in some program of their partner, or without an id or a partner) and every
    /// row sharing a partner's merchant or an account with one of them, in the order read.
    func testTheNeededIntegrationsAreTheUnsettledOnesAndTheirRivals() {
        let usd = Currency(code: "USD")!
        let programs = [
            Program(id: "woo", kind: .partnerSpendMatch, partners: ["woocommerce"], markets: ["US"], windowDays: 30,
                    lookbackDays: 60, settleDays: 15, grantSLADays: 5, conflictingPromotions: [],
                    tiers: [Tier(country: "US", currency: usd, level: 1, threshold: 50_000, credit: 50_000)]),
            Program(id: "shop", kind: .partnerSpendMatch, partners: ["shopify", "woocommerce"], markets: ["US"], windowDays: 30,
                    lookbackDays: 60, settleDays: 15, grantSLADays: 5, conflictingPromotions: [],
                    tiers: [Tier(country: "US", currency: usd, level: 1, threshold: 50_000, credit: 50_000)]),
        ]
        var generator = SeededRandom(seed: 29)
        let partners = ["woocommerce", "shopify", "wix"]
        let rows: [RawIntegration] = (1...6000).map { id in
            RawIntegration(integrationID: Int.random(in: 0..<200, using: &generator) == 0 ? nil : Int64(id),
                           partner: Int.random(in: 0..<300, using: &generator) == 0 ? nil : partners.randomElement(using: &generator),
                           merchantID: "store-\(Int.random(in: 0..<2500, using: &generator))", storeCountry: "US",
                           accountID: Int64.random(in: 1...4000, using: &generator), accountCreatedViaIntegration: false,
                           setUpAt: nil, firstCampaignAt: nil)
        }
        let openIDs = Set(rows.compactMap(\.integrationID).filter { _ in Int.random(in: 0..<12, using: &generator) == 0 })
        let isFinal = { (program: String, id: Int64) in !openIDs.contains(id) || program == "shop" && id % 2 == 0 }
        let programsOf = ["woocommerce": ["woo", "shop"], "shopify": ["shop"]]
        func isUnsettled(_ row: RawIntegration) -> Bool {
            guard let id = row.integrationID, let partner = row.partner else { return true }
            return (programsOf[partner] ?? []).contains { !isFinal($0, id) }
        }
        let unsettled = rows.filter(isUnsettled)
        let merchants = Set(unsettled.compactMap { row in row.partner.flatMap { p in row.merchantID.map { p + "|" + $0 } } })
        let accounts = Set(unsettled.compactMap(\.accountID))
        let expected = rows.filter { row in
            isUnsettled(row)
                || row.accountID.map(accounts.contains) ?? false
                || row.partner.flatMap { p in row.merchantID.map { merchants.contains(p + "|" + $0) } } ?? false
        }
        let needed = FactReader.neededIntegrations(rows, programs: programs, isFinal: isFinal)
        XCTAssertGreaterThan(unsettled.count, 150)
        XCTAssertLessThan(needed.count, rows.count, "some rows share nothing with an unsettled one")
        XCTAssertEqual(needed.map(\.integrationID), expected.map(\.integrationID))
        XCTAssertEqual(needed.map(\.merchantID), expected.map(\.merchantID))
    }

    private struct Pass {
        var decisions: [String: Decision] = [:]
        var rejections = Set<Rejection>()
        var integrationsRead = 0
        var accountsRead = 0
    }

    private func decisions(_ f: StoreFixture, asOf: Instant, everySubject: Bool) throws -> Pass {
        let connections = try f.nightConnections()
        let loader = NightLoader(connections: connections, asOf: asOf)
        let programs = try ProgramCatalog(connection: f.db).load(only: nil)
        // Every subject's facts (as the first night reads them), or the unsettled ones' only.
        let (stored, facts) = try everySubject ? loader.firstNight(programs: programs) : loader.laterNight(programs: programs)
        var pass = Pass(integrationsRead: facts.integrations.count, accountsRead: facts.accounts.count)
        let night = LoadedNight(programs: programs, facts: facts, stored: stored, skipsFinal: true, observed: nil)
        let sink = try f.evaluate(night, asOf: asOf, connections: connections)
        pass.decisions = sink.byKey
        pass.rejections = Set(sink.rejections)
        return pass
    }
}
