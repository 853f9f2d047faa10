import Exact
import ReconRules
import XCTest

/// `Program` keeps its fields in one shared box for speed; it must still behave as a value, and
/// the helpers that replaced allocating ones must give the same answers.
final class ProgramValueTests: XCTestCase {
    private func program() -> Program {
        Program(id: "woocommerce-us-uk", kind: .partnerSpendMatch, partners: ["woocommerce"], markets: ["US", "GB"],
                windowDays: 30, lookbackDays: 60, settleDays: 15, grantSLADays: 5, conflictingPromotions: ["x"],
                tiers: [Tier(country: "US", currency: usd, level: 2, threshold: 150_000, credit: 150_000),
                        Tier(country: "US", currency: usd, level: 1, threshold: 50_000, credit: 50_000)])
    }

    func testChangingACopyLeavesTheOriginalAsItWas() {
        let original = program()
        var copy = original
        XCTAssertEqual(copy, original)
        copy.windowDays = 45
        copy.markets.insert("JP")
        copy.tiers.removeLast()
        XCTAssertEqual(original.windowDays, 30)
        XCTAssertEqual(original.markets, ["US", "GB"])
        XCTAssertEqual(original.ladder(country: "US").map(\.level), [1, 2], "the ladder is sorted by level")
        XCTAssertEqual(copy.windowDays, 45)
        XCTAssertEqual(copy.markets, ["US", "GB", "JP"])
        XCTAssertEqual(copy.ladder(country: "US").map(\.level), [2], "a copy's ladder follows its own tiers")
        XCTAssertNotEqual(copy, original)
    }

    func testProgramsBuiltApartWithTheSameFieldsAreEqual() {
        XCTAssertEqual(program(), program())
        var other = program()
        other.creditExpiresAt = t("2026-06-01")
        XCTAssertNotEqual(other, program())
        other.creditExpiresAt = nil
        XCTAssertEqual(other, program(), "equal again once the field is back")
    }

    func testTwoSpanHullSkipsEmptySpans() {
        let a = SpendSpan(from: t("2025-11-01"), until: t("2025-11-10"))
        let b = SpendSpan(from: t("2025-11-05"), until: t("2025-12-01"))
        let empty = SpendSpan(from: t("2025-10-01"), until: t("2025-10-01"))
        XCTAssertEqual(SpendSpan.hull(a, b), SpendSpan(from: t("2025-11-01"), until: t("2025-12-01")))
        XCTAssertEqual(SpendSpan.hull(a, nil), a)
        XCTAssertEqual(SpendSpan.hull(nil, b), b)
        XCTAssertEqual(SpendSpan.hull(empty, b), b, "an empty span widens nothing")
        XCTAssertEqual(SpendSpan.hull(a, empty), a)
        XCTAssertNil(SpendSpan.hull(empty, nil))
        XCTAssertNil(SpendSpan.hull(nil, nil))
        XCTAssertEqual(SpendSpan.hull(a, b), SpendSpan.hull([a, b]), "the same as the general hull")
    }

    func testTierReachedAtFindsEachReachedTier() throws {
        var c = PartnerCase() // Programs.woo: US tiers at $500, $1,500 and $5,000
        c.rows = [SpendRow(source: .topup, id: 1, accountID: c.account.id, at: t("2025-11-03"), amount: 60_000),
                  SpendRow(source: .topup, id: 2, accountID: c.account.id, at: t("2025-11-04"), amount: 100_000)]
        let decision = try c.evaluate(asOf: t("2025-11-20"))
        guard decision.window != nil else { return XCTFail("the case must have a window") }
        XCTAssertEqual(decision.tiersReached.map(\.tier.level), [1, 2])
        XCTAssertEqual(decision.tierReachedAt(level: 1), t("2025-11-03"))
        XCTAssertEqual(decision.tierReachedAt(level: 2), t("2025-11-04"))
        XCTAssertNil(decision.tierReachedAt(level: 3))
    }
}
