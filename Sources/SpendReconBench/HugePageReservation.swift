import Foundation
import Logging

/// Huge pages added to the kernel's pool (`vm.nr_hugepages`, Linux, as root) for a server's
/// shared memory while it runs, and given back afterwards.
///
/// Why: every server process maps the shared buffers itself, and each 4 kB page it touches
/// for the first time is a page fault. A later night's job opens four connections whose server
/// processes touch tens of thousands of buffer pages each, and those faults are a real share of
/// their CPU (docs/PERFORMANCE.md). In 2 MB pages there are 512 times fewer. PostgreSQL's default
/// `huge_pages = try` uses them whenever the pool has enough, which a database host is set up
/// to have; a development machine's pool is usually empty (docs/PERFORMANCE.md).
public final class HugePageReservation {
    /// The size of one huge page, in kB.
    public let pageKiB: Int
    /// The pages the pool held before, restored by `release()`.
    public let previousPool: Int
    /// The pages the pool holds now.
    public let pool: Int
    private let logger: Logger
    private var released = false

    static let poolPath = "/proc/sys/vm/nr_hugepages"
    static let meminfoPath = "/proc/meminfo"

    /// Grows the pool until `pages` of it are free (not already used or promised to another
    /// mapping). Throws, leaving the pool as it was, when the pool cannot be written (not root,
    /// not Linux, a read-only `/proc/sys`) or the kernel finds fewer free pages than asked.
    public convenience init(pages: Int, logger: Logger) throws {
        try self.init(pagesOfKiB: { _ in pages }, logger: logger)
    }

    /// The same for a server with `sharedBuffersMB` of shared buffers (`pages(forSharedBuffersMB:pageKiB:)`
    /// in this system's huge page size).
    public convenience init(sharedBuffersMB: UInt64, logger: Logger) throws {
        try self.init(pagesOfKiB: { Self.pages(forSharedBuffersMB: sharedBuffersMB, pageKiB: $0) }, logger: logger)
    }

    /// `pagesOfKiB` gives the pages wanted in this system's huge page size, read once here.
    private init(pagesOfKiB: (Int) -> Int, logger: Logger) throws {
        self.logger = logger
        let before = try Self.meminfo()
        guard let pageKiB = before["Hugepagesize"], pageKiB > 0 else {
            throw HugePageError("this system reports no huge page size in \(Self.meminfoPath)")
        }
        self.pageKiB = pageKiB
        let pages = pagesOfKiB(pageKiB)
        previousPool = try Self.readPool()
        let available = (before["HugePages_Free"] ?? 0) - (before["HugePages_Rsvd"] ?? 0)
        let target = previousPool + max(0, pages - available)
        if target != previousPool { try Self.writePool(target) }
        pool = try Self.readPool()
        let after = try Self.meminfo()
        let free = (after["HugePages_Free"] ?? 0) - (after["HugePages_Rsvd"] ?? 0)
        guard free >= pages else {
            try? Self.writePool(previousPool)
            throw HugePageError("the kernel found \(free) free huge pages of the \(pages) asked for (memory too fragmented?)")
        }
        logger.info("huge pages reserved", metadata: ["pages": "\(pages)", "pool": "\(pool)", "previous_pool": "\(previousPool)"])
    }

    /// The pages a server with `sharedBuffersMB` of shared buffers maps: the buffers, and a
    /// sixteenth more plus 128 MB for the rest of its shared memory (the bench's PostgreSQL 15
    /// server with 4 GB of buffers maps 4,212 MB, `shared_memory_size_in_huge_pages` 2,106 of
    /// 2 MB; this asks for 2,240), rounded up.
    public static func pages(forSharedBuffersMB sharedBuffersMB: UInt64, pageKiB: Int) -> Int {
        let kib = (sharedBuffersMB + sharedBuffersMB / 16 + 128) * 1024
        return Int((kib + UInt64(pageKiB) - 1) / UInt64(pageKiB))
    }

    /// The pool back at its size before (untouched when it already had the pages free). Pages
    /// a running server still uses are freed by the kernel once it stops. Safe to call twice.
    public func release() {
        guard !released else { return }
        released = true
        guard pool != previousPool else { return }
        do {
            try Self.writePool(previousPool)
        } catch {
            logger.error("could not give the huge pages back; set it by hand",
                         metadata: ["setting": "vm.nr_hugepages", "value": "\(previousPool)", "error": "\(error)"])
        }
    }

    deinit { release() }

    /// The numbers of `/proc/meminfo` by name (`HugePages_Free`, `Hugepagesize` in kB, ...).
    static func meminfo() throws -> [String: Int] {
        guard let text = try? String(contentsOfFile: meminfoPath, encoding: .utf8) else {
            throw HugePageError("cannot read \(meminfoPath): huge pages are a Linux feature")
        }
        return parseMeminfo(text)
    }

    static func parseMeminfo(_ text: String) -> [String: Int] {
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let number = line[line.index(after: colon)...].split(separator: " ").first.flatMap { Int($0) }
            if let number { values[String(line[..<colon])] = number }
        }
        return values
    }

    static func readPool() throws -> Int {
        guard let text = try? String(contentsOfFile: poolPath, encoding: .utf8),
              let pages = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HugePageError("cannot read \(poolPath)")
        }
        return pages
    }

    static func writePool(_ pages: Int) throws {
        guard let handle = FileHandle(forWritingAtPath: poolPath) else {
            throw HugePageError("cannot write \(poolPath) (huge pages are reserved as root, with a writable /proc/sys)")
        }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("\(pages)\n".utf8))
        } catch {
            throw HugePageError("cannot write \(poolPath): \(error.localizedDescription)")
        }
    }
}

/// Why huge pages could not be reserved.
public struct HugePageError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
