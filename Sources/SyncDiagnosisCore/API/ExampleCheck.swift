/// A rule example that does not behave as its rule says.
public struct ExampleFailure: Sendable, CustomStringConvertible {
    /// The rule whose example failed.
    public let ruleID: String
    /// The example's text.
    public let example: String
    /// How the example was presented: `as written`, `inside log lines`, `with CRLF line breaks`, `JSON-escaped`.
    public let variant: String
    /// What went wrong.
    public let problem: String

    /// One line: the rule, the variant, the problem and the example.
    public var description: String {
        "\(ruleID): \(variant): \(problem)\n    example: \(example)"
    }
}

extension KnowledgeBase {
    /// Checks every example of `rule` against the whole knowledge base: each
    /// match example must yield the rule as the top finding with its stated
    /// facts, as written and also inside log lines, with CRLF line breaks and
    /// JSON-escaped; each noMatch example must not yield the rule at all.
    public func checkExamples(of rule: Rule) -> [ExampleFailure] {
        var failures: [ExampleFailure] = []
        for example in rule.matchExamples {
            for (variant, text) in Self.variants(of: example.text) {
                let findings = diagnose(text).findings
                let fail = { (problem: String) in
                    failures.append(ExampleFailure(ruleID: rule.id, example: example.text, variant: variant, problem: problem))
                }
                guard let top = findings.first else { fail("no rule matched"); continue }
                guard top.rule.id == rule.id else {
                    let own = findings.first { $0.rule.id == rule.id }
                    let detail = own.map { "it matched with priority \($0.rule.priority), specificity \($0.specificity)" } ?? "it did not match"
                    fail("the top finding is \(top.rule.id) (priority \(top.rule.priority), specificity \(top.specificity)); \(detail)")
                    continue
                }
                guard variant == Self.asWritten else { continue }
                for (name, expected) in example.facts.sorted(by: { $0.key < $1.key }) where top.fact(name) != expected {
                    fail("fact '\(name)' is \(top.fact(name).map { "'\($0)'" } ?? "not captured"), expected '\(expected)'")
                }
            }
        }
        for text in rule.noMatchExamples where diagnose(text).findings.contains(where: { $0.rule.id == rule.id }) {
            failures.append(ExampleFailure(ruleID: rule.id, example: text, variant: Self.asWritten, problem: "a noMatch example matched the rule"))
        }
        return failures
    }

    static let asWritten = "as written"

    /// The example as written, and wrapped in the noise real inputs carry.
    static func variants(of text: String) -> [(String, String)] {
        let before = "2024-05-14T08:30:00.412Z INFO  [sync] Run 4711 started for profile 3\n"
        let after = "\n2024-05-14T08:30:02.118Z INFO  [sync] Run 4711 finished"
        var variants = [
            (asWritten, text),
            ("inside log lines", before + text + after),
            ("with CRLF line breaks", (before + text + after).replacingLineBreaks(with: "\r\n")),
        ]
        if !text.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 }) {
            variants.append(("JSON-escaped", "{\"level\":\"error\",\"message\":\"" + text.replacingQuotes() + "\"}"))
        }
        return variants
    }
}

private extension String {
    func replacingLineBreaks(with separator: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: separator)
    }

    func replacingQuotes() -> String {
        split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\\\"")
    }
}
