/// Hands a value that is not `Sendable` (a connection, a reader over one) to exactly one other
/// thread for a stretch the caller bounds: the caller does not touch the value until that
/// thread has signalled its end (`concurrently`, `SplitSpendRead`, `BackgroundWriter` each
/// join or wait before using it again). That ownership by turns is what the compiler cannot see,
/// so this box is `@unchecked Sendable`; it is the only place the job says so about a connection.
struct ThreadHandoff<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
