import Foundation
import PGClient

/// A session's temporary table of account ids that a read joins to.
enum AccountIDTable {
    /// `explain`'s accounts (`SpendStatements.wholeAccounts`).
    case wholeAccounts
    /// A later night's needed accounts (`FactReader+Unsettled`).
    case factAccounts

    /// The table's name and columns: constants of this file, never outside values.
    var name: String {
        switch self {
        case .wholeAccounts: return "spend_recon_accounts"
        case .factAccounts: return "spend_recon_fact_accounts"
        }
    }
}

extension FactReader {
    /// Empties `table` (creating it in this session if needed) and copies `ids` in.
    /// The ids must be distinct; the table has no key, so the copy maintains no index.
    func loadAccountIDs<IDs: Sequence<Int64>>(_ ids: IDs, into table: AccountIDTable) throws {
        try connection.executeScript("""
            SET client_min_messages = warning;
            CREATE TEMP TABLE IF NOT EXISTS \(table.name) (account_id bigint NOT NULL);
            TRUNCATE \(table.name);
            RESET client_min_messages;
            """)
        try connection.copyInBinary("COPY \(table.name) FROM STDIN (FORMAT binary)") { writer in
            for id in ids {
                try writer.beginRow(fields: 1)
                writer.int64(id)
            }
        }
        // No `ANALYZE`: both tables are only ever the driving side of a hashed `IN` or of a
        // nested loop, which the planner picks from the table's size in pages alone, so the
        // statistics would cost time and change no plan.
    }
}
