/// Who a decision is about: a partner integration or a promo code, within a program.
///
/// A value, held in one immutable box: every `Decision` carries its subject, a first night
/// copies decisions hundreds of thousands of times (each evaluation's steps, the final-decision
/// search, the writers' batches), and a copy of the box is one retain where the fields were one
/// per string.
public struct Subject: Sendable, Equatable {
    private let box: Box

    public var programID: String { box.fields.programID }
    /// Unique within the program: `integration:<id>` or `code:<code>`.
    public var key: String { box.fields.key }
    /// What support sees: `partner:merchant_id`, or the code.
    public var name: String { box.fields.name }
    public var integrationID: Int64? { box.fields.integrationID }
    public var partner: String? { box.fields.partner }
    public var merchantID: String? { box.fields.merchantID }
    public var promoCode: String? { box.fields.promoCode }
    public var accountID: Int64 { box.fields.accountID }

    public init(program: Program, integration: Integration) {
        box = Box(Fields(programID: program.id, key: integration.subjectKey, name: integration.subjectName,
                         integrationID: integration.id, partner: integration.partner, merchantID: integration.merchantID,
                         promoCode: nil, accountID: integration.accountID))
    }

    public init(program: Program, code: PromoCode) {
        box = Box(Fields(programID: program.id, key: code.subjectKey, name: code.code, integrationID: nil, partner: nil,
                         merchantID: nil, promoCode: code.code, accountID: code.recipientAccountID))
    }

    public static func == (a: Subject, b: Subject) -> Bool {
        a.box === b.box || a.box.fields == b.box.fields
    }

    private struct Fields: Sendable, Equatable {
        let programID: String
        let key: String
        let name: String
        let integrationID: Int64?
        let partner: String?
        let merchantID: String?
        let promoCode: String?
        let accountID: Int64
    }

    private final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }
}
