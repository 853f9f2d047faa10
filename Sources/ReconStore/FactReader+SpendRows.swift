import Foundation
import Exact
import PGClient
import ReconRules

extension FactReader {
    /// A spend read as `prepareSpendRead` prepared it.
    struct SpendRead {
        /// The rows, ordered by account.
        var select: String
        /// Run with `withAccountOrderPlan`.
        var inAccountOrder = false
        /// Read after `select`, when it leaves out the rows without a time or with an infinite
        /// one (which are all rejected): their accounts' rows in no particular order.
        var untimedSelect: String?
        /// The one table read, whose rows then carry no tag column; nil for both (tagged).
        var source: SpendRow.Source?
    }

    /// A spend row that plainly keeps the contract, built straight from the wire: every
    /// required value there, its currency's bytes those of its account's currency, its amounts
    /// plain non-negative numbers with no more decimals than the currency has, tax and credit
    /// within the amount. Nil when any of that does not hold, for `rawSpendRow` and
    /// `InputValidation.spendRow` to judge: they accept exactly the rows this accepts, with the
    /// same values, and reject the rest with their reasons (`PlainSpendRowTests`). Most rows
    /// are plain, and building the intermediate `RawSpendRow` (a string, three decimal readings)
    /// for each was most of the reading threads' own work.
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
              let credit = row.plainMinorUnits(first + 6, exponent: currency.exponent),
              case let (taxAndCredit, false) = tax.addingReportingOverflow(credit), taxAndCredit <= amount
        else { return nil }
        let paidAt: Instant?   // NULL (unpaid, or a top-up's) is plain too
        do { paidAt = try row.instant(first + 7) } catch { return nil }
        return SpendRow(source: source, id: id, accountID: accountID, at: at, amount: amount, tax: tax, credit: credit,
                        paidAt: source == .bill ? paidAt : nil)
    }

    /// A row of every spend read's columns: after a `'b'`/`'t'` tag, or without one from a read
    /// of the one table `source`.
    static func rawSpendRow(_ row: BinaryCopyRow, source: SpendRow.Source?) throws -> RawSpendRow {
        let first = source == nil ? 1 : 0
        return RawSpendRow(
            source: try source ?? (row.byte(0) == UInt8(ascii: "b") ? .bill : .topup), id: try row.int64(first),
            accountID: try row.int64(first + 1), currency: try row.text(first + 2), at: try row.instant(first + 3),
            amount: try row.decimal(first + 4), tax: try row.decimal(first + 5), credit: try row.decimal(first + 6),
            paidAt: try row.instant(first + 7))
    }
}
