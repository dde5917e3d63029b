// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "SyncDiagnosis",
    products: [
        .library(name: "SyncDiagnosis", targets: ["SyncDiagnosis"]),
        .executable(name: "diagnose", targets: ["diagnose"]),
        .executable(name: "diagnose-bench", targets: ["diagnose-bench"]),
    ],
    targets: [
        // The engine and the public API; the product re-exports it.
        .target(name: "SyncDiagnosisCore", swiftSettings: strict),
        // The product: the engine with the package's Rules/ compiled in.
        .target(
            name: "SyncDiagnosis",
            dependencies: ["SyncDiagnosisCore"],
            swiftSettings: strict,
            plugins: ["EmbedRulesPlugin"]
        ),
        .target(name: "DiagnoseCommand", dependencies: ["SyncDiagnosis"], swiftSettings: strict),
        .executableTarget(name: "diagnose", dependencies: ["DiagnoseCommand"], swiftSettings: strict),
        .executableTarget(
            name: "diagnose-bench",
            dependencies: ["SyncDiagnosis"],
            path: "Benchmarks/diagnose-bench",
            swiftSettings: strict
        ),
        .executableTarget(name: "EmbedRules", dependencies: ["SyncDiagnosisCore"], swiftSettings: strict),
        .plugin(name: "EmbedRulesPlugin", capability: .buildTool(), dependencies: ["EmbedRules"]),
        .testTarget(name: "SyncDiagnosisTests", dependencies: ["SyncDiagnosis", "SyncDiagnosisCore"], swiftSettings: strict),
        .testTarget(
            name: "DiagnoseCommandTests",
            dependencies: ["DiagnoseCommand", "SyncDiagnosis"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)
