import Exact

/// P1 and P6 for one partner program: of the integrations that share a merchant, or an account,
/// the earliest (set_up_at, integration_id) is the one evaluated.
public struct PartnerRanking: Sendable {
    /// Keyed by partner and merchant id as two strings, which stay inline (no allocation) when
    /// short, rather than by the joined subject name.
    private var firstByMerchant: [MerchantKey: Int64] = [:]

    struct MerchantKey: Hashable {
        let partner: String
        let merchantID: String

        init(_ integration: Integration) {
            partner = integration.partner
            merchantID = integration.merchantID
        }
    }
    private var firstByAccount: [Int64: Int64] = [:]

    /// `integrations`: every integration of the program's partners, whatever its other reasons;
    /// only those set up by `asOf` exist.
    public init<Integrations: Sequence<Integration>>(integrations: Integrations, asOf: Instant) {
        var merchantRank: [MerchantKey: RankKey] = [:]
        var accountRank: [Int64: RankKey] = [:]
        for integration in integrations where integration.setUpAt <= asOf {
            let rank = integration.rank
            let merchant = MerchantKey(integration)
            if merchantRank[merchant].map({ rank < $0 }) ?? true {
                merchantRank[merchant] = rank
                firstByMerchant[merchant] = integration.id
            }
            if accountRank[integration.accountID].map({ rank < $0 }) ?? true {
                accountRank[integration.accountID] = rank
                firstByAccount[integration.accountID] = integration.id
            }
        }
    }

    public func isFirstForMerchant(_ integration: Integration) -> Bool {
        firstByMerchant[MerchantKey(integration)] == integration.id
    }

    public func isFirstForAccount(_ integration: Integration) -> Bool {
        firstByAccount[integration.accountID] == integration.id
    }
}

/// C4 for one promo program: of the codes one account activated, the earliest
/// (activated_at, code) is the one evaluated.
public struct PromoRanking: Sendable {
    private var firstByActivator: [Int64: String] = [:]

    public init<Codes: Sequence<PromoCode>>(codes: Codes, asOf: Instant) {
        var best: [Int64: RankKey] = [:]
        for code in codes {
            guard let activation = code.activation(asOf: asOf), let rank = code.rank else { continue }
            if best[activation.by].map({ rank < $0 }) ?? true {
                best[activation.by] = rank
                firstByActivator[activation.by] = code.code
            }
        }
    }

    public func isFirstForActivator(_ code: PromoCode, asOf: Instant) -> Bool {
        guard let activation = code.activation(asOf: asOf) else { return true }
        return firstByActivator[activation.by] == code.code
    }
}
