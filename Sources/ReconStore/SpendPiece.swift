import ReconRules

/// One account's share of a split spend read: its valid rows, and the rows rejected since the
/// previous piece (an account whose rows were all rejected has no piece of its own, so its
/// rejections ride on the next one; a last piece without an account carries what is left).
struct SpendPiece {
    var accountID: Int64?
    var rows: [SpendRow]
    var rejections: [Rejection]
}
