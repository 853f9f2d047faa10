import Exact
import ReconRules

let usd = Currency(code: "USD")!
let gbp = Currency(code: "GBP")!
let jpy = Currency(code: "JPY")!

func t(_ text: String) -> Instant { Instant(iso8601: text)! }

/// The seeded programs of SPEC section 3, as values.
enum Programs {
    static let woo = Program(
        id: "woocommerce-us-uk", kind: .partnerSpendMatch, partners: ["woocommerce"], markets: ["US", "GB"],
        windowDays: 30, lookbackDays: 90, settleDays: 2, grantSLADays: 7, creditExpiresAt: t("2026-01-30T00:00:00Z"),
        conflictingPromotions: ["new_advertiser_incentive"],
        tiers: [
            Tier(country: "US", currency: usd, level: 1, threshold: 50_000, credit: 50_000),
            Tier(country: "US", currency: usd, level: 2, threshold: 150_000, credit: 150_000),
            Tier(country: "US", currency: usd, level: 3, threshold: 500_000, credit: 500_000),
            Tier(country: "GB", currency: gbp, level: 1, threshold: 39_500, credit: 39_500),
            Tier(country: "GB", currency: gbp, level: 2, threshold: 118_600, credit: 118_600),
            Tier(country: "GB", currency: gbp, level: 3, threshold: 395_400, credit: 395_400),
        ])

    static let promo = Program(
        id: "promo-jp-10000", kind: .promoCodeSpendMatch, markets: ["JP"], windowDays: 30, activationDays: 14,
        settleDays: 0, grantSLADays: 1, eligibleOrigins: ["self_serve"],
        tiers: [Tier(country: "JP", currency: jpy, level: 1, threshold: 10_000, credit: 10_000)])
}

/// A partner scenario: integration set up 2025-11-01, first cash 2025-11-02, so the window is
/// [2025-11-02, 2025-12-02) and the cutoff (settle 2 days) 2025-12-04.
struct PartnerCase {
    var program = Programs.woo
    var account = Account(id: 1, country: "US", currency: usd, registeredAt: t("2025-10-01"), firstCashAt: t("2025-11-02"))
    var integration = Integration(id: 10, merchantID: "m-1", storeCountry: "US", accountID: 1,
                                  setUpAt: t("2025-11-01"), firstCampaignAt: t("2025-11-03"))
    var others: [Integration] = []
    var rows: [SpendRow] = []
    var enrollments: [Enrollment] = []

    static let windowStart = t("2025-11-02")
    static let windowEnd = t("2025-12-02")
    static let cutoff = t("2025-12-04")

    func evaluate(asOf: Instant) throws -> Decision {
        let ranking = PartnerRanking(integrations: [integration] + others, asOf: asOf)
        return try Evaluator(program: program, asOf: asOf).evaluate(
            integration: integration, account: account, rows: rows, enrollments: enrollments, ranking: ranking)
    }

    mutating func bill(_ id: Int64, at: String, amount: Int64, tax: Int64 = 0, credit: Int64 = 0, paid: String? = "same") {
        let when = t(at)
        let paidAt: Instant? = paid == "same" ? when : paid.map(t)
        rows.append(SpendRow(source: .bill, id: id, accountID: account.id, at: when, amount: amount, tax: tax, credit: credit, paidAt: paidAt))
    }

    mutating func topup(_ id: Int64, at: String, amount: Int64, tax: Int64 = 0, credit: Int64 = 0) {
        rows.append(SpendRow(source: .topup, id: id, accountID: account.id, at: t(at), amount: amount, tax: tax, credit: credit))
    }
}

/// A promo scenario: code received 2025-11-01, so activation must come before 2025-11-15.
struct PromoCase {
    var program = Programs.promo
    var account = Account(id: 7, country: "JP", currency: jpy, registeredAt: t("2025-10-01"), firstCashAt: t("2025-10-02"))
    var code = PromoCode(code: "JP-ABC", programID: "promo-jp-10000", recipientAccountID: 7, receivedAt: t("2025-11-01"),
                         activatedByAccountID: 7, activatedAt: t("2025-11-05T10:00:00Z"),
                         cashBalanceAtActivation: ExactDecimal(coefficient: 5000, scale: 0))
    var others: [PromoCode] = []
    var rows: [SpendRow] = []

    func evaluate(asOf: Instant) throws -> Decision {
        let ranking = PromoRanking(codes: [code] + others, asOf: asOf)
        return try Evaluator(program: program, asOf: asOf).evaluate(
            code: code, account: account, rows: rows, enrollments: [], ranking: ranking)
    }

    mutating func topup(_ id: Int64, at: String, amount: Int64, tax: Int64 = 0) {
        rows.append(SpendRow(source: .topup, id: id, accountID: account.id, at: t(at), amount: amount, tax: tax))
    }
}
