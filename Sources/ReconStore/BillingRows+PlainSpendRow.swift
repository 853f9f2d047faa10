import Exact
import PGClient
import ReconRules

extension BillingRows {
    /// A spend row that plainly keeps the contract, built straight from the wire: every
    /// required value there, its currency's bytes those of its account's currency, its amounts
    /// plain non-negative numbers with no more decimals than the currency has; then the rest of
    /// the contract as `InputValidation` writes it. Nil when any of that does not hold, for
    /// `spendRow` and `InputValidation.spendRow` to judge: they accept exactly the rows this
    /// accepts, with the same values, and reject the rest with their reasons
    /// (`PlainSpendRowTests`). Most rows are plain, and building the intermediate `RawSpendRow`
    /// (a string, three decimal readings) for each was most of the reading threads' own work.
    static func plainSpendRow(_ row: BinaryCopyRow, source known: SpendRow.Source?, accounts: AccountLookup,
                              cache: inout SpendRowAccountCache) -> SpendRow? {
        let first = known == nil ? 1 : 0
        let source: SpendRow.Source
        if let known {
            source = known
        } else {
            switch try? row.byte(0) {
            case UInt8(ascii: "b"): source = .bill
            case UInt8(ascii: "t"): source = .topup
            default: return nil
            }
        }
        guard let id = try? row.int64(first), let accountID = try? row.int64(first + 1),
              let currency = cache.currency(of: accountID, in: accounts),
              (try? row.text(first + 2, equals: currency.code)) == true,
              let at = try? row.instant(first + 3),
              let amount = row.plainMinorUnits(first + 4, exponent: currency.exponent),
              let tax = row.plainMinorUnits(first + 5, exponent: currency.exponent),
              let credit = row.plainMinorUnits(first + 6, exponent: currency.exponent)
        else { return nil }
        let paidAt: Instant?   // NULL (unpaid, or a top-up's) is plain too
        do { paidAt = try row.instant(first + 7) } catch { return nil }
        return InputValidation.spendRow(source: source, id: id, accountID: accountID, at: at, amount: amount, tax: tax,
                                        credit: credit, paidAt: paidAt)
    }
}
