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
    public var id: String { storage.id }
    /// One line a support engineer recognises.
    public var title: String { storage.title }
    /// How far the rule can be trusted.
    public var status: RuleStatus { storage.status }
    /// The system the rule is about, equal to its folder name.
    public var system: String { storage.system }
    /// The kind of failure.
    public var category: Category { storage.category }
    /// Whether the failure stops the whole synchronization or only some records.
    public var scope: Scope { storage.scope }
    /// Whether replaying the failed messages unchanged can succeed.
    public var retryable: Bool { storage.retryable }
    /// What to do first.
    public var action: NextAction { storage.action }
    /// Why it happened; may hold `{placeholders}` for captured facts.
    public var cause: String { storage.cause }
    /// Ordered remedy steps; may hold `{placeholders}` for captured facts.
    public var remediation: [String] { storage.remediation }
    /// The public documents or seed guides the rule rests on.
    public var references: [String] { storage.references }
    /// Explicit rank: higher first (default 0).
    public var priority: Int { storage.priority }
    /// What the rule matches, as written.
    public var condition: Condition { storage.condition }
    /// Messages that must yield this rule as the top finding.
    public var matchExamples: [Example] { storage.matchExamples }
    /// Nearby messages that must not yield this rule.
    public var noMatchExamples: [String] { storage.noMatchExamples }
    /// The file the rule was loaded from, e.g. `Rules/sap-c4c/ews-url-not-found.json`.
    public var file: String { storage.file }
    var compiled: CompiledCondition { storage.compiled }
    var causeTemplate: PlaceholderText { storage.causeTemplate }
    var remediationTemplates: [PlaceholderText] { storage.remediationTemplates }

    /// The rule's fields, held once: a rule is copied with every finding,
    /// and copying one reference costs far less than copying each field.
    private final class Storage: Sendable {
        let id: String
        let title: String
        let status: RuleStatus
        let system: String
        let category: Category
        let scope: Scope
        let retryable: Bool
        let action: NextAction
        let cause: String
        let remediation: [String]
        let references: [String]
        let priority: Int
        let condition: Condition
        let matchExamples: [Example]
        let noMatchExamples: [String]
        let file: String
        let compiled: CompiledCondition
        let causeTemplate: PlaceholderText
        let remediationTemplates: [PlaceholderText]

        init(
            id: String,
            title: String,
            status: RuleStatus,
            system: String,
            category: Category,
            scope: Scope,
            retryable: Bool,
            action: NextAction,
            cause: String,
            remediation: [String],
            references: [String],
            priority: Int,
            condition: Condition,
            matchExamples: [Example],
            noMatchExamples: [String],
            file: String,
            compiled: CompiledCondition,
            causeTemplate: PlaceholderText,
            remediationTemplates: [PlaceholderText]
        ) {
            self.id = id
            self.title = title
            self.status = status
            self.system = system
            self.category = category
            self.scope = scope
            self.retryable = retryable
            self.action = action
            self.cause = cause
            self.remediation = remediation
            self.references = references
            self.priority = priority
            self.condition = condition
            self.matchExamples = matchExamples
            self.noMatchExamples = noMatchExamples
            self.file = file
            self.compiled = compiled
            self.causeTemplate = causeTemplate
            self.remediationTemplates = remediationTemplates
        }
    }

    private let storage: Storage

    init(
        id: String,
        title: String,
        status: RuleStatus,
        system: String,
        category: Category,
        scope: Scope,
        retryable: Bool,
        action: NextAction,
        cause: String,
        remediation: [String],
        references: [String],
        priority: Int,
        condition: Condition,
        matchExamples: [Example],
        noMatchExamples: [String],
        file: String,
        compiled: CompiledCondition,
        causeTemplate: PlaceholderText,
        remediationTemplates: [PlaceholderText]
    ) {
        storage = Storage(
            id: id,
            title: title,
            status: status,
            system: system,
            category: category,
            scope: scope,
            retryable: retryable,
            action: action,
            cause: cause,
            remediation: remediation,
            references: references,
            priority: priority,
            condition: condition,
            matchExamples: matchExamples,
            noMatchExamples: noMatchExamples,
            file: file,
            compiled: compiled,
            causeTemplate: causeTemplate,
            remediationTemplates: remediationTemplates
        )
    }
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
