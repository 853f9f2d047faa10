// swift-tools-version:6.0
import PackageDescription

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "spend-recon",
    products: [
        .executable(name: "spend-recon", targets: ["spend-recon"]),
        .executable(name: "spend-recon-bench", targets: ["spend-recon-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        // The report's HTML: every interpolated value escaped by the template engine.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // libpq through pkg-config; nothing else lives here.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // Exact instants and decimals shared by the database layer and the rules.
        .target(name: "Exact"),
        // The libpq layer: connections, bound parameters, typed decoding, streaming, COPY.
        .target(name: "PGClient", dependencies: ["CLibPQ", "Exact", logging]),
        // The decision rules: pure values and functions, no I/O.
        .target(name: "ReconRules", dependencies: ["Exact"]),
        // Reads facts in bulk, writes decisions in transactions; owns the migrations.
        .target(name: "ReconStore", dependencies: ["PGClient", "ReconRules", "Exact", logging],
                plugins: ["EmbedSQLPlugin"]),
        // A throwaway PostgreSQL server for the tests and the demo.
        .target(name: "PostgresSandbox", dependencies: ["PGClient", logging]),
        // Deterministic synthetic billing data (demo, benchmark), loaded with COPY.
        .target(name: "SampleData", dependencies: ["PGClient", "Exact"]),
        // The nightly report: the store's aggregates as one self-contained HTML page.
        .target(name: "ReconReport", dependencies: ["ReconStore", "ReconRules", "Exact",
                                                   .product(name: "Mustache", package: "swift-mustache")]),
        // The command tree, as a library so tests can drive it.
        .target(name: "SpendReconApp", dependencies: ["ReconStore", "ReconReport", "ReconRules", "PGClient", "PostgresSandbox",
                                                     "SampleData", "Exact", argumentParser, logging]),
        .executableTarget(name: "spend-recon", dependencies: ["SpendReconApp"]),
        // The benchmark: a laboratory beside the product, with its own executable.
        .target(name: "SpendReconBench", dependencies: ["SpendReconApp", "ReconStore", "PGClient", "PostgresSandbox", "SampleData",
                                                       "Exact", argumentParser, logging]),
        .executableTarget(name: "spend-recon-bench", dependencies: ["SpendReconBench", "SpendReconApp", logging]),

        // Build tool that turns sql/*.sql into a Swift source, so the binary carries its migrations.
        .executableTarget(name: "EmbedSQL"),
        .plugin(name: "EmbedSQLPlugin", capability: .buildTool(), dependencies: ["EmbedSQL"]),

        .testTarget(name: "ExactTests", dependencies: ["Exact"]),
        .testTarget(name: "ReconRulesTests", dependencies: ["ReconRules", "Exact"]),
        .testTarget(name: "PGClientTests", dependencies: ["PGClient", "PostgresSandbox", "Exact", "SampleData", logging]),
        .testTarget(name: "ReconStoreTests", dependencies: ["ReconStore", "ReconReport", "ReconRules", "PGClient", "PostgresSandbox", "SpendReconApp", "SampleData", "Exact", logging]),
        .testTarget(name: "SpendReconBenchTests", dependencies: ["SpendReconBench", "PostgresSandbox", logging]),
    ]
)
