import ArgumentParser

/// The `spend-recon` command tree.
public struct SpendRecon: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "spend-recon",
        abstract: "Reconciles spend-match ad credit offers against billed spend in PostgreSQL.",
        discussion: """
            Exit codes: 0 ok, 64 usage, 65 data error that stopped the run, 69 database unavailable,
            70 internal error, 75 another run holds the lock, 78 configuration (schema, billing
            table or column, privilege), 143 (130) stopped by SIGTERM (SIGINT) at a batch boundary.
            """,
        version: SpendReconVersion.text,
        subcommands: [DemoCommand.self, MigrateCommand.self, RunCommand.self, RerunCommand.self, ExportCommand.self, ExplainCommand.self, AuditCommand.self,
                      SimulateCommand.self, DiscrepanciesCommand.self, StatusCommand.self, OutboxCommand.self,
                      LiabilityCommand.self, ReportCommand.self]
    )

    public init() {}
}
