import Exact

/// One synthetic merchant or promo-code recipient: its account, its integration or code, and
/// the parameters of its spend. Rebuilt from the seed in every pass, never stored.
struct SubjectPlan {
    enum Kind { case merchant, promo }

    let kind: Kind
    let index: Int
    let accountID: Int64
    /// False when the account is shared with the previous merchant (one account, two stores).
    let ownsAccount: Bool
    let country: String
    let currency: String
    let exponent: Int
    let origin: String
    let status: String
    let violation: Bool
    let flagged: Bool
    let paymentMode: String
    let registeredAt: Instant
    let firstCashAt: Instant?
    let badAccount: Bool
    // Merchant only.
    let merchantID: String
    let storeCountry: String
    let createdViaIntegration: Bool
    let setUpAt: Instant
    let firstCampaignAt: Instant?
    let enrolledInConflict: Bool
    // Promo only.
    let code: String
    let receivedAt: Instant
    let activatedBy: Int64?
    let activatedAt: Instant?
    let cashBalance: String?
    // Spend.
    let spendAnchor: Instant?
    /// Days before the anchor the rows start: most subjects start spending at first cash (or
    /// activation); established advertisers (a few) have spent for months already.
    let spendLeadDays: Int64
    let rowCount: Int
    /// Spend over a 30-day window, in minor units: a discrete log-normal ladder.
    let windowSpend: Int64

    static let merchantStream: UInt64 = 1
    static let promoStream: UInt64 = 2
    static let day = Instant.microsecondsPerDay

    /// Window spend ladder in major units (USD); a binomial index over it makes a log-normal
    /// shape whose median sits between the first and second tier.
    static let ladder: [Int64] = [60, 110, 190, 320, 480, 650, 900, 1300, 1900, 2900, 4600, 7000]

    static func merchant(_ index: Int, profile: SampleProfile) -> SubjectPlan {
        var rng = SeededRandom(seed: profile.seed, stream: merchantStream, index: index)
        let sharesAccount = index % 2 == 1 && rng.chance(perMille: 15)
        let sharesMerchant = index % 2 == 1 && rng.chance(perMille: 10)
        let base = sharesAccount ? merchant(index - 1, profile: profile) : nil
        let country = base?.country ?? rng.pick([("US", 700), ("GB", 250), ("CA", 50)])
        let currency: String
        if let base { currency = base.currency } else if rng.chance(perMille: 8) {
            currency = country == "US" ? "GBP" : "USD"
        } else {
            currency = ["US": "USD", "GB": "GBP", "CA": "CAD"][country]!
        }
        let setUpAt = profile.asOf.adding(microseconds: -rng.int(1...Int64(profile.setUpDays) * day))
        let funded = rng.chance(perMille: 920)
        let firstCash = base?.firstCashAt ?? (funded ? setUpAt.adding(microseconds: rng.int(0..<5 * day)) : nil)
        let level = rng.binomialHalf(ladder.count - 1)
        let scale: Int64 = currency == "GBP" ? 80 : 100
        let windowSpend = ladder[level] * scale * rng.int(80...120) / 100
        return SubjectPlan(
            kind: .merchant, index: index, accountID: base?.accountID ?? 1_000_000 + Int64(index), ownsAccount: base == nil,
            country: country, currency: currency, exponent: 2,
            origin: base?.origin ?? rng.pick([("self_serve", 850), ("business_center", 100), ("agency", 50)]),
            status: base?.status ?? rng.pick([("approved", 950), ("pending_review", 30), ("suspended", 20)]),
            violation: base?.violation ?? rng.chance(perMille: 10), flagged: base?.flagged ?? rng.chance(perMille: 10),
            paymentMode: rng.pick([("manual", 1), ("automatic", 1)]),
            registeredAt: base?.registeredAt ?? setUpAt.adding(microseconds: -rng.int(0...400 * day)),
            firstCashAt: firstCash, badAccount: base?.badAccount ?? rng.chance(perMille: profile.badRowsPerMille),
            merchantID: sharesMerchant ? "store-\(index - 1)" : "store-\(index)",
            storeCountry: rng.chance(perMille: 15) ? "DE" : country,
            createdViaIntegration: rng.chance(perMille: 700), setUpAt: setUpAt,
            firstCampaignAt: rng.chance(perMille: 920) ? setUpAt.adding(microseconds: rng.int(0..<7 * day)) : nil,
            enrolledInConflict: rng.chance(perMille: 20),
            code: "", receivedAt: setUpAt, activatedBy: nil, activatedAt: nil, cashBalance: nil,
            spendAnchor: firstCash, spendLeadDays: rng.chance(perMille: 80) ? 80 : 0, rowCount: Int(rng.int(Int64(profile.rowsPerSubject) / 2...Int64(profile.rowsPerSubject) * 3 / 2)),
            windowSpend: windowSpend)
    }

    static func promo(_ index: Int, profile: SampleProfile) -> SubjectPlan {
        var rng = SeededRandom(seed: profile.seed, stream: promoStream, index: index)
        let accountID = 5_000_000 + Int64(index)
        let receivedAt = profile.asOf.adding(microseconds: -rng.int(1...Int64(profile.setUpDays) * day))
        let activation = rng.pick([("in time", 800), ("late", 70), ("other account", 30), ("never", 100)])
        let activatedAt: Instant? = switch activation {
        case "in time", "other account": receivedAt.adding(microseconds: rng.int(0..<14 * day))
        case "late": receivedAt.adding(microseconds: rng.int(15 * day..<25 * day))
        default: nil
        }
        let other = 5_000_000 + Int64((index + 1) % max(profile.promoCodes, 1))
        let registeredAt = receivedAt.adding(microseconds: -rng.int(30 * day...700 * day))
        let level = rng.binomialHalf(ladder.count - 1)
        return SubjectPlan(
            kind: .promo, index: index, accountID: accountID, ownsAccount: true, country: "JP", currency: "JPY", exponent: 0,
            origin: rng.pick([("self_serve", 900), ("business_center", 70), ("agency", 30)]),
            status: rng.pick([("approved", 960), ("pending_review", 20), ("suspended", 20)]),
            violation: rng.chance(perMille: 10), flagged: rng.chance(perMille: 5),
            paymentMode: rng.pick([("manual", 1), ("automatic", 1)]), registeredAt: registeredAt,
            firstCashAt: registeredAt.adding(microseconds: rng.int(0..<10 * day)), badAccount: false,
            merchantID: "", storeCountry: "", createdViaIntegration: false, setUpAt: receivedAt, firstCampaignAt: nil,
            enrolledInConflict: false,
            code: "SPEND10K-\(String(UInt32(truncatingIfNeeded: rng.next()), radix: 16, uppercase: true))-\(index)",
            receivedAt: receivedAt, activatedBy: activatedAt == nil ? nil : (activation == "other account" ? other : accountID),
            activatedAt: activatedAt, cashBalance: activatedAt == nil ? nil : (rng.chance(perMille: 50) ? "0" : "\(rng.int(1000...90000))"),
            spendAnchor: activatedAt ?? receivedAt, spendLeadDays: rng.chance(perMille: 150) ? 10 : 0,
            rowCount: Int(rng.int(Int64(profile.rowsPerSubject) / 2...Int64(profile.rowsPerSubject) * 3 / 2)),
            windowSpend: ladder[level] * 20 * rng.int(80...120) / 100)
    }
}
