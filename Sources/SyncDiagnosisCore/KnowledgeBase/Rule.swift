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
    public var id: String { storage.fields.id }
    /// One line a support engineer recognises.
    public var title: String { storage.fields.title }
    /// How far the rule can be trusted.
    public var status: RuleStatus { storage.fields.status }
    /// The system the rule is about, equal to its folder name.
    public var system: String { storage.fields.system }
    /// The kind of failure.
    public var category: Category { storage.fields.category }
    /// Whether the failure stops the whole synchronization or only some records.
    public var scope: Scope { storage.fields.scope }
    /// Whether replaying the failed messages unchanged can succeed.
    public var retryable: Bool { storage.fields.retryable }
    /// What to do first.
    public var action: NextAction { storage.fields.action }
    /// Why it happened; may hold `{placeholders}` for captured facts.
    public var cause: String { storage.fields.cause }
    /// Ordered remedy steps; may hold `{placeholders}` for captured facts.
    public var remediation: [String] { storage.fields.remediation }
    /// The public documents or seed guides the rule rests on.
    public var references: [String] { storage.fields.references }
    /// Explicit rank: higher first (default 0).
    public var priority: Int { storage.fields.priority }
    /// What the rule matches, as written.
    public var condition: Condition { storage.fields.condition }
    /// Messages that must yield this rule as the top finding.
    public var matchExamples: [Example] { storage.fields.matchExamples }
    /// Nearby messages that must not yield this rule.
    public var noMatchExamples: [String] { storage.fields.noMatchExamples }
    /// The file the rule was loaded from, e.g. `Rules/sap-c4c/ews-url-not-found.json`.
    public var file: String { storage.fields.file }
    var compiled: CompiledCondition { storage.fields.compiled }
    /// `compiled`, laid out for evaluation.
    var plan: ConditionPlan { storage.plan }
    var causeTemplate: PlaceholderText { storage.fields.causeTemplate }
    var remediationTemplates: [PlaceholderText] { storage.fields.remediationTemplates }

    /// The rule's fields, as the decoder fills them in.
    struct Fields: Sendable {
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
    }

    /// The fields, held once: a rule is copied with every finding, and
    /// copying one reference costs far less than copying each field.
    fileprivate final class Storage: Sendable {
        /// First, so that it shares a cache line with the reference count:
        /// a diagnoser reads the plan of every candidate rule, and the
        /// count of each one that matches.
        let plan: ConditionPlan
        let fields: Fields
        init(_ fields: Fields) {
            plan = ConditionPlan(fields.compiled)
            self.fields = fields
        }
    }

    private let storage: Storage

    /// A rule with `fields`.
    init(_ fields: Fields) {
        storage = Storage(fields)
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    /// The rule, held without reference counting by one who keeps it
    /// alive otherwise (a diagnoser, whose knowledge base keeps every rule
    /// it has decoded): its plan is read without retaining it, and no
    /// table lookup is needed to make the rule of a finding.
    var handle: Handle { Handle(storage: Unmanaged.passUnretained(storage)) }

    /// See `handle`.
    struct Handle {
        fileprivate let storage: Unmanaged<Storage>

        /// The rule's condition plan, unretained.
        @inline(__always)
        var plan: Unmanaged<ConditionPlan> {
            storage._withUnsafeGuaranteedRef { Unmanaged.passUnretained($0.plan) }
        }

        /// The rule itself.
        var rule: Rule { Rule(storage: storage.takeUnretainedValue()) }
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
