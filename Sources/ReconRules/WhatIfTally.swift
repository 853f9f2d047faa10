/// One side of a what-if (`spend-recon simulate`): per country and currency, the subjects per
/// status, the grants per tier and the credit granted, counted as the pass hands decisions
/// over. A sink, so the same pass that feeds the night's writer feeds it.
public struct WhatIfTally: DecisionSink, Sendable, Equatable {
    /// A country with the currency of its ladder.
    public struct Market: Hashable, Comparable, Sendable {
        public let country: String
        public let currency: Currency

        public static func < (a: Market, b: Market) -> Bool {
            (a.country, a.currency.code) < (b.country, b.currency.code)
        }
    }

    public struct Counts: Sendable, Equatable {
        public var statuses: [Status: Int] = [:]
        public var grantsByTier: [Int: Int] = [:]
        /// Minor units of the market's currency.
        public var credit: Int64 = 0
    }

    public private(set) var markets: [Market: Counts] = [:]

    public init() {}

    public mutating func decided(_ decision: consuming Decision) throws {
        let decision = decision
        let market = Market(country: decision.country, currency: decision.currency)
        var counts = markets[market] ?? Counts()
        counts.statuses[decision.status, default: 0] += 1
        if decision.status == .granted, let tier = decision.tier {
            counts.grantsByTier[tier.level, default: 0] += 1
            let (sum, overflow) = counts.credit.addingReportingOverflow(tier.credit)
            guard !overflow else { throw DataError("credit granted in \(market.currency.code) overflows 64-bit minor units") }
            counts.credit = sum
        }
        markets[market] = counts
    }

    public mutating func rejected(_ rejection: Rejection) throws {}
}
