import Exact
import PGClient

/// The discrepancies reruns file (a granted subject found lower or ineligible, or a grant an
/// earlier rival would now outrank): listed for support and finance, and resolved by a person
/// with a name and a note. A resolution is recorded, never deleted or changed (migration 010).
public struct DiscrepancyBook {
    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// One discrepancy as people read it.
    public struct Entry: Codable, Sendable, Equatable {
        public var id: Int64
        public var programID: String
        public var subject: String
        public var subjectKey: String
        public var grantedTier: Int?
        public var foundStatus: String
        public var foundTier: Int?
        public var foundReasons: [String]
        public var runID: Int64
        public var filedAt: String
        public var resolvedAt: String?
        public var resolvedBy: String?
        public var resolutionNote: String?
    }

    /// Every discrepancy (only the unresolved with `openOnly`), of one subject if given, oldest first.
    public func list(openOnly: Bool = false, programID: String? = nil, subjectKey: String? = nil) throws -> [Entry] {
        try entries(where: """
            (NOT $1 OR d.resolved_at IS NULL) AND ($2::text IS NULL OR d.program_id = $2)
              AND ($3::text IS NULL OR d.subject_key = $3)
            """, [openOnly, programID, subjectKey])
    }

    /// Discrepancy `id`, or nil.
    public func entry(_ id: Int64) throws -> Entry? {
        try entries(where: "d.discrepancy_id = $1", [id]).first
    }

    /// The entries `condition` (a constant of this file, over `d`, with bound `parameters`) selects.
    private func entries(where condition: String, _ parameters: [PostgresEncodable?]) throws -> [Entry] {
        try connection.execute("""
            SELECT d.discrepancy_id, d.program_id, coalesce(s.subject, d.subject_key), d.subject_key, d.granted_tier,
                   d.found_status, d.found_tier, d.found_reasons, d.run_id, d.created_at, d.resolved_at, d.resolved_by,
                   d.resolution_note
            FROM recon.discrepancies d
            LEFT JOIN recon.subject_status s ON s.program_id = d.program_id AND s.subject_key = d.subject_key
            WHERE \(condition)
            ORDER BY d.discrepancy_id
            """, parameters).rows.map { row in
            let reasons = try row.decode(7, as: String.self)
            return Entry(id: try row.decode(0), programID: try row.decode(1), subject: try row.decode(2), subjectKey: try row.decode(3),
                         grantedTier: try row.decodeIfPresent(4), foundStatus: try row.decode(5), foundTier: try row.decodeIfPresent(6),
                         foundReasons: reasons.isEmpty ? [] : reasons.split(separator: ";").map(String.init),
                         runID: try row.decode(8), filedAt: try row.decode(9, as: Instant.self).iso8601,
                         resolvedAt: try row.decodeIfPresent(10, as: Instant.self)?.iso8601, resolvedBy: try row.decodeIfPresent(11),
                         resolutionNote: try row.decodeIfPresent(12))
        }
    }

    /// Why a resolution was refused.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Records who resolved discrepancy `id`, and why; refuses an unknown or already resolved one.
    public func resolve(_ id: Int64, by name: String, note: String) throws -> Entry {
        let changed = try connection.execute("""
            UPDATE recon.discrepancies SET resolved_at = now(), resolved_by = $2, resolution_note = $3
            WHERE discrepancy_id = $1 AND resolved_at IS NULL
            """, [id, name, note]).affectedRows
        guard let entry = try entry(id) else { throw Refused(description: "no discrepancy \(id)") }
        guard changed == 1 else {
            throw Refused(description: "discrepancy \(id) was resolved by \(entry.resolvedBy ?? "?") at \(entry.resolvedAt ?? "?")")
        }
        return entry
    }

    /// Unresolved discrepancies: for `status` and the rerun's metrics.
    public func openCount() throws -> Int {
        try connection.execute("SELECT count(*) FROM recon.discrepancies WHERE resolved_at IS NULL")[0].decode(0, as: Int.self)
    }
}

extension DiscrepancyBook.Entry {
    /// One line: `#12 woocommerce:store-9 granted tier 2, found ineligible (account_not_approved), run 7`.
    public var line: String {
        var text = "#\(id) \(programID) \(subject)"
        if let grantedTier { text += " granted tier \(grantedTier)," }
        text += " found \(foundStatus)"
        if let foundTier, foundTier > 0 { text += " tier \(foundTier)" }
        if !foundReasons.isEmpty { text += " (\(foundReasons.joined(separator: ";")))" }
        text += ", rerun \(runID) at \(filedAt)"
        if let resolvedAt { text += "; resolved by \(resolvedBy ?? "?") at \(resolvedAt): \(resolutionNote ?? "")" }
        return text
    }
}
