import XCTest

/// `spend-recon-bench` at a small scale: correctness only, never timing. The bench itself fails
/// (exit 70) when a night evaluates the wrong subjects, a repeated night writes anything, or a
/// subject has two grants.
final class BenchSmokeTests: XCTestCase {
    func testBenchRunsAtSmallScaleAndPrintsEveryRatio() throws {
        let run = try runBench(["--scale", "0.002"])
        XCTAssertEqual(run.code, 0, run.err + run.out)
        let lines = run.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("spend-recon-bench: 400 integrations, 20 promo codes") }, run.out)
        for label in ["fifth", "full"] {
            let row = try XCTUnwrap(lines.first { $0.hasPrefix(label + " ") }, run.out)
            XCTAssertTrue(row.contains(" MiB / "), row)
        }
        for ratio in ["run / floor", "next / first night", "RSS full / fifth", "peak RSS"] {
            XCTAssertTrue(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(ratio) }, "\(ratio) missing:\n\(run.out)")
        }
        // Each time is measured three times (the table shows the median); every sample is printed.
        for measure in ["floor", "first night", "next night"] {
            let samples = try XCTUnwrap(lines.first { $0.hasPrefix("\(measure) runs counted") }, run.out)
            XCTAssertEqual(samples.split(separator: " ").filter { ["s", "s,", "s;"].contains($0) }.count, 6, samples)
            XCTAssertTrue(samples.contains("fifth ") && samples.contains("; full "), samples)
        }
        // Each round's floor and nights are measured back to back, and its own ratios printed:
        // three of each ratio per scale.
        let paired = try XCTUnwrap(lines.first { $0.hasPrefix("each round's own ratios") }, run.out)
        for label in ["fifth", "full"] {
            let part = try XCTUnwrap(paired.components(separatedBy: label + " run/floor ").last?.components(separatedBy: ";").first,
                                     paired)
            let values = part.replacingOccurrences(of: "next/first", with: "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(values.count, 6, paired)
            XCTAssertTrue(values.allSatisfy { Double($0).map { $0 > 0 } ?? false }, paired)
        }
        let warmUp = try XCTUnwrap(lines.first { $0.hasPrefix("first night's warm-up run") }, run.out)
        XCTAssertTrue(warmUp.contains("fifth ") && warmUp.contains("full "), warmUp)
        // The load's VACUUM marks the spend tables' pages all-visible (the job's index-only reads
        // depend on it): the share is printed for each table at each scale.
        let visible = try XCTUnwrap(lines.first { $0.hasPrefix("pages all-visible after the load's VACUUM") }, run.out)
        XCTAssertEqual(visible.components(separatedBy: "%").count - 1, 4, visible)
        XCTAssertTrue(visible.contains("fifth ") && visible.contains("full "), visible)
        // So do the first night's decisions before each next night (its read of the final keys
        // is index-only too).
        let decisions = try XCTUnwrap(lines.first { $0.hasPrefix("pages of recon.subject_status all-visible") }, run.out)
        XCTAssertEqual(decisions.components(separatedBy: "%").count - 1, 2, decisions)
        let grants = try XCTUnwrap(lines.first { $0.hasPrefix("first night: ") })
        XCTAssertFalse(grants.hasPrefix("first night: 0 grants"), grants)
        // Without --huge-pages the server keeps PostgreSQL's default, and the header says so.
        let memory = try XCTUnwrap(lines.first { $0.hasPrefix("shared buffers ") }, run.out)
        XCTAssertTrue(memory.contains("in the OS's default pages"), memory)
    }

    /// `--huge-pages` reserves huge pages for the server and gives them back: where the pool
    /// can be written (root on Linux, known before the run), the bench runs in them and the pool
    /// is as before afterwards; where it cannot, the bench stops at once with exit 69, saying
    /// why, and the pool is untouched.
    func testBenchWithHugePagesGivesThePagesBack() throws {
        let poolPath = "/proc/sys/vm/nr_hugepages"
        let before = try? String(contentsOfFile: poolPath, encoding: .utf8)
        let run = try runBench(["--scale", "0.001", "--huge-pages"])
        XCTAssertEqual(try? String(contentsOfFile: poolPath, encoding: .utf8), before, "the pool is back as it was")
        if canReserveHugePages {
            XCTAssertEqual(run.code, 0, run.err + run.out)
            let memory = try XCTUnwrap(run.out.split(separator: "\n").first { $0.hasPrefix("shared buffers ") }, run.out)
            XCTAssertTrue(memory.contains("in huge pages of") && memory.contains("huge_pages = on"), String(memory))
            XCTAssertTrue(run.out.contains("next / first night"), run.out)
        } else {
            XCTAssertEqual(run.code, 69, run.err + run.out)
            XCTAssertTrue(run.err.contains("huge pages unavailable"), run.err)
            XCTAssertFalse(run.out.contains("next / first night"), "stopped before measuring: \(run.out)")
        }
    }

    func testBenchRefusesAScaleItCannotUse() throws {
        for scale in ["0", "-1", "abc", "0.0000001", "1000"] {
            let run = try runBench(["--scale", scale])
            XCTAssertEqual(run.code, 64, "\(scale): \(run.err)")
            XCTAssertTrue(run.err.contains("--scale"), run.err)
        }
    }
}
