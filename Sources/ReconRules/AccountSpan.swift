
/// One account and the span of spend time its subjects' rules can look at.
public struct AccountSpan: Sendable, Equatable {
    public var accountID: Int64
    public var span: SpendSpan

    public init(accountID: Int64, span: SpendSpan) {
        self.accountID = accountID
        self.span = span
    }
}

extension AccountSpan {
    /// Two ascending lists of spans as one: an account in both gets the hull of its two spans.
    /// One read of the merged spans gives each of two passes every row it would read alone
    /// (`spend-recon simulate`); a pass evaluates the rows outside its own spans as it would
    /// without them (`SpanReadTests`).
    public static func merged(_ a: [AccountSpan], _ b: [AccountSpan]) -> [AccountSpan] {
        var result: [AccountSpan] = []
        result.reserveCapacity(max(a.count, b.count))
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].accountID < b[j].accountID) {
                result.append(a[i])
                i += 1
            } else if i == a.count || b[j].accountID < a[i].accountID {
                result.append(b[j])
                j += 1
            } else {
                result.append(AccountSpan(accountID: a[i].accountID, span: a[i].span.hull(b[j].span)))
                i += 1
                j += 1
            }
        }
        return result
    }
}
