import Exact

/// A `billing.credit_applications` row as read, before validation (SPEC section 8).
public struct RawCreditApplication: Sendable {
    public var applicationID: Int64?
    public var creditRef: String?
    public var accountID: Int64?
    public var currency: String?
    public var amount: DecimalReading?
    public var appliedAt: Instant?
    public var reversedAt: Instant?

    public init(applicationID: Int64?, creditRef: String?, accountID: Int64?, currency: String?, amount: DecimalReading?,
                appliedAt: Instant?, reversedAt: Instant?) {
        self.applicationID = applicationID
        self.creditRef = creditRef
        self.accountID = accountID
        self.currency = currency
        self.amount = amount
        self.appliedAt = appliedAt
        self.reversedAt = reversedAt
    }
}
