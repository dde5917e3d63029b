/// One piece of knowledge: how to recognise a failure and what to do about it.
///
/// Rules are written as JSON files (see `Rules/README.md`) and loaded into a
/// ``KnowledgeBase``; a loaded rule is immutable.
public struct Rule: Sendable, Identifiable {
    /// A match example: a message that must yield this rule first, with the facts it must capture.
    public struct Example: Sendable, Equatable {
        /// The message text.
        public var text: String
        /// The facts the example must capture (name to value); empty when not stated.
        public var facts: [String: String]
    }

    /// The rule's id, `<system>.<slug>`, equal to its path under the rules folder.
    public let id: String
    /// One line a support engineer recognises.
    public let title: String
    /// How far the rule can be trusted.
    public let status: RuleStatus
    /// The system the rule is about, equal to its folder name.
    public let system: String
    /// The kind of failure.
    public let category: Category
    /// Whether the failure stops the whole synchronization or only some records.
    public let scope: Scope
    /// Whether replaying the failed messages unchanged can succeed.
    public let retryable: Bool
    /// What to do first.
    public let action: NextAction
    /// Why it happened; may hold `{placeholders}` for captured facts.
    public let cause: String
    /// Ordered remedy steps; may hold `{placeholders}` for captured facts.
    public let remediation: [String]
    /// The public documents or seed guides the rule rests on.
    public let references: [String]
    /// Explicit rank: higher first (default 0).
    public let priority: Int
    /// What the rule matches, as written.
    public let condition: Condition
    /// Messages that must yield this rule as the top finding.
    public let matchExamples: [Example]
    /// Nearby messages that must not yield this rule.
    public let noMatchExamples: [String]
    /// The file the rule was loaded from, e.g. `Rules/sap-c4c/ews-url-not-found.json`.
    public let file: String

    let compiled: CompiledCondition
    let causeTemplate: PlaceholderText
    let remediationTemplates: [PlaceholderText]
}

extension Rule {
    /// A rule's match condition as written in its file.
    public indirect enum Condition: Sendable, Equatable {
        /// A case-insensitive, whitespace-tolerant phrase.
        case phrase(String)
        /// Literal text with typed, named captures `{name:type}`.
        case template(String)
        /// A regular expression of the linear-time subset.
        case regex(String)
        /// A record field with a value (a template): `errorCode: X`, `"errorCode": "X"`, `errorCode=X`.
        case field(name: String, value: String)
        /// Every condition must match.
        case all([Condition])
        /// At least one condition must match.
        case any([Condition])
        /// The condition must not match.
        case not(Condition)
        /// A comparison of captured numbers, such as `count > limit`.
        case `where`(String)
    }
}
