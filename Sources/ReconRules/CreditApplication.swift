import Exact

/// One application of credit as the crediting system reports it (`billing.credit_applications`,
/// SPEC section 8), validated: amounts in the currency's minor units.
public struct CreditApplication: Sendable, Equatable {
    public var id: Int64
    /// `grant:<id>` or `adjustment:<id>`; nil when the credit was applied by hand.
    public var creditRef: String?
    public var accountID: Int64
    public var currency: Currency
    public var amount: Int64
    public var appliedAt: Instant
    public var reversedAt: Instant?

    public init(id: Int64, creditRef: String?, accountID: Int64, currency: Currency, amount: Int64, appliedAt: Instant,
                reversedAt: Instant? = nil) {
        self.id = id
        self.creditRef = creditRef
        self.accountID = accountID
        self.currency = currency
        self.amount = amount
        self.appliedAt = appliedAt
        self.reversedAt = reversedAt
    }

    /// Applied by `asOf` and not undone by then: a reversal at `asOf` itself has happened.
    public func isLive(asOf: Instant) -> Bool {
        appliedAt <= asOf && !(reversedAt.map { $0 <= asOf } ?? false)
    }
}
