import Exact

/// Input rows exactly as read, every column optional and money as numeric text, so that
/// validation (not decoding) decides what breaks the contract.
public struct RawAccount: Sendable {
    public var accountID: Int64?
    public var country: String?
    public var currency: String?
    public var origin: String?
    public var status: String?
    public var policyViolation: Bool?
    public var safetyFlagged: Bool?
    public var paymentMode: String?
    public var registeredAt: Instant?
    public var firstCashAt: Instant?

    public init(accountID: Int64?, country: String?, currency: String?, origin: String?, status: String?,
                policyViolation: Bool?, safetyFlagged: Bool?, paymentMode: String?, registeredAt: Instant?, firstCashAt: Instant?) {
        self.accountID = accountID
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
}

public struct RawIntegration: Sendable {
    public var integrationID: Int64?
    public var partner: String?
    public var merchantID: String?
    public var storeCountry: String?
    public var accountID: Int64?
    public var accountCreatedViaIntegration: Bool?
    public var setUpAt: Instant?
    public var firstCampaignAt: Instant?

    public init(integrationID: Int64?, partner: String?, merchantID: String?, storeCountry: String?, accountID: Int64?,
                accountCreatedViaIntegration: Bool?, setUpAt: Instant?, firstCampaignAt: Instant?) {
        self.integrationID = integrationID
        self.partner = partner
        self.merchantID = merchantID
        self.storeCountry = storeCountry
        self.accountID = accountID
        self.accountCreatedViaIntegration = accountCreatedViaIntegration
        self.setUpAt = setUpAt
        self.firstCampaignAt = firstCampaignAt
    }
}

public struct RawPromoCode: Sendable {
    public var code: String?
    public var programID: String?
    public var recipientAccountID: Int64?
    public var receivedAt: Instant?
    public var activatedByAccountID: Int64?
    public var activatedAt: Instant?
    public var cashBalanceAtActivation: String?

    public init(code: String?, programID: String?, recipientAccountID: Int64?, receivedAt: Instant?,
                activatedByAccountID: Int64?, activatedAt: Instant?, cashBalanceAtActivation: String?) {
        self.code = code
        self.programID = programID
        self.recipientAccountID = recipientAccountID
        self.receivedAt = receivedAt
        self.activatedByAccountID = activatedByAccountID
        self.activatedAt = activatedAt
        self.cashBalanceAtActivation = cashBalanceAtActivation
    }
}

public struct RawSpendRow: Sendable {
    public var source: SpendRow.Source
    public var id: Int64?
    public var accountID: Int64?
    public var currency: String?
    public var at: Instant?
    /// Money as read (text or binary `numeric`); the currency's exponent is checked in validation.
    public var amount: DecimalReading?
    public var tax: DecimalReading?
    public var credit: DecimalReading?
    public var paidAt: Instant?

    public init(source: SpendRow.Source, id: Int64?, accountID: Int64?, currency: String?, at: Instant?,
                amount: DecimalReading?, tax: DecimalReading?, credit: DecimalReading?, paidAt: Instant?) {
        self.source = source
        self.id = id
        self.accountID = accountID
        self.currency = currency
        self.at = at
        self.amount = amount
        self.tax = tax
        self.credit = credit
        self.paidAt = paidAt
    }

    /// Money as numeric text, as tests and the text format give it.
    public init(source: SpendRow.Source, id: Int64?, accountID: Int64?, currency: String?, at: Instant?,
                amount: String?, tax: String?, credit: String?, paidAt: Instant?) {
        self.init(source: source, id: id, accountID: accountID, currency: currency, at: at,
                  amount: amount.map(DecimalReading.init(text:)), tax: tax.map(DecimalReading.init(text:)),
                  credit: credit.map(DecimalReading.init(text:)), paidAt: paidAt)
    }
}

public struct RawEnrollment: Sendable {
    public var accountID: Int64?
    public var promotion: String?
    public var enrolledAt: Instant?

    public init(accountID: Int64?, promotion: String?, enrolledAt: Instant?) {
        self.accountID = accountID
        self.promotion = promotion
        self.enrolledAt = enrolledAt
    }
}
