/// Who a decision is about: a partner integration or a promo code, within a program.
public struct Subject: Sendable, Equatable {
    public var programID: String
    /// Unique within the program: `integration:<id>` or `code:<code>`.
    public var key: String
    /// What support sees: `partner:merchant_id`, or the code.
    public var name: String
    public var integrationID: Int64?
    public var partner: String?
    public var merchantID: String?
    public var promoCode: String?
    public var accountID: Int64

    public init(program: Program, integration: Integration) {
        programID = program.id
        key = integration.subjectKey
        name = integration.subjectName
        integrationID = integration.id
        partner = integration.partner
        merchantID = integration.merchantID
        accountID = integration.accountID
    }

    public init(program: Program, code: PromoCode) {
        programID = program.id
        key = code.subjectKey
        name = code.code
        promoCode = code.code
        accountID = code.recipientAccountID
    }
}
