import Exact

/// P1 and P6 for one partner program: of the integrations that share a merchant, or an account,
/// the earliest (set_up_at, integration_id) is the one evaluated, unless one of them already
/// holds the program's grant (`HeldGrants`): then that one, and no other, stays first.
///
/// Built by sorting positions rather than with a dictionary per merchant and per account, which
/// at a platform's size would be the job's largest allocation; what is kept is the set of ids that come first (as bits while the ids are
/// dense, `IntegrationIDSet`).
public struct PartnerRanking: Sendable {
    private var firstForMerchant = IntegrationIDSet()
    private var firstForAccount = IntegrationIDSet()
    private let held: HeldGrants

    /// `integrations` (those `include` accepts): every integration of the program's partners,
    /// whatever its other reasons; only those set up by `asOf` exist. `held`: the program's
    /// grants already written.
    public init(integrations: [Integration], asOf: Instant, held: HeldGrants = HeldGrants(),
                where include: (Integration) -> Bool = { _ in true }) {
        self.held = held
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
        if let holder = held.holder(partner: integration.partner, merchantID: integration.merchantID) {
            return holder == integration.id
        }
        return firstForMerchant.contains(integration.id)
    }

    public func isFirstForAccount(_ integration: Integration) -> Bool {
        if let holder = held.integrationHolder(account: integration.accountID) { return holder == integration.id }
        return firstForAccount.contains(integration.id)
    }

    /// What the set-up order alone would say of a subject that holds its grant: the reasons an
    /// earlier integration, loaded after the grant, would give it. A rerun files a discrepancy
    /// for a human; the grant stays.
    public func rankedBehind(_ integration: Integration) -> [Reason] {
        var reasons: [Reason] = []
        if held.holder(partner: integration.partner, merchantID: integration.merchantID) == integration.id,
           !firstForMerchant.contains(integration.id) {
            reasons.append(.merchantAlreadyParticipated)
        }
        if held.integrationHolder(account: integration.accountID) == integration.id, !firstForAccount.contains(integration.id) {
            reasons.append(.accountAlreadyParticipated)
        }
        return reasons
    }
}

/// C4 for one promo program: of the codes one account activated, the earliest
/// (activated_at, code) is the one evaluated, unless the account already holds the program's
/// grant through one of the codes it activated (`HeldGrants`): then that code, and no other.
public struct PromoRanking: Sendable {
    private var firstByActivator: [Int64: String] = [:]
    private let held: HeldGrants

    public init<Codes: Sequence<PromoCode>>(codes: Codes, asOf: Instant, held: HeldGrants = HeldGrants()) {
        self.held = held
        var best: [Int64: RankKey] = [:]
        for code in codes {
            guard let activation = code.activation(asOf: asOf), let rank = code.rank else { continue }
            if best[activation.by].map({ rank < $0 }) ?? true {
                best[activation.by] = rank
                firstByActivator[activation.by] = code.code
            }
        }
    }

    /// A grant is only ever made to a code its recipient activated, so the account that holds a
    /// grant is the activator of its code: held grants are looked up by activator, as C4 ranks.
    public func isFirstForActivator(_ code: PromoCode, asOf: Instant) -> Bool {
        guard let activation = code.activation(asOf: asOf) else { return true }
        if let holder = held.codeHolder(account: activation.by) { return holder == code.code }
        return firstByActivator[activation.by] == code.code
    }

    /// What the activation order alone would say of a code that holds its grant (see
    /// `PartnerRanking.rankedBehind`).
    public func rankedBehind(_ code: PromoCode, asOf: Instant) -> [Reason] {
        guard let activation = code.activation(asOf: asOf), held.codeHolder(account: activation.by) == code.code,
              let first = firstByActivator[activation.by], first != code.code else { return [] }
        return [.accountAlreadyParticipated]
    }
}
