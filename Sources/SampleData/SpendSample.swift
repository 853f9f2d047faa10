import Exact

/// One synthetic bill or top-up, as text fields. A small share is deliberately bad, one of every
/// rejection class of SPEC section 2.
struct SpendSample {
    var id: Int64
    var isBill: Bool
    var account: String?
    var currency: String?
    var at: Instant?
    var amount: String?
    var tax: String?
    var credit: String?
    var paidAt: Instant?

    enum Defect: CaseIterable {
        case nullAmount, negativeAmount, taxAndCreditOverAmount, tooManyDecimals, currencyMismatch, unknownCurrency,
             unknownAccount, nullTime
    }

    static let day = Instant.microsecondsPerDay

    static func make(plan: SubjectPlan, number: Int, badPerMille: Int64, rng: inout SeededRandom) -> SpendSample {
        let anchor = plan.spendAnchor ?? plan.setUpAt
        let at = anchor.adding(microseconds: -plan.spendLeadDays * day + rng.int(0..<(60 + plan.spendLeadDays) * day))
        let isBill = rng.chance(perMille: 700)
        let perRow = max(plan.windowSpend * (60 + plan.spendLeadDays) / (30 * Int64(max(plan.rowCount, 1))), 1)
        let amount = max(perRow * rng.int(50...150) / 100, 1)
        let tax: Int64 = switch plan.country {
        case "GB": amount / 6
        case "JP": amount / 11
        default: amount * rng.int(0...9) / 100
        }
        let credit = rng.chance(perMille: 100) ? (amount - tax) * rng.int(10...100) / 100 : 0
        let paid = isBill && rng.chance(perMille: 930) ? at.adding(microseconds: rng.int(0..<3 * day)) : nil
        let idBase: Int64 = plan.kind == .merchant ? 0 : 1_000_000_000_000
        let format = { (minor: Int64) in ExactDecimal.format(minorUnits: minor, exponent: plan.exponent) }
        var row = SpendSample(
            id: idBase + (Int64(plan.index) + 1) * 1000 + Int64(number), isBill: isBill, account: String(plan.accountID),
            currency: plan.currency, at: at, amount: format(amount), tax: format(tax), credit: format(credit), paidAt: paid)
        if rng.chance(perMille: badPerMille) {
            switch Defect.allCases[Int(rng.int(0..<Int64(Defect.allCases.count)))] {
            case .nullAmount: row.amount = nil
            case .negativeAmount: row.amount = "-" + format(amount)
            case .taxAndCreditOverAmount: row.tax = format(amount); row.credit = format(1)
            case .tooManyDecimals: row.amount = ExactDecimal.format(minorUnits: amount * 10 + 1, exponent: plan.exponent + 1)
            case .currencyMismatch: row.currency = plan.currency == "EUR" ? "USD" : "EUR"
            case .unknownCurrency: row.currency = "XQQ"
            case .unknownAccount: row.account = String(9_000_000_000 + plan.accountID)
            case .nullTime: row.at = nil
            }
        }
        return row
    }
}
