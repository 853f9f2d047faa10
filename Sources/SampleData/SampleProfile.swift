import Exact

/// The shape of a synthetic `billing` dataset. Everything follows from these numbers and the
/// seed: the same profile always produces the same rows.
public struct SampleProfile: Sendable {
    public var seed: UInt64
    /// WooCommerce integrations (merchants), US and GB mostly, some outside the markets.
    public var merchants: Int
    /// Emailed JP promo codes, one recipient account each.
    public var promoCodes: Int
    /// Average spend rows (bills and top-ups) per merchant or code; at most 999.
    public var rowsPerSubject: Int
    /// The night the sample is made for: set-ups fall in the `setUpDays` before it and spend
    /// rows visible on that night are timed before it.
    public var asOf: Instant
    public var setUpDays: Int
    /// Share of spend rows (per mille) that break the input contract.
    public var badRowsPerMille: Int64

    public init(seed: UInt64, merchants: Int, promoCodes: Int, rowsPerSubject: Int, asOf: Instant, setUpDays: Int,
                badRowsPerMille: Int64 = 2) {
        self.seed = seed
        self.merchants = merchants
        self.promoCodes = promoCodes
        self.rowsPerSubject = min(max(rowsPerSubject, 1), 999)
        self.asOf = asOf
        self.setUpDays = setUpDays
        self.badRowsPerMille = badRowsPerMille
    }

    /// The demo: a few hundred merchants set up over the four months before 2026-01-10, inside
    /// the seeded programs' period (the WooCommerce credit expires 2026-01-30).
    public static let demo = SampleProfile(
        seed: 20_260_110, merchants: 300, promoCodes: 40, rowsPerSubject: 24,
        asOf: Instant(year: 2026, month: 1, day: 10)!, setUpDays: 120, badRowsPerMille: 6)

    /// The benchmark at `merchants` integrations and about `rows` visible spend rows, with
    /// twelve months of set-ups before 2026-01-20.
    public static func bench(merchants: Int, rows: Int, seed: UInt64 = 7) -> SampleProfile {
        let codes = max(merchants / 20, 1)
        // About 80% of a subject's rows are timed before the night (recent set-ups are mid-way).
        let perSubject = Int((Int64(rows) * 10 + Int64(merchants + codes) * 8 - 1) / (Int64(merchants + codes) * 8))
        return SampleProfile(seed: seed, merchants: merchants, promoCodes: codes, rowsPerSubject: perSubject,
                             asOf: Instant(year: 2026, month: 1, day: 20)!, setUpDays: 365)
    }
}
