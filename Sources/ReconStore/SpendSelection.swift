import ReconRules

/// Which spend rows a read asks the database for.
public enum SpendSelection {
    /// Each listed account's rows timed inside its span (and its rows without a time or with an
    /// infinite one, which are rejected): what the rules can look at (`SpendSpan`), from both
    /// tables or from one of them (`SplitSpendRead`). The nightly run and reruns.
    case spans([AccountSpan], from: SpendTables = .both)
    /// Every row of the listed accounts, whenever timed: `explain` shows them all.
    case wholeAccounts([Int64])
    /// Every visible row of `billing`, validated and dropped: `audit`.
    case everything

    var keepsRows: Bool {
        if case .everything = self { return false }
        return true
    }
}

/// Which of the two spend tables a span read asks for.
public enum SpendTables: Sendable {
    case both
    case bills
    case topups

    var readsBills: Bool { self != .topups }
    /// The one table read, or nil for both.
    var source: SpendRow.Source? {
        switch self {
        case .both: return nil
        case .bills: return .bill
        case .topups: return .topup
        }
    }
    var readsTopups: Bool { self != .bills }
}
