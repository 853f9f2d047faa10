import Exact
import PGClient

/// Where a decision's columns go, one value after the other in `DecisionWriter`'s column order:
/// a COPY row (`BinaryCopyInWriter`), or the input of its digest (`DecisionDigest.Input`). One
/// list of columns (`DecisionWriter.appendDecisionColumns`) feeds both, so the digest covers
/// exactly what is stored.
protocol DecisionColumnSink {
    mutating func text(_ value: String?)
    mutating func int64(_ value: Int64?)
    mutating func int32(_ value: Int32?)
    mutating func bool(_ value: Bool?)
    mutating func instant(_ value: Instant?)
    /// An amount of `minorUnits` × 10^-`exponent`, stored as `numeric` with `exponent` decimals.
    mutating func money(_ minorUnits: Int64?, exponent: Int)
}

extension BinaryCopyInWriter: DecisionColumnSink {
    mutating func money(_ minorUnits: Int64?, exponent: Int) {
        numeric(minorUnits: minorUnits, scale: exponent)
    }
}
