
/// One account and the span of spend time its subjects' rules can look at.
public struct AccountSpan: Sendable, Equatable {
    public var accountID: Int64
    public var span: SpendSpan

    public init(accountID: Int64, span: SpendSpan) {
        self.accountID = accountID
        self.span = span
    }
}
