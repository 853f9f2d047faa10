import Exact
import ReconRules
import XCTest

/// `Subject` keeps its fields in one shared box; it must read back what it was built from and
/// compare by its fields, not by its box.
final class SubjectValueTests: XCTestCase {
    func testAnIntegrationsSubjectCarriesItsFields() {
        let subject = Subject(program: Programs.woo, integration: PartnerCase().integration)
        XCTAssertEqual(subject.programID, Programs.woo.id)
        XCTAssertEqual(subject.key, "integration:10")
        XCTAssertEqual(subject.name, "woocommerce:m-1")
        XCTAssertEqual(subject.integrationID, 10)
        XCTAssertEqual(subject.partner, "woocommerce")
        XCTAssertEqual(subject.merchantID, "m-1")
        XCTAssertNil(subject.promoCode)
        XCTAssertEqual(subject.accountID, 1)
    }

    func testACodesSubjectCarriesItsFields() {
        let subject = Subject(program: Programs.promo, code: PromoCase().code)
        XCTAssertEqual(subject.programID, "promo-jp-10000")
        XCTAssertEqual(subject.key, "code:JP-ABC")
        XCTAssertEqual(subject.name, "JP-ABC")
        XCTAssertEqual(subject.promoCode, "JP-ABC")
        XCTAssertNil(subject.integrationID)
        XCTAssertNil(subject.partner)
        XCTAssertEqual(subject.accountID, 7)
    }

    func testSubjectsBuiltApartCompareByTheirFields() {
        let integration = PartnerCase().integration
        XCTAssertEqual(Subject(program: Programs.woo, integration: integration),
                       Subject(program: Programs.woo, integration: integration))
        var other = integration
        other.merchantID = "m-2"
        XCTAssertNotEqual(Subject(program: Programs.woo, integration: other),
                          Subject(program: Programs.woo, integration: integration))
        other = integration
        other.accountID = 2
        XCTAssertNotEqual(Subject(program: Programs.woo, integration: other),
                          Subject(program: Programs.woo, integration: integration))
    }
}
