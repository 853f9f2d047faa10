import Exact

/// A row of `recon.programs` with its tiers: everything about an offer is data.
///
/// A value with its fields in one shared box, copied only when a copy is changed: every
/// evaluation (a final decision takes several) and every subject's spend span makes an
/// `Evaluator` holding the program, and copying a program field by field retains each of its
/// sets and arrays, on the evaluating thread that paces the first night (docs/PERFORMANCE.md).
public struct Program: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case partnerSpendMatch = "partner_spend_match"
        case promoCodeSpendMatch = "promo_code_spend_match"
    }

    private var storage: Storage

    public var id: String {
        get { storage.fields.id }
        set { unshare(); storage.fields.id = newValue }
    }
    public var kind: Kind {
        get { storage.fields.kind }
        set { unshare(); storage.fields.kind = newValue }
    }
    public var partners: Set<String> {
        get { storage.fields.partners }
        set { unshare(); storage.fields.partners = newValue }
    }
    public var markets: Set<String> {
        get { storage.fields.markets }
        set { unshare(); storage.fields.markets = newValue }
    }
    public var windowDays: Int {
        get { storage.fields.windowDays }
        set { unshare(); storage.fields.windowDays = newValue }
    }
    public var activationDays: Int? {
        get { storage.fields.activationDays }
        set { unshare(); storage.fields.activationDays = newValue }
    }
    public var lookbackDays: Int {
        get { storage.fields.lookbackDays }
        set { unshare(); storage.fields.lookbackDays = newValue }
    }
    public var settleDays: Int {
        get { storage.fields.settleDays }
        set { unshare(); storage.fields.settleDays = newValue }
    }
    public var grantSLADays: Int {
        get { storage.fields.grantSLADays }
        set { unshare(); storage.fields.grantSLADays = newValue }
    }
    public var enrollFrom: Instant? {
        get { storage.fields.enrollFrom }
        set { unshare(); storage.fields.enrollFrom = newValue }
    }
    public var enrollUntil: Instant? {
        get { storage.fields.enrollUntil }
        set { unshare(); storage.fields.enrollUntil = newValue }
    }
    public var creditExpiresAt: Instant? {
        get { storage.fields.creditExpiresAt }
        set { unshare(); storage.fields.creditExpiresAt = newValue }
    }
    public var eligibleOrigins: Set<String> {
        get { storage.fields.eligibleOrigins }
        set { unshare(); storage.fields.eligibleOrigins = newValue }
    }
    public var conflictingPromotions: Set<String> {
        get { storage.fields.conflictingPromotions }
        set { unshare(); storage.fields.conflictingPromotions = newValue }
    }
    public var tiers: [Tier] {
        get { storage.fields.tiers }
        set {
            unshare()
            storage.fields.tiers = newValue
            storage.ladders = Self.ladders(newValue)
        }
    }

    public init(id: String, kind: Kind, partners: Set<String> = [], markets: Set<String>, windowDays: Int,
                activationDays: Int? = nil, lookbackDays: Int = 0, settleDays: Int = 0, grantSLADays: Int,
                enrollFrom: Instant? = nil, enrollUntil: Instant? = nil, creditExpiresAt: Instant? = nil,
                eligibleOrigins: Set<String> = ["self_serve", "business_center", "agency"],
                conflictingPromotions: Set<String> = [], tiers: [Tier]) {
        storage = Storage(fields: Fields(id: id, kind: kind, partners: partners, markets: markets, windowDays: windowDays,
                                         activationDays: activationDays, lookbackDays: lookbackDays, settleDays: settleDays,
                                         grantSLADays: grantSLADays, enrollFrom: enrollFrom, enrollUntil: enrollUntil,
                                         creditExpiresAt: creditExpiresAt, eligibleOrigins: eligibleOrigins,
                                         conflictingPromotions: conflictingPromotions, tiers: tiers),
                          ladders: Self.ladders(tiers))
    }

    /// The tier ladder of a country, lowest threshold first. Each country's ladder is made
    /// once: this runs for every evaluation.
    public func ladder(country: String) -> [Tier] {
        storage.ladders.first { $0.country == country }?.tiers ?? []
    }

    public static func == (a: Program, b: Program) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }

    /// Gives this value a box of its own before a field changes.
    private mutating func unshare() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
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

    /// The box. Changed only through `Program`'s setters after `unshare`, so a box seen by
    /// more than one value is never written: safe to share across threads.
    private final class Storage: @unchecked Sendable {
        var fields: Fields
        /// Each country's ladder, which follows from `fields.tiers`.
        var ladders: [CountryLadder]

        init(fields: Fields, ladders: [CountryLadder]) {
            self.fields = fields
            self.ladders = ladders
        }

        func copy() -> Storage { Storage(fields: fields, ladders: ladders) }
    }

    private struct Fields: Equatable {
        var id: String
        var kind: Kind
        var partners: Set<String>
        var markets: Set<String>
        var windowDays: Int
        var activationDays: Int?
        var lookbackDays: Int
        var settleDays: Int
        var grantSLADays: Int
        var enrollFrom: Instant?
        var enrollUntil: Instant?
        var creditExpiresAt: Instant?
        var eligibleOrigins: Set<String>
        var conflictingPromotions: Set<String>
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
