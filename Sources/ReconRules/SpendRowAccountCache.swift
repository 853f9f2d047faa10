/// The last account a stream of spend rows looked up, and its currency (nil: not a valid
/// account). See `InputValidation.spendRow(_:accounts:cache:)`.
public struct SpendRowAccountCache {
    private var accountID: Int64?
    private var accountCurrency: Currency?

    public init() {}

    /// The currency of account `id`, looked up only when the account differs from the last one.
    public mutating func currency(of id: Int64, in accounts: AccountLookup) -> Currency? {
        if id == accountID { return accountCurrency }
        accountID = id
        accountCurrency = accounts.currency(of: id)
        return accountCurrency
    }
}
