import ReconStore

/// What `spend-recon --version` prints: the release and the `recon` schema version it needs.
enum SpendReconVersion {
    static let release = "1.1.0"
    static var text: String { "\(release) (recon schema \(SQLFiles.latestVersion))" }
}
