/// An input row that broke the contract of SPEC section 2: it counts for nothing and is recorded
/// with its source table, key and problem. Problems are codes, never row values.
public struct Rejection: Hashable, Sendable {
    public var table: String
    public var key: String
    public var problem: String

    public init(table: String, key: String, problem: String) {
        self.table = table
        self.key = key
        self.problem = problem
    }
}
