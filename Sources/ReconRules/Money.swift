/// Checked arithmetic on integer minor units: overflow is an error, never a wrap.
public struct MoneyOverflow: Error, CustomStringConvertible {
    public let description = "money arithmetic overflowed 64-bit minor units"
    public init() {}
}

extension Int64 {
    func addingChecked(_ other: Int64) throws(MoneyOverflow) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { throw MoneyOverflow() }
        return sum
    }

    func subtractingChecked(_ other: Int64) throws(MoneyOverflow) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if overflow { throw MoneyOverflow() }
        return difference
    }
}
