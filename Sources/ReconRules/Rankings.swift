import Exact

/// P1 and P6 for one partner program: of the integrations that share a merchant, or an account,
/// the earliest (set_up_at, integration_id) is the one evaluated.
///
/// Built by sorting positions rather than with a dictionary per merchant and per account: at a
/// platform's 200,000 integrations those dictionaries were the job's largest allocation (86 MB
/// at the peak); what is kept is the set of ids that come first (as bits while the ids are
/// dense, `IntegrationIDSet`).
public struct PartnerRanking: Sendable {
    private var firstForMerchant = IntegrationIDSet()
    private var firstForAccount = IntegrationIDSet()

    /// `integrations` (those `include` accepts): every integration of the program's partners,
    /// whatever its other reasons; only those set up by `asOf` exist.
    public init(integrations: [Integration], asOf: Instant, where include: (Integration) -> Bool = { _ in true }) {
        var order: [Int32] = []
        for index in integrations.indices where integrations[index].setUpAt <= asOf && include(integrations[index]) {
            order.append(Int32(index))
        }
        func earlier(_ a: Integration, _ b: Integration) -> Bool {
            a.setUpAt != b.setUpAt ? a.setUpAt < b.setUpAt : a.id < b.id
        }
        order.sort { x, y in
            let a = integrations[Int(x)], b = integrations[Int(y)]
            if a.partner != b.partner { return a.partner < b.partner }
            if a.merchantID != b.merchantID { return a.merchantID < b.merchantID }
            return earlier(a, b)
        }
        for (position, index) in order.enumerated() {
            let current = integrations[Int(index)]
            if position == 0 { firstForMerchant.insert(current.id); continue }
            let previous = integrations[Int(order[position - 1])]
            if previous.partner != current.partner || previous.merchantID != current.merchantID {
                firstForMerchant.insert(current.id)
            }
        }
        order.sort { x, y in
            let a = integrations[Int(x)], b = integrations[Int(y)]
            return a.accountID != b.accountID ? a.accountID < b.accountID : earlier(a, b)
        }
        for (position, index) in order.enumerated()
        where position == 0 || integrations[Int(order[position - 1])].accountID != integrations[Int(index)].accountID {
            firstForAccount.insert(integrations[Int(index)].id)
        }
    }

    public func isFirstForMerchant(_ integration: Integration) -> Bool {
        firstForMerchant.contains(integration.id)
    }

    public func isFirstForAccount(_ integration: Integration) -> Bool {
        firstForAccount.contains(integration.id)
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
