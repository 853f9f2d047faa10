/// The spend stream delivered an account after a later one. The read orders by account, so this
/// is a defect, not bad data: the run stops (exit 70) rather than evaluate an account twice or
/// drop its second piece of rows.
public struct SpendOrderError: Error, CustomStringConvertible {
    public let accountID: Int64
    public let after: Int64

    public var description: String { "spend read out of account order: account \(accountID) after account \(after)" }
}
