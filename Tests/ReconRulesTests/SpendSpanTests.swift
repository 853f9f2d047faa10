import Exact
import ReconRules
import XCTest

/// The nightly read fetches only the rows inside each subject's `SpendSpan`. These properties
/// check, over thousands of random subjects, that the rows outside it change nothing: the
/// decision as of any night, and the final decision found by `FinalDecision`'s search, are the
/// same whether the rules see every row of the account or only those inside the span.
final class SpendSpanTests: XCTestCase {
    func testPartnerDecisionsIgnoreRowsOutsideTheSpan() throws {
        var random = SplitMix(seed: 11)
        var outside = 0
        for _ in 0..<3000 {
            var c = PartnerCase()
            c.integration.accountCreatedViaIntegration = random.below(3) == 0
            c.account.firstCashAt = random.below(6) == 0 ? nil : t("2025-10-20").adding(days: random.below(30))
            c.integration.firstCampaignAt = random.below(8) == 0 ? nil : t("2025-11-01").adding(days: random.below(40))
            if random.below(4) == 0 { c.enrollments = [Enrollment(accountID: 1, promotion: "new_advertiser_incentive",
                                                                 enrolledAt: t("2025-11-01").adding(days: random.below(60)))] }
            c.rows = randomRows(&random, account: c.account.id, around: t("2025-11-01"))
            let asOf = t("2025-10-25").adding(days: random.below(80)).adding(seconds: Int64(random.below(86_400)))
            let evaluator = Evaluator(program: c.program, asOf: asOf)
            let span = evaluator.spendSpan(integration: c.integration, account: c.account)
            var narrowed = c
            narrowed.rows = c.rows.filter { span?.contains($0.at) ?? false }
            outside += c.rows.count - narrowed.rows.count
            XCTAssertEqual(try c.evaluate(asOf: asOf), try narrowed.evaluate(asOf: asOf))
            XCTAssertEqual(try finalPartner(c, asOf: asOf), try finalPartner(narrowed, asOf: asOf))
        }
        XCTAssertGreaterThan(outside, 10_000, "the cases must put many rows outside the span")
    }

    func testPromoDecisionsIgnoreRowsOutsideTheSpan() throws {
        var random = SplitMix(seed: 12)
        var outside = 0
        for _ in 0..<3000 {
            var c = PromoCase()
            c.code.activatedAt = random.below(5) == 0 ? nil : t("2025-11-01").adding(days: random.below(20))
                .adding(seconds: Int64(random.below(86_400)))
            c.rows = randomRows(&random, account: c.account.id, around: t("2025-11-05"))
            let asOf = t("2025-10-25").adding(days: random.below(70))
            let span = Evaluator(program: c.program, asOf: asOf).spendSpan(code: c.code)
            var narrowed = c
            narrowed.rows = c.rows.filter { span?.contains($0.at) ?? false }
            outside += c.rows.count - narrowed.rows.count
            XCTAssertEqual(try c.evaluate(asOf: asOf), try narrowed.evaluate(asOf: asOf))
            XCTAssertEqual(try finalPromo(c, asOf: asOf), try finalPromo(narrowed, asOf: asOf))
        }
        XCTAssertGreaterThan(outside, 10_000)
    }

    /// The night hands each account's rows to the rules in time order, and the ledger then sums
    /// them as they are; rows in any other order must give the same decisions, `reached_at` and
    /// final-decision instants, including rows at the same instant (ordered by source, then id).
    func testDecisionsDoNotDependOnTheOrderTheRowsComeIn() throws {
        var random = SplitMix(seed: 13)
        var unordered = 0
        for _ in 0..<2000 {
            var c = PartnerCase()
            c.account.firstCashAt = t("2025-10-20").adding(days: random.below(30))
            c.rows = randomRows(&random, account: c.account.id, around: t("2025-11-01"))
            // A top-up at the same instant as the first row (a bill two times in three, else a
            // top-up): the tie is broken by source, then id.
            if let first = c.rows.first {
                c.rows.append(SpendRow(source: .topup, id: 9_999, accountID: c.account.id, at: first.at,
                                       amount: Int64(1 + random.below(60_000))))
            }
            let asOf = t("2025-10-25").adding(days: random.below(80))
            var sorted = c
            sorted.rows.sort(by: SpendRow.chronological)
            var reversed = c
            reversed.rows = sorted.rows.reversed()
            if c.rows != sorted.rows { unordered += 1 }
            let expected = try sorted.evaluate(asOf: asOf)
            XCTAssertEqual(try c.evaluate(asOf: asOf), expected)
            XCTAssertEqual(try reversed.evaluate(asOf: asOf), expected)
            XCTAssertEqual(try finalPartner(c, asOf: asOf), try finalPartner(sorted, asOf: asOf))
        }
        XCTAssertGreaterThan(unordered, 1000, "most cases must come out of order")
    }

    func testSpansOfTheSeededPrograms() {
        let c = PartnerCase()
        let asOf = t("2025-12-10")
        let evaluator = Evaluator(program: c.program, asOf: asOf)
        // Look-back from 90 days before set-up; window [first cash, +30 d) with 30 days before it.
        XCTAssertEqual(evaluator.spendSpan(integration: c.integration, account: c.account),
                       SpendSpan(from: t("2025-08-03"), until: PartnerCase.windowEnd))
        var created = c.integration
        created.accountCreatedViaIntegration = true
        XCTAssertEqual(evaluator.spendSpan(integration: created, account: c.account),
                       SpendSpan(from: t("2025-10-03"), until: PartnerCase.windowEnd))
        var noCash = c.account
        noCash.firstCashAt = nil
        XCTAssertNil(evaluator.spendSpan(integration: created, account: noCash), "no look-back and no window: no row matters")
        XCTAssertEqual(evaluator.spendSpan(integration: c.integration, account: noCash),
                       SpendSpan(from: t("2025-08-03"), until: t("2025-11-01")))
        let promo = PromoCase()
        XCTAssertEqual(Evaluator(program: promo.program, asOf: asOf).spendSpan(code: promo.code),
                       SpendSpan(from: t("2025-10-06T10:00:00Z"), until: t("2025-12-05T10:00:00Z")))
        XCTAssertNil(Evaluator(program: promo.program, asOf: t("2025-11-05")).spendSpan(code: promo.code), "not activated yet")
    }

    // MARK: - Helpers

    /// Rows from five months before `around` to four after, some unpaid, some paid late.
    private func randomRows(_ random: inout SplitMix, account: Int64, around: Instant) -> [SpendRow] {
        (0..<random.below(40)).map { index in
            let at = around.adding(days: -150 + random.below(270)).adding(seconds: Int64(random.below(86_400)))
            let amount = Int64(1 + random.below(60_000))
            let paid: Instant? = random.below(10) == 0 ? nil : at.adding(days: random.below(random.below(5) == 0 ? 20 : 2))
            return random.below(3) == 0
                ? SpendRow(source: .topup, id: Int64(index), accountID: account, at: at, amount: amount, tax: amount / 10)
                : SpendRow(source: .bill, id: Int64(index), accountID: account, at: at, amount: amount, tax: amount / 10,
                           credit: amount / 20, paidAt: paid)
        }
    }

    /// The final decision as the store records it (the same candidates as `SubjectWork`).
    private func finalPartner(_ c: PartnerCase, asOf: Instant) throws -> Decision {
        let decision = try c.evaluate(asOf: asOf)
        var settling = [c.integration.setUpAt]
        if let window = decision.window { settling.append(window.cutoff) }
        var reaching = [c.integration.firstCampaignAt, c.account.firstCashAt].compactMap { $0 }
        for row in c.rows { reaching += [row.at] + (row.paidAt.map { [$0] } ?? []) }
        return try FinalDecision.earliest(decision, existsFrom: c.integration.setUpAt, settling: settling,
                                          reaching: reaching + settling) { try c.evaluate(asOf: $0) }
    }

    private func finalPromo(_ c: PromoCase, asOf: Instant) throws -> Decision {
        let decision = try c.evaluate(asOf: asOf)
        var settling = [c.code.receivedAt, c.code.receivedAt.adding(days: 14)] + [c.code.activatedAt].compactMap { $0 }
        if let window = decision.window { settling.append(window.cutoff) }
        var reaching = [c.account.firstCashAt].compactMap { $0 }
        for row in c.rows { reaching += [row.at] + (row.paidAt.map { [$0] } ?? []) }
        return try FinalDecision.earliest(decision, existsFrom: c.code.receivedAt, settling: settling,
                                          reaching: reaching + settling) { try c.evaluate(asOf: $0) }
    }
}

/// A small deterministic generator (SplitMix64), so a failing case can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
