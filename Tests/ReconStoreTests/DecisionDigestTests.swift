@testable import ReconStore
import Foundation
import PGClient
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

    /// The digest is taken over the fields as COPY carries them, each with its length (-1 for
    /// NULL): a NULL and an empty value, or one text split differently over two fields, are
    /// different inputs and get different digests.
    func testFieldsAreDigestedWithTheirLengths() {
        func digest(_ fields: [String?]) -> DecisionDigest {
            var writer = BinaryCopyInWriter.reusable()
            writer.text("left over from the row before")
            writer.reset()
            for field in fields { writer.text(field) }
            return writer.withBytes(from: 0) { DecisionDigest(of: $0) }
        }
        var writer = BinaryCopyInWriter.reusable()
        writer.text("ab"); writer.text(nil); writer.text(""); writer.int64(7)
        XCTAssertEqual(writer.withBytes(from: 0) { Array($0) },
                       [0, 0, 0, 2, 97, 98, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7])
        XCTAssertEqual(digest(["ab", nil]), digest(["ab", nil]))
        XCTAssertNotEqual(digest(["ab", nil]), digest(["ab", ""]))
        XCTAssertNotEqual(digest(["ab", ""]), digest(["a", "b"]))
        XCTAssertNotEqual(digest(["ab"]), digest(["ab", nil]))
        // One bit anywhere changes it.
        let base = [UInt8](repeating: 0x5a, count: 300)
        let reference = base.withUnsafeBytes { DecisionDigest(of: $0) }
        for index in stride(from: 0, to: base.count, by: 7) {
            var flipped = base
            flipped[index] ^= 1
            XCTAssertNotEqual(flipped.withUnsafeBytes { DecisionDigest(of: $0) }, reference, "byte \(index)")
        }
    }
}
