/// Input that stops a run (SPEC exit 65): not a single bad row, which is recorded and skipped,
/// but data the job cannot reconcile at all, such as a program whose tiers are malformed or a
/// sum that overflows 64-bit minor units.
public struct DataError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
