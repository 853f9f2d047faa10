import Exact
import PGClient
@testable import ReconStore
import ReconRules
import XCTest

/// The steps a first night runs in two halves at once (validating the integrations, making the
/// accounts' spans) give exactly what one pass gives, in the same order, rejections included.
final class HalvesTests: XCTestCase {
    func testHalvesGiveWhatOnePassGives() throws {
        let f = try StoreFixture()
        // Rows every validation rejects, one read first and one read last (so one in each
        // half): an unknown account, a null one.
        try f.integration(900_001, merchant: "no-such-account", account: 999_999)
        try f.populate(subjects: 300)
        try f.db.execute("""
            INSERT INTO billing.partner_integrations VALUES (900002, 'woocommerce', 'null-account', 'US', NULL, false,
                                                              '2025-11-01T00:00:00Z', NULL)
            """)
        let asOf = t("2025-12-11")
        let programs = try ProgramCatalog(connection: f.db).load(only: nil)
        let reader = FactReader(connection: f.db, asOf: asOf)
        let facts = try reader.readSubjects(programs: programs)
        let rows = try reader.readSubjectRows(programs: programs)
        XCTAssertGreaterThan(rows.integrations.count, 250)

        func validated(inHalvesFrom minimum: Int) -> Facts {
            var validated = Facts()
            validated.accounts = facts.accounts
            FactReader.validate(integrations: rows.integrations, codes: rows.codes, programs: programs, into: &validated,
                                inHalvesFrom: minimum)
            return validated
        }
        let whole = validated(inHalvesFrom: .max)
        let halves = validated(inHalvesFrom: 1)
        XCTAssertEqual(halves.integrations, whole.integrations)
        XCTAssertEqual(halves.codes.count, whole.codes.count)
        XCTAssertEqual(halves.rejections, whole.rejections)
        let rejectedKeys = whole.rejections.filter { $0.table == "partner_integrations" }.map(\.key)
        XCTAssertEqual(rejectedKeys.first, "900001", "\(whole.rejections)")
        XCTAssertEqual(rejectedKeys.last, "900002", "\(whole.rejections)")
        XCTAssertEqual(whole.integrations.count + whole.rejections.filter { $0.table == "partner_integrations" }.count,
                       rows.integrations.count)

        let work = SubjectWork.byAccount(programs: programs, facts: facts, asOf: asOf) { _ in true }
        let oneThread = work.spans(asOf: asOf, accounts: facts.accounts, inHalvesFrom: .max)
        XCTAssertGreaterThan(oneThread.count, 100)
        XCTAssertEqual(work.spans(asOf: asOf, accounts: facts.accounts, inHalvesFrom: 1), oneThread)
        XCTAssertEqual(oneThread.map(\.accountID), oneThread.map(\.accountID).sorted(), "ascending, as the read needs")
    }
}
