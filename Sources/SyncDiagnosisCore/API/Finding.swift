/// One rule that matched the input: what kind of failure it is, why it
/// happened, what to do, and the evidence that shows it.
public struct Finding: Sendable {
    /// A fact captured from the input by a template or named regex capture.
    public struct Fact: Sendable, Equatable {
        /// The capture's name, e.g. `privilege`.
        public var name: String
        /// The captured text, e.g. `prvReadAccount`.
        public var value: String
    }

    /// A span of the input that a condition of the rule matched.
    ///
    /// Offsets count UTF-8 bytes from the start of the input; `end` is exclusive.
    public struct Evidence: Sendable, Equatable {
        /// The offset of the first byte of the span.
        public var start: Int
        /// The offset just past the last byte of the span.
        public var end: Int
        /// The matched text.
        public var text: String
    }

    /// The rule that matched.
    public let rule: Rule
    /// The rule's cause with the captured facts filled in.
    public var cause: String { rule.causeTemplate.render(facts) }
    /// The rule's remediation steps with the captured facts filled in.
    public var remediation: [String] { rule.remediationTemplates.map { $0.render(facts) } }
    /// The facts captured, in the order the rule's conditions capture them.
    public let facts: [Fact]
    /// The spans of the input the rule's conditions matched, in input order.
    public let evidence: [Evidence]
    /// How many bytes of the input the evidence covers; the ranking's second key.
    public let specificity: Int

    /// The value of the fact named `name`, if it was captured.
    public func fact(_ name: String) -> String? {
        facts.last { $0.name == name }?.value
    }
}
