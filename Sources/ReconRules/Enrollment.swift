import Exact

/// `billing.promotion_enrollments`: another promotion an account takes part in.
public struct Enrollment: Sendable, Equatable {
    public var accountID: Int64
    public var promotion: String
    public var enrolledAt: Instant

    public init(accountID: Int64, promotion: String, enrolledAt: Instant) {
        self.accountID = accountID
        self.promotion = promotion
        self.enrolledAt = enrolledAt
    }
}
