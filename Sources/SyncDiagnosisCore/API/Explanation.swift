/// Why one rule did or did not match a text: each condition with its
/// verdict, what it matched and what it captured.
public struct Explanation: Sendable {
    /// The condition as written, e.g. `phrase "Authentication error"`.
    public let condition: String
    /// Whether the condition held.
    public let passed: Bool
    /// The text the condition matched, for phrases, templates and regexes that matched.
    public let evidence: Finding.Evidence?
    /// The facts the condition captured.
    public let facts: [Finding.Fact]
    /// The explanations of the condition's children (for `all`, `any`, `not`).
    public let children: [Explanation]
}

extension KnowledgeBase {
    /// Explains how the rule `id` fares on `text`, or nil when no rule has that id.
    ///
    /// Unlike diagnosis, every condition is evaluated, so each shows its verdict.
    public func explain(ruleID id: String, in text: String) -> (explanation: Explanation, finding: Finding?)? {
        guard let rule = rule(withID: id) else { return nil }
        let bytes = Array(text.utf8)
        var evaluator = Evaluator()
        return bytes.withUnsafeBufferPointer { buffer in
            var facts: [Finding.Fact] = []
            let explanation = evaluator.explain(rule.condition, rule.plan, node: 0, in: buffer, facts: &facts)
            return (explanation, evaluator.finding(for: rule, in: buffer))
        }
    }
}

extension Evaluator {
    /// Explains the plan's node `node`, which was compiled from `written`
    /// (the plan lays the condition out in the same depth-first order).
    mutating func explain(
        _ written: Rule.Condition, _ plan: ConditionPlan, node: Int, in text: UnsafeBufferPointer<UInt8>,
        facts: inout [Finding.Fact]
    ) -> Explanation {
        switch (written, plan.nodes[node]) {
        case (.all(let items), .all(let start, let count)), (.any(let items), .any(let start, let count)):
            let children = zip(items, plan.items(start, count)).map { explain($0, plan, node: Int($1), in: text, facts: &facts) }
            let isAll = if case .all = written { true } else { false }
            let passed = isAll ? children.allSatisfy(\.passed) : children.contains(where: \.passed)
            return Explanation(condition: isAll ? "all of" : "any of", passed: passed, evidence: nil, facts: [], children: children)
        case (.not(let item), .not(let inner)):
            var ignored: [Finding.Fact] = []
            let child = explain(item, plan, node: Int(inner), in: text, facts: &ignored)
            return Explanation(condition: "not", passed: !child.passed, evidence: nil, facts: [], children: [child])
        default:
            var captured: [Finding.Fact] = []
            var spans: [Range<Int>] = []
            let passed: Bool
            if case .comparison(let index) = plan.nodes[node] {
                passed = plan.comparisons[Int(index)].holds(with: facts)
            } else {
                passed = evaluate(plan, node: node, in: text, facts: &captured, spans: &spans)
            }
            facts += captured
            let evidence = spans.first.map {
                Finding.Evidence(start: $0.lowerBound, end: $0.upperBound,
                                 text: String(decoding: UnsafeBufferPointer(rebasing: text[$0]), as: UTF8.self))
            }
            return Explanation(condition: written.summary, passed: passed, evidence: evidence, facts: captured, children: [])
        }
    }
}

extension Rule.Condition {
    /// The condition in one line, as `rules show` and `rules explain` print it.
    public var summary: String {
        switch self {
        case .phrase(let text): "phrase \"\(text)\""
        case .template(let text): "template \"\(text)\""
        case .regex(let text): "regex \"\(text)\""
        case .field(let name, let value): "field \(name) is \"\(value)\""
        case .where(let text): "where \(text)"
        case .all: "all of"
        case .any: "any of"
        case .not: "not"
        }
    }
}
