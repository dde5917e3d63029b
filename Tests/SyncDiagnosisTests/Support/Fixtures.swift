import Foundation
import SyncDiagnosis
@testable import SyncDiagnosisCore

/// Paths and builders the tests share.
enum Fixtures {
    /// The package's root folder, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let rulesFolder = packageRoot.appendingPathComponent("Rules").path

    /// The knowledge base built from the Rules/ folder on disk.
    static let repositoryRules: Result<KnowledgeBase, RuleLoadError> = Result { () throws(RuleLoadError) in
        try KnowledgeBase.load(directories: [rulesFolder], includingBuiltIn: false)
    }

    /// A minimal valid rule file for `id` with the given match condition (JSON text).
    static func rule(
        _ id: String, match: String, examples: String? = nil, category: String = "auth",
        priority: Int = 0, cause: String = "Something failed."
    ) -> String {
        let system = id.split(separator: ".").first.map(String.init) ?? ""
        return """
        {
          "id": "\(id)", "title": "Test rule \(id)", "status": "stable", "system": "\(system)",
          "category": "\(category)", "scope": "record", "retryable": false, "action": "update-credentials",
          "priority": \(priority),
          "match": \(match),
          "cause": "\(cause)", "remediation": ["Do the thing."], "references": ["seed:test"],
          "examples": \(examples ?? #"{"match": ["placeholder"]}"#)
        }
        """
    }

    /// A knowledge base made of the given rules only; rule ids give the paths.
    static func knowledge(_ rules: [(id: String, json: String)]) throws(RuleLoadError) -> KnowledgeBase {
        try KnowledgeBase(layers: [rules.map { RuleSource(path: path(for: $0.id), contents: $0.json) }])
    }

    static func path(for id: String) -> String {
        let parts = id.split(separator: ".", maxSplits: 1)
        return "Rules/\(parts[0])/\(parts.count > 1 ? parts[1] : "x").json"
    }

    /// Problems from loading one rule file.
    static func problems(loading json: String, at path: String) -> [RuleLoadError.Problem] {
        do {
            _ = try KnowledgeBase(layers: [[RuleSource(path: path, contents: json)]])
            return []
        } catch {
            return error.problems
        }
    }
}
