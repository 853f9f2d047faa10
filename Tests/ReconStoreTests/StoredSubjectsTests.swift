@testable import ReconStore
import Exact
import ReconRules
import XCTest

/// The stored-key set holds integration keys as ids. A key maps one way only: only the exact
/// text `Integration.subjectKey` writes becomes an id; anything else stays text and never
/// matches an integration, so no subject can be mistaken for another.
final class StoredSubjectsTests: XCTestCase {
    func testOnlyTheCanonicalIntegrationKeyBecomesAnId() {
        XCTAssertEqual(StoredSubjects.Key("integration:42"), .integration(42))
        XCTAssertEqual(StoredSubjects.Key("integration:-5"), .integration(-5))
        XCTAssertEqual(StoredSubjects.Key("integration:0"), .integration(0))
        XCTAssertEqual(StoredSubjects.Key("integration:9223372036854775807"), .integration(Int64.max))
        for odd in ["integration:007", "integration:+5", "integration:", "integration:-0", "integration:4 ",
                    "integration:9223372036854775808", "integrations:5", "code:integration:5", "Integration:5"] {
            XCTAssertEqual(StoredSubjects.Key(odd), .text(odd), odd)
        }
    }

    /// The in-place check the night's key read uses agrees with `Key(_:)` on every text, the odd
    /// ones included, whichever id the row carries.
    func testTheInPlaceKeyCheckAgreesWithTheTextMapping() {
        let texts = ["integration:42", "integration:-5", "integration:0", "integration:9223372036854775807",
                     "integration:-9223372036854775808", "integration:007", "integration:+5", "integration:", "integration:-0",
                     "integration:4 ", "integration:9223372036854775808", "integrations:5", "code:integration:5",
                     "Integration:5", "integration:5", "integration:55", "x"]
        let ids: [Int64] = [42, -5, 0, .max, .min, 7, 5, 4, 55, -42, 4_200]
        for text in texts {
            for id in ids {
                let inPlace = Array(text.utf8).withUnsafeBytes { StoredSubjects.Key.isKey($0, ofIntegration: id) }
                XCTAssertEqual(inPlace, StoredSubjects.Key(text) == .integration(id), "\(text) \(id)")
            }
        }
    }

    func testStoredAndFinalKeysMatchTheSubjectsThatWroteThem() throws {
        let setUp = try XCTUnwrap(Instant(iso8601: "2026-01-01T00:00:00Z"))
        let integration = Integration(id: 1_234_567, merchantID: "m-1", storeCountry: "US", accountID: 9,
                                      setUpAt: setUp, firstCampaignAt: nil)
        let other = Integration(id: 7, merchantID: "m-2", storeCountry: "US", accountID: 9, setUpAt: setUp, firstCampaignAt: nil)
        let program = Program(id: "woocommerce-us-uk", kind: .partnerSpendMatch, partners: ["woocommerce"], markets: ["US"],
                              windowDays: 30, grantSLADays: 7, tiers: [])
        var stored = StoredSubjects()
        stored.insert(program: program.id, subject: integration.subjectKey, final: true)
        stored.insert(program: program.id, subject: "integration:007", final: false)
        stored.insert(program: program.id, subject: "code:ABC", final: false)
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored.standing(of: Subject(program: program, integration: integration)), .final)
        // "integration:007" is not integration 7's key.
        XCTAssertEqual(stored.standing(of: Subject(program: program, integration: other)), .absent)
        var otherProgram = program
        otherProgram.id = "another"
        XCTAssertEqual(stored.standing(of: Subject(program: otherProgram, integration: integration)), .absent)
        // An open subject: with its stored digest, or none when it has none.
        let digest = [UInt8]("stored".utf8).withUnsafeBytes { DecisionDigest(of: $0) }
        let row = StoredSubjects.OpenRow(digest: digest, standingObserved: true)
        stored.open.insert(program: program.id, key: .integration(7), row: row)
        XCTAssertEqual(stored.standing(of: Subject(program: program, integration: other)), .open(row))
        stored.open.insert(program: program.id, key: .integration(7), row: StoredSubjects.OpenRow())
        XCTAssertEqual(stored.standing(of: Subject(program: program, integration: other)),
                       .open(StoredSubjects.OpenRow(digest: nil, standingObserved: false)), "unknown: no digest, standing not seen")
    }
}
