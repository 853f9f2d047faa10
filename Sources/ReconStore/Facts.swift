import Exact
import ReconRules

/// Everything about the subjects that fits in memory (accounts, integrations, codes,
/// enrolments), validated; spend rows are streamed separately, account by account.
public struct Facts {
    public var accounts = AccountLookup()
    public var integrations: [Integration] = []
    public var codes: [PromoCode] = []
    public var enrollments: [Int64: [Enrollment]] = [:]
    public var rejections: [Rejection] = []

    public init() {}
}
