import Exact
@testable import ReconStore
import Foundation
import PGClient
import ReconRules
import XCTest

/// The digest that tells a changed open decision from an unchanged one (`DecisionDigest`).
final class DecisionDigestTests: XCTestCase {
    /// SipHash-2-4-128 against known answers of the reference implementation: key 00…0f, message
    /// the first n bytes of 00, 01, 02, … (lengths around each 8-byte block boundary).
    func testSipHash128MatchesTheReferenceVectors() {
        let known: [Int: String] = [
            0: "a3817f04ba25a8e66df67214c7550293",
            1: "da87c1d86b99af44347659119b22fc45",
            7: "a1f1ebbed8dbc153c0b84aa61ff08239",
            8: "3b62a9ba6258f5610f83e264f31497b4",
            15: "5493e99933b0a8117e08ec0f97cfc3d9",
            63: "5150d1772f50834a503e069a973fbd7c",
        ]
        let key0 = UInt64(0x0706_0504_0302_0100), key1 = UInt64(0x0f0e_0d0c_0b0a_0908)
        for (length, expected) in known {
            let message = (0..<length).map { UInt8($0) }
            let (first, second) = message.withUnsafeBytes { SipHash128.hash($0, key0: key0, key1: key1) }
            let bytes = withUnsafeBytes(of: (first.littleEndian, second.littleEndian)) { Array($0) }
            XCTAssertEqual(bytes.map { String(format: "%02x", $0) }.joined(), expected, "length \(length)")
        }
    }

    /// The stored form reads back as the same digest; NULL and any other length read as none.
    func testAStoredDigestReadsBackAndOtherLengthsAreNone() {
        let digest = [UInt8]("a decision".utf8).withUnsafeBytes { DecisionDigest(of: $0) }
        let stored = digest.withBytes { Array($0) }
        XCTAssertEqual(stored.count, 16)
        XCTAssertEqual(stored.withUnsafeBytes { DecisionDigest(stored: $0) }, digest)
        XCTAssertNil(DecisionDigest(stored: nil))
        XCTAssertNil(Array(stored.prefix(15)).withUnsafeBytes { DecisionDigest(stored: $0) })
        XCTAssertNil((stored + [0]).withUnsafeBytes { DecisionDigest(stored: $0) })
    }

    /// The digest's input marks each value with its type and a text with its length: a NULL and
    /// an empty text, one text split differently over two columns, a NULL and a zero, or the same
    /// minor units at another exponent, are different inputs and get different digests.
    func testEveryValueIsDigestedWithItsTypeAndLength() {
        func digest(_ fill: (inout DecisionDigest.Input) -> Void) -> DecisionDigest {
            var input = DecisionDigest.Input()
            input.text("left over from the decision before")
            input.reset()
            fill(&input)
            return input.bytes.withUnsafeBytes { DecisionDigest(of: $0) }
        }
        var input = DecisionDigest.Input()
        input.text("ab"); input.text(nil); input.text(""); input.int64(7); input.money(1230, exponent: 2)
        XCTAssertEqual(input.bytes, [1, 2, 0, 0, 0, 97, 98, 0, 1, 0, 0, 0, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0,
                                     7, 2, 0xce, 4, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(digest { $0.text("ab"); $0.text(nil) }, digest { $0.text("ab"); $0.text(nil) })
        XCTAssertNotEqual(digest { $0.text("ab"); $0.text(nil) }, digest { $0.text("ab"); $0.text("") })
        XCTAssertNotEqual(digest { $0.text("ab"); $0.text("") }, digest { $0.text("a"); $0.text("b") })
        XCTAssertNotEqual(digest { $0.int64(nil) }, digest { $0.int64(0) })
        XCTAssertNotEqual(digest { $0.bool(false) }, digest { $0.bool(nil) })
        XCTAssertNotEqual(digest { $0.money(1230, exponent: 2) }, digest { $0.money(1230, exponent: 0) })
        XCTAssertNotEqual(digest { $0.int32(1) }, digest { $0.int64(1) })
        // One bit anywhere changes it.
        let base = [UInt8](repeating: 0x5a, count: 300)
        let reference = base.withUnsafeBytes { DecisionDigest(of: $0) }
        for index in stride(from: 0, to: base.count, by: 7) {
            var flipped = base
            flipped[index] ^= 1
            XCTAssertNotEqual(flipped.withUnsafeBytes { DecisionDigest(of: $0) }, reference, "byte \(index)")
        }
    }

    /// Every stored column of a decision is in its digest: a decision that differs from another
    /// in any one of them has another digest; one that differs in `as_of` alone has the same.
    func testEveryStoredColumnOfADecisionIsInItsDigest() throws {
        let f = try StoreFixture()
        try f.populate(subjects: 30)
        let decisions = try f.evaluateEverySubject(asOf: t("2025-12-11")).decisions
        let base = try XCTUnwrap(decisions.first { $0.window != nil && $0.nextTier != nil })
        let other = try XCTUnwrap(decisions.first { $0.subject.key != base.subject.key })
        var input = DecisionDigest.Input()
        let reference = DecisionDigest(of: base, using: &input)
        let instant = t("2030-01-01")
        let tier = try XCTUnwrap(base.nextTier)
        let variants: [(String, (inout Decision) -> Void)] = [
            ("subject", { $0.subject = other.subject }),
            ("status", { $0.status = .thresholdNotReached }),
            ("final", { $0.isFinal.toggle() }),
            ("waiting for", { $0.waitingFor = $0.waitingFor == nil ? .cash : nil }),
            ("country", { $0.country += "X" }),
            ("currency", { $0.currency = Currency(code: "JPY")! }),
            ("granted tier", { $0.status = .granted; $0.tier = tier }),
            ("qualifying", { $0.spend.qualifying += 1 }),
            ("excluded tax", { $0.spend.excludedTax += 1 }),
            ("excluded credit", { $0.spend.excludedCredit += 1 }),
            ("excluded unpaid", { $0.spend.excludedUnpaid += 1 }),
            ("excluded before window", { $0.spend.excludedBeforeWindow += 1 }),
            ("next tier", { $0.nextTier = nil }),
            ("window start", { $0.window?.start = instant }),
            ("window end", { $0.window?.end = instant }),
            ("cutoff", { $0.window?.cutoff = instant }),
            ("no window", { $0.window = nil }),
            ("reached at", { $0.reachedAt = instant }),
            ("due by", { $0.dueBy = instant }),
            ("expires at", { $0.expiresAt = instant }),
            ("decided at", { $0.decidedAt = instant }),
        ]
        for (name, change) in variants {
            var changed = base
            change(&changed)
            XCTAssertNotEqual(DecisionDigest(of: changed, using: &input), reference, name)
        }
        // The granted tier and its credit on their own (the variant above changes the status too).
        var granted = base
        granted.status = .granted
        granted.tier = tier
        var higher = granted
        higher.tier = Tier(country: tier.country, currency: tier.currency, level: tier.level + 1, threshold: tier.threshold,
                           credit: tier.credit)
        var richer = granted
        richer.tier = Tier(country: tier.country, currency: tier.currency, level: tier.level, threshold: tier.threshold,
                           credit: tier.credit + 1)
        let grantedDigest = DecisionDigest(of: granted, using: &input)
        XCTAssertNotEqual(DecisionDigest(of: higher, using: &input), grantedDigest, "tier")
        XCTAssertNotEqual(DecisionDigest(of: richer, using: &input), grantedDigest, "credit")
        var later = base
        later.asOf = instant
        XCTAssertEqual(DecisionDigest(of: later, using: &input), reference, "as_of is not a decision column")
    }
}
