import Foundation
import Testing

/// The real executable, copied away from the source tree: the built-in rules travel inside it.
struct BinaryTests {
    /// `diagnose`, built next to the test bundle.
    static var builtBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("diagnose")
    }

    @Test func aCopiedBinaryDiagnosesFromAnotherDirectory() throws {
        let binary = Self.builtBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no diagnose binary at \(binary.path)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("diagnose-copy-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("diagnose")
        try FileManager.default.copyItem(at: binary, to: copy)

        let process = Process()
        process.executableURL = copy
        process.arguments = ["--format", "json", "A limit on the number of snapshot records is exceeded (10000/10040/0)"]
        process.currentDirectoryURL = folder
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        #expect(process.terminationStatus == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let best = try #require((json["findings"] as? [[String: Any]])?.first)
        #expect(best["category"] as? String == "limit-exceeded")
        #expect((best["facts"] as? [String: String])?["count"] == "10040")
    }
}
