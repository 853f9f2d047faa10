import Exact
import Foundation
import PGClient
@testable import SpendReconApp

/// Checks made after every night of the simulation, beside `SimulationInvariants`: what one night
/// wrote must agree with a fresh night at the same instant, and must be in that night's export.
enum SimulationNightChecks {
    /// Every decision, keyed by `program|subject_key`, with the columns that make it (and
    /// `final`), so that a subject final in one database can be compared with the same subject
    /// in another.
    static let decisions = """
        SELECT s.program_id || '|' || s.subject_key,
               format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', s.final, s.status, s.tier, s.credit,
                      s.qualifying_spend, s.excluded_tax, s.excluded_credit, s.excluded_unpaid, s.excluded_before_window,
                      s.window_start, s.window_end, s.reached_at, s.due_by, s.decided_at,
                      (SELECT string_agg(r.reason, ';' ORDER BY r.reason) FROM recon.ineligibility_reasons r
                       WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key)),
               s.final
        FROM recon.subject_status s
        """

    static func decisions(_ db: Connection, finalOnly: Bool) throws -> [String: String] {
        var lines: [String: String] = [:]
        for row in try db.execute(decisions).rows {
            if finalOnly, try !row.decode(2, as: Bool.self) { continue }
            lines[try row.decode(0, as: String.self)] = try row.decode(1, as: String.self)
        }
        return lines
    }

    /// (a) Each subject final after a night equals what a single fresh night at the same
    /// instant writes for it (`fresh`: every decision of that night, final or not).
    static func finalAgreeWithFreshNight(_ db: Connection, fresh: [String: String]) throws -> [String] {
        var failures: [String] = []
        for (key, line) in try decisions(db, finalOnly: true).sorted(by: { $0.key < $1.key }) where fresh[key] != line {
            failures.append("final \(key) is \(line), a fresh night writes \(fresh[key] ?? "nothing")")
            if failures.count == 3 { break }
        }
        return failures
    }

    /// (c) The export of `[night, night + 1 day)` holds every subject the night's run wrote.
    static func exportHoldsTonight(_ db: Connection, night: Instant) throws -> [String] {
        guard let runID = try db.execute("SELECT max(run_id) FROM recon.runs WHERE kind = 'run'")[0].decodeIfPresent(0, as: Int64.self)
        else { return [] }
        let written = Set(try db.execute("SELECT program_id || '|' || subject_key FROM recon.subject_status WHERE run_id = $1",
                                         [runID]).rows.map { try $0.decode(0, as: String.self) })
        var exported = Set<String>()
        _ = try SupportExport(connection: db).write(from: night, to: night.adding(days: 1), filters: .init(), emit: { _ in }) { cells in
            func value(_ cell: CSVWriter.Cell) -> String? {
                switch cell {
                case let .text(text), let .number(text): return text.flatMap { $0.isEmpty ? nil : $0 }
                }
            }
            guard let program = value(cells[0]) else { return }
            if let integration = value(cells[2]) {
                exported.insert("\(program)|integration:\(integration)")
            } else if let code = value(cells[5]) {
                exported.insert("\(program)|code:\(code)")
            }
        }
        let missing = written.subtracting(exported)
        return missing.isEmpty ? [] : ["the export of the night's day misses \(missing.count) subjects it wrote: \(missing.sorted().prefix(3))"]
    }
}
