import Foundation

/// The text of one rule file and where it came from.
public struct RuleSource: Sendable {
    /// The path shown in messages, e.g. `Rules/sap-c4c/ews-url-not-found.json`.
    public var path: String
    /// The file's bytes.
    public var contents: [UInt8]

    /// A rule file's path and contents.
    public init(path: String, contents: [UInt8]) {
        self.path = path
        self.contents = contents
    }

    /// A rule file's path and text.
    public init(path: String, contents: String) {
        self.init(path: path, contents: Array(contents.utf8))
    }

    /// The id a file at this path must declare: `<folder>.<file name without .json>`.
    var expectedID: String {
        let parts = path.split(separator: "/")
        let stem = String((parts.last ?? "").dropLast(".json".count))
        guard parts.count >= 2 else { return stem }
        return "\(parts[parts.count - 2]).\(stem)"
    }

    /// The folder the file sits in: the rule's system.
    var folder: String? {
        let parts = path.split(separator: "/")
        return parts.count >= 2 ? String(parts[parts.count - 2]) : nil
    }

    /// Reads every `*.json` file under `directory`, sorted by path; paths
    /// are shown as the folder was named, followed by the path inside it.
    package static func files(in directory: String) throws(RuleLoadError) -> [RuleSource] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              let relativePaths = try? FileManager.default.subpathsOfDirectory(atPath: directory)
        else {
            throw RuleLoadError(problems: [.init(file: directory, field: "", message: "no such rules folder")])
        }
        var root = directory
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        var sources: [RuleSource] = []
        var problems: [RuleLoadError.Problem] = []
        for relative in relativePaths.sorted() where relative.hasSuffix(".json") {
            let path = root + "/" + relative
            if let data = FileManager.default.contents(atPath: path) {
                sources.append(RuleSource(path: path, contents: Array(data)))
            } else {
                problems.append(.init(file: path, field: "", message: "the file cannot be read"))
            }
        }
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        return sources
    }

    /// The rule files of each folder, in order; every folder that cannot be read is reported.
    package static func layers(in directories: [String]) throws(RuleLoadError) -> [[RuleSource]] {
        var layers: [[RuleSource]] = []
        var problems: [RuleLoadError.Problem] = []
        for directory in directories {
            do { layers.append(try files(in: directory)) } catch { problems += error.problems }
        }
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        return layers
    }
}
