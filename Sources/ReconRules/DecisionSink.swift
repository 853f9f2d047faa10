/// Where an evaluation pass hands what it finds: the night's writer, a rerun's comparison, a
/// test's list. One protocol, so the pass is written once whoever consumes it.
public protocol DecisionSink {
    /// A subject's decision, in the order accounts are evaluated.
    mutating func decided(_ decision: consuming Decision) throws
    /// A rejected input row; each distinct one is handed over once per pass.
    mutating func rejected(_ rejection: Rejection) throws
}
