import Exact
import PGClient
import ReconRules

/// Streams the support CSV of SPEC section 6 straight from `recon.subject_status`: memory stays
/// flat however many subjects the range holds.
struct SupportExport {
    let connection: Connection

    static let header = [
        "program_id", "subject", "integration_id", "partner", "merchant_id", "promo_code", "account_id", "country",
        "currency", "status", "tier", "credit", "qualifying_spend", "excluded_tax", "excluded_credit", "excluded_unpaid",
        "excluded_before_window", "window_start", "window_end", "reached_at", "due_by", "expires_at", "reasons",
        "explanation", "run_id",
        // Appended after SPEC section 6's: what the subject holds after reruns, and what is open.
        "current_tier", "current_credit", "open_discrepancies",
        // SPEC section 8: the grant's handoff and what the crediting system applied.
        "credit_ref", "settlement_status", "settlement_issues", "applied_amount", "applied_at",
    ]

    struct Filters {
        var status: String?
        var programID: String?
        var accountID: Int64?
        /// `partner:merchant_id`.
        var subject: String?
    }

    /// Writes the header and one line per subject; returns the number of subjects.
    /// `observe` sees each row's cells as well (the demo picks example explanations from them).
    func write(from: Instant, to: Instant, filters: Filters, emit: (String) -> Void,
               observe: (([CSVWriter.Cell]) -> Void)? = nil) throws -> Int {
        emit(CSVWriter.line(Self.header.map { .text($0) }))
        var count = 0
        // A subject's latest evaluation is the run that wrote its row (`w.as_of`, the night's own
        // instant: a final decision's `as_of` and `decided_at` are the earlier instant it became
        // final, so a subject decided tonight may carry a date months back), or for an open
        // subject the last successful nightly run after that one. Every nightly run evaluates
        // every open subject but leaves one whose decision did not change as it is
        // (docs/DECISIONS.md).
        try connection.stream("""
            WITH latest_run AS (
                SELECT run_id, as_of FROM recon.runs WHERE kind = 'run' AND status = 'succeeded'
                ORDER BY run_id DESC LIMIT 1
            )
            SELECT s.program_id, s.subject, s.integration_id, s.partner, s.merchant_id, s.promo_code, s.account_id,
                   s.country, s.currency, s.status, s.tier, s.credit::text, s.qualifying_spend::text,
                   s.excluded_tax::text, s.excluded_credit::text, s.excluded_unpaid::text,
                   s.excluded_before_window::text, s.window_start, s.window_end, s.reached_at, s.due_by, s.expires_at,
                   coalesce((SELECT array_agg(r.reason) FROM recon.ineligibility_reasons r
                             WHERE r.program_id = s.program_id AND r.subject_key = s.subject_key), '{}') AS reasons,
                   s.run_id, s.waiting_for, s.next_tier, s.next_threshold::text,
                   (SELECT max(a.to_tier) FROM recon.adjustments a
                    WHERE a.program_id = s.program_id AND a.subject_key = s.subject_key) AS adjusted_tier,
                   (SELECT (g.credit + coalesce((SELECT sum(a.credit_delta) FROM recon.adjustments a
                                                 WHERE a.grant_id = g.grant_id), 0))::text
                    FROM recon.credit_grants g WHERE g.program_id = s.program_id AND g.subject_key = s.subject_key)
                       AS current_credit,
                   (SELECT string_agg('#' || d.discrepancy_id || ' found ' || d.found_status
                                      || CASE WHEN coalesce(d.found_tier, 0) > 0 THEN ' tier ' || d.found_tier ELSE '' END
                                      || CASE WHEN d.found_reasons <> '' THEN ' (' || d.found_reasons || ')' ELSE '' END,
                                      '; ' ORDER BY d.discrepancy_id)
                    FROM recon.discrepancies d
                    WHERE d.program_id = s.program_id AND d.subject_key = s.subject_key AND d.resolved_at IS NULL)
                       AS open_discrepancies,
                   'grant:' || cg.grant_id AS credit_ref, cs.status AS settlement_status,
                   cs.issues AS settlement_issues, cs.applied_amount::text AS applied_amount, cs.applied_at AS applied_at
            FROM recon.subject_status s
            LEFT JOIN recon.runs w ON w.run_id = s.run_id
            LEFT JOIN recon.credit_grants cg ON cg.program_id = s.program_id AND cg.subject_key = s.subject_key
            LEFT JOIN recon.credit_settlements cs ON cs.credit_ref = 'grant:' || cg.grant_id
            LEFT JOIN latest_run l ON NOT s.final AND l.run_id > s.run_id
            WHERE ((s.window_end >= $1 AND s.window_end < $2) OR (s.decided_at >= $1 AND s.decided_at < $2)
                   OR (coalesce(l.as_of, w.as_of, s.as_of) >= $1 AND coalesce(l.as_of, w.as_of, s.as_of) < $2))
              AND ($3::text IS NULL OR s.status = $3) AND ($4::text IS NULL OR s.program_id = $4)
              AND ($5::bigint IS NULL OR s.account_id = $5) AND ($6::text IS NULL OR s.subject = $6)
            ORDER BY s.program_id, s.subject_key
            """, [from, to, filters.status, filters.programID, filters.accountID, filters.subject]) { row in
            let cells = try Self.cells(row)
            observe?(cells)
            emit(CSVWriter.line(cells))
            count += 1
        }
        return count
    }

    static func cells(_ row: Row) throws -> [CSVWriter.Cell] {
        let currencyCode = try row.decodeIfPresent("currency", as: String.self) ?? ""
        let currency = Currency(code: currencyCode)
        func money(_ column: String) throws -> String? {
            guard let text = try row.decodeIfPresent(column, as: String.self) else { return nil }
            guard let currency, let minor = try? ExactDecimal(parsing: text).minorUnits(exponent: currency.exponent) else { return text }
            return currency.format(minor)
        }
        func time(_ column: String) throws -> Instant? { try row.decodeIfPresent(column, as: Instant.self) }
        let status = Status(rawValue: try row.decode("status", as: String.self)) ?? .pending
        let reasons = (try row.decode("reasons", as: [String].self)).compactMap(Reason.init(rawValue:)).sorted()
        let qualifying = try money("qualifying_spend") ?? "0"
        let nextThreshold = try money("next_threshold")
        var missing: String?
        if let currency, let threshold = nextThreshold,
           let thresholdMinor = try? ExactDecimal(parsing: threshold).minorUnits(exponent: currency.exponent),
           let spentMinor = try? ExactDecimal(parsing: qualifying).minorUnits(exponent: currency.exponent) {
            missing = currency.format(max(0, thresholdMinor - spentMinor))
        }
        let explanation = Explanation.sentence(Explanation.Facts(
            status: status, reasons: reasons, waitingFor: (try row.decodeIfPresent("waiting_for", as: String.self)).flatMap(Waiting.init(rawValue:)),
            currency: currencyCode, tier: try row.decodeIfPresent("tier", as: Int.self), credit: try money("credit"),
            qualifying: qualifying, nextTier: try row.decodeIfPresent("next_tier", as: Int.self), nextThreshold: nextThreshold,
            missingToNext: missing, windowEnd: try time("window_end"), reachedAt: try time("reached_at"), dueBy: try time("due_by"),
            expiresAt: try time("expires_at"), settlement: try settlement(row, money: money)))
        return [
            .text(try row.decode("program_id", as: String.self)), .text(try row.decode("subject", as: String.self)),
            .number((try row.decodeIfPresent("integration_id", as: Int64.self)).map(String.init)), .text(try row.decodeIfPresent("partner", as: String.self)),
            .text(try row.decodeIfPresent("merchant_id", as: String.self)), .text(try row.decodeIfPresent("promo_code", as: String.self)),
            .number(String(try row.decode("account_id", as: Int64.self))), .text(try row.decodeIfPresent("country", as: String.self)),
            .text(currencyCode), .text(status.rawValue), .number((try row.decodeIfPresent("tier", as: Int.self)).map(String.init)),
            .number(try money("credit")), .number(qualifying), .number(try money("excluded_tax")), .number(try money("excluded_credit")),
            .number(try money("excluded_unpaid")), .number(try money("excluded_before_window")), .text(try time("window_start")?.iso8601), .text(try time("window_end")?.iso8601),
            .text(try time("reached_at")?.iso8601), .text(try time("due_by")?.iso8601), .text(try time("expires_at")?.iso8601),
            .text(reasons.map(\.rawValue).joined(separator: ";")), .text(explanation),
            .number(String(try row.decode("run_id", as: Int64.self))),
            .number((try row.decodeIfPresent("adjusted_tier", as: Int.self) ?? (status == .granted ? try row.decodeIfPresent("tier", as: Int.self) : nil))
                .map(String.init)),
            .number(try money("current_credit")), .text(try row.decodeIfPresent("open_discrepancies", as: String.self)),
            .text(try row.decodeIfPresent("credit_ref", as: String.self)), .text(try row.decodeIfPresent("settlement_status", as: String.self)),
            .text(try row.decodeIfPresent("settlement_issues", as: String.self)), .number(try money("applied_amount")),
            .text(try time("applied_at")?.iso8601),
        ]
    }

    /// The grant's settlement as the explanation words it; nil without one.
    static func settlement(_ row: Row, money: (String) throws -> String?) throws -> Explanation.SettlementFacts? {
        guard let status = (try row.decodeIfPresent("settlement_status", as: String.self)).flatMap(Settlement.Status.init(rawValue:))
        else { return nil }
        let issues = (try row.decodeIfPresent("settlement_issues", as: String.self) ?? "").split(separator: ";")
            .compactMap { Settlement.Issue(rawValue: String($0)) }
        return Explanation.SettlementFacts(status: status, issues: issues, appliedAmount: try money("applied_amount") ?? "0",
                                           appliedAt: try row.decodeIfPresent("applied_at", as: Instant.self))
    }
}
