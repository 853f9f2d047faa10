import XCTest

/// A final decision is recorded as it stood at the earliest instant it was final, so it is the
/// same whichever nights ran before it (docs/DECISIONS.md, "Final decisions do not depend on
/// the cadence"). Two fixtures with the same billing data, different nights, same tables.
final class CadenceTests: XCTestCase {
    func twoCadences(_ setUp: (StoreFixture) throws -> Void, nightly: [String], late: String) throws -> (StoreFixture, StoreFixture) {
        let everyNight = try StoreFixture("cadence-nightly")
        let oneNight = try StoreFixture("cadence-once")
        for f in [everyNight, oneNight] { try setUp(f) }
        for night in nightly { try everyNight.run(asOf: night) }
        try oneNight.run(asOf: late)
        assertSameSnapshot(try everyNight.snapshot(), try oneNight.snapshot())
        return (everyNight, oneNight)
    }

    func testTopTierReachedBeforeAConflictingEnrolmentIsGrantedHoweverLateTheFirstNight() throws {
        let (nightly, once) = try twoCadences({ f in
            try f.account(1)
            try f.integration(101, merchant: "m", account: 1)
            try f.bill(1, account: 1, at: "2025-11-05T10:00:00Z", amount: "5000.00")
            try f.bill(2, account: 1, at: "2025-11-20T10:00:00Z", amount: "100.00")
            try f.enroll(1, "new_advertiser_incentive", at: "2025-11-10T00:00:00Z")
        }, nightly: ["2025-11-06", "2025-11-11", "2025-12-20"], late: "2025-12-20")
        for f in [nightly, once] {
            XCTAssertEqual(try f.status("integration:101")?.status, "granted")
            XCTAssertEqual(try f.status("integration:101")?.tier, 3)
            XCTAssertEqual(try f.status("integration:101")?.reasons, [])
            // Spend as it stood when the grant fell: the later 100.00 is not part of it.
            XCTAssertEqual(try f.count("SELECT count(*) FROM recon.credit_grants WHERE qualifying_spend = 5000.00"), 1)
        }
    }

    func testAFinalIneligibilityListsTheReasonsOfTheInstantItBecameFinal() throws {
        let (nightly, once) = try twoCadences({ f in
            try f.account(1, origin: "reseller")
            try f.integration(101, merchant: "m", account: 1)
            try f.enroll(1, "new_advertiser_incentive", at: "2025-11-10T00:00:00Z")
        }, nightly: ["2025-11-02", "2025-11-20", "2025-12-20"], late: "2025-12-20")
        for f in [nightly, once] {
            XCTAssertEqual(try f.status("integration:101")?.reasons, ["account_origin_not_eligible"])
            XCTAssertEqual(try f.count("""
                SELECT count(*) FROM recon.subject_status WHERE decided_at = '2025-11-01T00:00:00Z' AND as_of = decided_at
                """), 1, "decided at the set-up, where the origin already ruled it out")
        }
    }
}
