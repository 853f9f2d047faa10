/// Settlements counted for the run summary and the metrics file (SPEC section 8): entries per
/// status, and the credit still outstanding (awaiting or overdue) and overdue per currency, in
/// minor units. Every currency met is kept, with zero when nothing is outstanding, so a gauge
/// falls back to zero rather than vanishing.
public struct SettlementTally: Sendable, Equatable {
    public private(set) var statuses: [Settlement.Status: Int] = [:]
    public private(set) var outstanding: [Currency: Int64] = [:]
    public private(set) var overdue: [Currency: Int64] = [:]

    public init() {}

    /// Counts `settlement` of `entry`; throws when a currency's total leaves 64-bit minor units.
    public mutating func add(_ settlement: Settlement, of entry: Settlement.Entry) throws {
        statuses[settlement.status, default: 0] += 1
        let owed = settlement.status == .awaiting || settlement.status == .overdue ? entry.amount : 0
        outstanding[entry.currency] = try Self.sum(outstanding[entry.currency] ?? 0, owed, entry.currency)
        overdue[entry.currency] = try Self.sum(overdue[entry.currency] ?? 0, settlement.status == .overdue ? owed : 0,
                                               entry.currency)
    }

    /// Counts `entries` entries of one status and currency owing `amount` in all: for counts
    /// read back from the stored settlements.
    public mutating func add(_ status: Settlement.Status, currency: Currency, entries: Int, amount: Int64) throws {
        statuses[status, default: 0] += entries
        let owed = status == .awaiting || status == .overdue ? amount : 0
        outstanding[currency] = try Self.sum(outstanding[currency] ?? 0, owed, currency)
        overdue[currency] = try Self.sum(overdue[currency] ?? 0, status == .overdue ? owed : 0, currency)
    }

    public func count(_ status: Settlement.Status) -> Int { statuses[status] ?? 0 }

    /// `a + b` of `currency`'s minor units; throws on leaving 64 bits.
    public static func sum(_ a: Int64, _ b: Int64, _ currency: Currency) throws -> Int64 {
        let (total, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw DataError("outstanding \(currency.code) credit overflows 64-bit minor units") }
        return total
    }
}
