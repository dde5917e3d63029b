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
        .target(
            name: "SyncDiagnosis",
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
        .executableTarget(name: "EmbedRules", swiftSettings: strict),
        .plugin(name: "EmbedRulesPlugin", capability: .buildTool(), dependencies: ["EmbedRules"]),
        .testTarget(name: "SyncDiagnosisTests", dependencies: ["SyncDiagnosis"], swiftSettings: strict),
        .testTarget(
            name: "DiagnoseCommandTests",
            dependencies: ["DiagnoseCommand", "SyncDiagnosis"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)
