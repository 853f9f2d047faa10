import Exact

extension InputValidation {
    /// An application of credit held to section 2's money rules, as a spend row is (SPEC
    /// section 8): its id, account, currency, amount and time are required, the currency known,
    /// the amount a non-negative number with no more decimals than the currency has. A null
    /// `credit_ref` is valid (credit applied by hand: it is unmatched, not rejected), and so is
    /// an account or currency other than the credit's (that is a settlement issue).
    public static func creditApplication(_ raw: RawCreditApplication) -> Outcome<CreditApplication> {
        let table = "credit_applications"
        let key = Self.key(raw.applicationID)
        guard let id = raw.applicationID else { return reject(table, key, "null_application_id") }
        guard let accountID = raw.accountID else { return reject(table, key, "null_account_id") }
        guard let code = raw.currency else { return reject(table, key, "null_currency") }
        guard let currency = Currency(code: code) else { return reject(table, key, "unknown_currency") }
        guard let appliedAt = raw.appliedAt else { return reject(table, key, "null_applied_at") }
        switch Self.minorUnits(raw.amount, column: "amount", exponent: currency.exponent) {
        case let .success(amount):
            return .success(CreditApplication(id: id, creditRef: raw.creditRef, accountID: accountID, currency: currency,
                                              amount: amount, appliedAt: appliedAt, reversedAt: raw.reversedAt))
        case let .failure(problem):
            return reject(table, key, problem.rawValue)
        }
    }
}
