import Foundation
import XCTest

/// Peak memory of a run over 1,000,000 spend rows: the rows stream account by account, so the
/// peak must stay far below what holding them would take. A memory measurement, not a timing.
final class MemoryBenchmarkTests: XCTestCase {
    /// Resets the kernel's peak-RSS mark for this process (`/proc/self/clear_refs`, "5").
    func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

    func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        }
        return 0
    }

    func testAMillionSpendRowsDoNotStayInMemory() throws {
        let f = try StoreFixture()
        let accounts = 20_000
        try f.db.executeScript("""
            INSERT INTO billing.ad_accounts
            SELECT g, 'US', 'USD', 'self_serve', 'approved', false, false, 'manual', '2025-01-01Z', '2025-11-02Z'
            FROM generate_series(1, \(accounts)) g;
            INSERT INTO billing.partner_integrations
            SELECT g, 'woocommerce', 'm-' || g, 'US', g, true, '2025-11-01Z', '2025-11-03Z' FROM generate_series(1, \(accounts)) g;
            INSERT INTO billing.billed_spend
            SELECT n, 1 + n % \(accounts), 'USD', '2025-11-02Z'::timestamptz + (n % 2500) * interval '17 minutes',
                   (n % 9000) / 100.0 + 1, (n % 7) / 10.0, 0, CASE WHEN n % 10 = 0 THEN NULL ELSE '2025-11-30Z'::timestamptz END
            FROM generate_series(1, 1000000) n;
            ANALYZE;
            """)
        let before = status("VmRSS")
        resetPeak()
        let summary = try f.run(asOf: "2025-12-10")
        let peak = max(status("VmHWM"), status("VmRSS"))
        let growth = peak - before
        print("memory benchmark: 1,000,000 spend rows, \(summary.evaluated) subjects; RSS before \(before >> 20) MiB, peak \(peak >> 20) MiB, growth \(growth >> 20) MiB")
        XCTAssertEqual(summary.evaluated, accounts)
        XCTAssertEqual(summary.statuses.values.reduce(0, +), accounts)
        // 1,000,000 rows held as decoded values would take several hundred MiB.
        XCTAssertLessThan(growth, 96 << 20)
    }
}
