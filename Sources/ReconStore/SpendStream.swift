import ReconRules

/// The stream stage: the spend rows of a pass's account spans, read in ascending account order,
/// validated, and fed to the pass (`EvaluationPass`) as they come. One entry point whichever
/// way the rows are read: split by table over two billing readers (`SplitSpendRead`), or on
/// one (`FactReader.streamSpend`).
struct SpendStream {
    let readers: [FactReader]

    /// Feeds `pass` every account with its rows, then finishes it (accounts without a row).
    func feed<Sink: DecisionSink>(_ pass: inout EvaluationPass, into sink: inout Sink) throws -> (subjects: Int, rejectedRows: Int) {
        try stream(pass.spans, accounts: pass.accounts, knownAccounts: pass.knownAccounts,
                   reject: { try pass.reject($0, into: &sink) }, body: { try pass.account($0, rows: $1, into: &sink) })
        return try pass.finish(into: &sink)
    }

    /// The rows of `spans`, each account's valid rows handed to `body` in one piece, in
    /// ascending account order; rejected rows to `reject`.
    func stream(_ spans: [AccountSpan], accounts: AccountLookup, knownAccounts: Int?,
                reject: (Rejection) throws -> Void, body: (_ accountID: Int64, _ rows: [SpendRow]) throws -> Void) throws {
        if readers.count > 1, spans.count > 1 {
            var split = SplitSpendRead(readers: readers, accounts: accounts)
            split.knownAccounts = knownAccounts
            try split.stream(spans, reject: reject, body: body)
        } else {
            try readers[0].streamSpend(accounts: accounts, knownAccounts: knownAccounts, .spans(spans),
                                       reject: { rejection, _ in try reject(rejection) }, body: body)
        }
    }
}
