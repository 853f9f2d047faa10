import Exact

/// A row of `recon.programs` with its tiers: everything about an offer is data.
public struct Program: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case partnerSpendMatch = "partner_spend_match"
        case promoCodeSpendMatch = "promo_code_spend_match"
    }

    public var id: String
    public var kind: Kind
    public var partners: Set<String>
    public var markets: Set<String>
    public var windowDays: Int
    public var activationDays: Int?
    public var lookbackDays: Int
    public var settleDays: Int
    public var grantSLADays: Int
    public var enrollFrom: Instant?
    public var enrollUntil: Instant?
    public var creditExpiresAt: Instant?
    public var eligibleOrigins: Set<String>
    public var conflictingPromotions: Set<String>
    public var tiers: [Tier] {
        didSet { ladders = Self.ladders(tiers) }
    }
    /// Each country's ladder, which follows from `tiers`: made once, not on every evaluation.
    private var ladders: [CountryLadder]

    public init(id: String, kind: Kind, partners: Set<String> = [], markets: Set<String>, windowDays: Int,
                activationDays: Int? = nil, lookbackDays: Int = 0, settleDays: Int = 0, grantSLADays: Int,
                enrollFrom: Instant? = nil, enrollUntil: Instant? = nil, creditExpiresAt: Instant? = nil,
                eligibleOrigins: Set<String> = ["self_serve", "business_center", "agency"],
                conflictingPromotions: Set<String> = [], tiers: [Tier]) {
        self.id = id
        self.kind = kind
        self.partners = partners
        self.markets = markets
        self.windowDays = windowDays
        self.activationDays = activationDays
        self.lookbackDays = lookbackDays
        self.settleDays = settleDays
        self.grantSLADays = grantSLADays
        self.enrollFrom = enrollFrom
        self.enrollUntil = enrollUntil
        self.creditExpiresAt = creditExpiresAt
        self.eligibleOrigins = eligibleOrigins
        self.conflictingPromotions = conflictingPromotions
        self.tiers = tiers
        ladders = Self.ladders(tiers)
    }

    /// The tier ladder of a country, lowest threshold first.
    public func ladder(country: String) -> [Tier] {
        ladders.first { $0.country == country }?.tiers ?? []
    }

    private static func ladders(_ tiers: [Tier]) -> [CountryLadder] {
        var countries: [String] = []
        for tier in tiers where !countries.contains(tier.country) { countries.append(tier.country) }
        return countries.map { country in
            CountryLadder(country: country, tiers: tiers.filter { $0.country == country }.sorted { $0.level < $1.level })
        }
    }

    fileprivate struct CountryLadder: Sendable, Equatable {
        var country: String
        var tiers: [Tier]
    }
}

/// One rung of a program's ladder: spend `threshold`, get `credit` (minor units of `currency`).
public struct Tier: Sendable, Equatable, Hashable {
    public var country: String
    public var currency: Currency
    public var level: Int
    public var threshold: Int64
    public var credit: Int64

    public init(country: String, currency: Currency, level: Int, threshold: Int64, credit: Int64) {
        self.country = country
        self.currency = currency
        self.level = level
        self.threshold = threshold
        self.credit = credit
    }
}
