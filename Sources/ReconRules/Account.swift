import Exact

/// `billing.ad_accounts`, validated.
public struct Account: Sendable, Equatable {
    public var id: Int64
    public var country: String
    public var currency: Currency
    public var origin: String
    public var status: String
    public var policyViolation: Bool
    public var safetyFlagged: Bool
    public var paymentMode: String
    public var registeredAt: Instant
    public var firstCashAt: Instant?

    public init(id: Int64, country: String, currency: Currency, origin: String = "self_serve", status: String = "approved",
                policyViolation: Bool = false, safetyFlagged: Bool = false, paymentMode: String = "manual",
                registeredAt: Instant, firstCashAt: Instant?) {
        self.id = id
        self.country = country
        self.currency = currency
        self.origin = origin
        self.status = status
        self.policyViolation = policyViolation
        self.safetyFlagged = safetyFlagged
        self.paymentMode = paymentMode
        self.registeredAt = registeredAt
        self.firstCashAt = firstCashAt
    }

    /// The account as it stood when a night last saw it in good standing. Standing has no time in
    /// the input, so the job dates a change of standing at the night that first observes it: an
    /// instant before that night is judged with the standing the previous night saw.
    public var inGoodStanding: Account {
        var account = self
        account.status = "approved"
        account.policyViolation = false
        account.safetyFlagged = false
        return account
    }

    /// First cash as of `asOf`: a later first-cash date reads as none yet.
    public func firstCash(asOf: Instant) -> Instant? {
        firstCashAt.flatMap { $0 <= asOf ? $0 : nil }
    }
}
