/// What `spend-recon simulate` reports: per country and currency, the program as stored, as
/// changed, and the difference (changed minus stored). Counts are whole numbers; credit is
/// exact, in major units with the currency's digits. Encodable as is for `--json`.
public struct WhatIfComparison: Codable, Sendable, Equatable {
    public struct Side: Codable, Sendable, Equatable {
        /// Subjects per status, every status listed.
        public var statuses: [String: Int]
        /// Grants per tier level (as text, for JSON keys); a tier only one side has shows as 0.
        public var grantsByTier: [String: Int]
        public var credit: String
    }

    public struct Market: Codable, Sendable, Equatable {
        public var country: String
        public var currency: String
        public var stored: Side
        public var changed: Side
        public var difference: Side
    }

    public var programID: String
    public var asOf: String
    public var markets: [Market]

    public init(programID: String, asOf: String, stored: WhatIfTally, changed: WhatIfTally) throws {
        self.programID = programID
        self.asOf = asOf
        let keys = Set(stored.markets.keys).union(changed.markets.keys).sorted()
        markets = try keys.map { key in
            let a = stored.markets[key] ?? WhatIfTally.Counts()
            let b = changed.markets[key] ?? WhatIfTally.Counts()
            let levels = Set(a.grantsByTier.keys).union(b.grantsByTier.keys).sorted()
            func side(_ counts: WhatIfTally.Counts) -> Side {
                Side(statuses: Dictionary(uniqueKeysWithValues: Status.allCases.map { ($0.rawValue, counts.statuses[$0] ?? 0) }),
                     grantsByTier: Dictionary(uniqueKeysWithValues: levels.map { (String($0), counts.grantsByTier[$0] ?? 0) }),
                     credit: key.currency.format(counts.credit))
            }
            let (delta, overflow) = b.credit.subtractingReportingOverflow(a.credit)
            guard !overflow else { throw DataError("the difference in \(key.currency.code) credit overflows 64-bit minor units") }
            let difference = Side(
                statuses: Dictionary(uniqueKeysWithValues: Status.allCases.map {
                    ($0.rawValue, (b.statuses[$0] ?? 0) - (a.statuses[$0] ?? 0))
                }),
                grantsByTier: Dictionary(uniqueKeysWithValues: levels.map {
                    (String($0), (b.grantsByTier[$0] ?? 0) - (a.grantsByTier[$0] ?? 0))
                }),
                credit: key.currency.format(delta))
            return Market(country: key.country, currency: key.currency.code, stored: side(a), changed: side(b),
                          difference: difference)
        }
    }

    /// Whether the two sides are the same in every market.
    public var isZero: Bool {
        markets.allSatisfy { $0.stored == $0.changed }
    }
}
