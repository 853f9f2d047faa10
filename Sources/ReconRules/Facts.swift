import Exact

/// Everything about the subjects that fits in memory (accounts, integrations, codes,
/// enrolments), validated; spend rows are streamed separately, account by account.
public struct Facts {
    public var accounts = AccountLookup()
    public var integrations: [Integration] = []
    public var codes: [PromoCode] = []
    public var enrollments: [Int64: [Enrollment]] = [:]
    public var rejections: [Rejection] = []
    /// How many accounts the platform has, about: what decides whether the spend of the accounts
    /// still open is read by index or in one pass (`FactReader.readsSpansByIndex`). Nil when every
    /// subject's facts were read (then it is `accounts.count`); an estimate when only the
    /// unsettled ones' were (`FactReader.readUnsettledFacts`).
    public var knownAccounts: Int?

    public init() {}
}
