import Foundation
import SyncDiagnosis

/// Turns a diagnosis into what a person or a tool reads.
struct Rendering {
    var color: Bool
    /// Masks secrets in everything shown; nil with --no-redact.
    var redactor: Redactor? = .standard

    /// Text from the input (or filled in from it), with secrets masked.
    func clean(_ text: String) -> String {
        redactor?.redact(text) ?? text
    }

    // MARK: JSON

    func json(_ diagnosis: Diagnosis) -> String {
        JSONOutput.object([
            ("input", .object([
                ("bytes", .number(diagnosis.inputByteCount)),
                ("examinedBytes", .number(diagnosis.examinedByteCount)),
                ("truncated", .bool(diagnosis.isTruncated)),
            ])),
            ("findings", .array(diagnosis.findings.map(json))),
        ]).rendered() + "\n"
    }

    func json(_ finding: Finding) -> JSONOutput {
        let rule = finding.rule
        return .object([
            ("rule", .string(rule.id)),
            ("title", .string(rule.title)),
            ("system", .string(rule.system)),
            ("status", .string(rule.status.rawValue)),
            ("category", .string(rule.category.rawValue)),
            ("scope", .string(rule.scope.rawValue)),
            ("retryable", .bool(rule.retryable)),
            ("action", .string(rule.action.rawValue)),
            ("cause", .string(clean(finding.cause))),
            ("remediation", .array(finding.remediation.map { .string(clean($0)) })),
            ("facts", .object(uniqueFacts(finding).map { ($0.name, .string(clean($0.value))) })),
            ("evidence", .array(finding.evidence.map {
                .object([("start", .number($0.start)), ("end", .number($0.end)), ("text", .string(clean($0.text)))])
            })),
            ("references", .array(rule.references.map { .string($0) })),
            ("priority", .number(rule.priority)),
            ("specificity", .number(finding.specificity)),
        ])
    }

    /// Facts with one entry per name (the last capture wins), in capture order.
    func uniqueFacts(_ finding: Finding) -> [Finding.Fact] {
        var seen = Set<String>()
        return finding.facts.reversed().filter { seen.insert($0.name).inserted }.reversed()
    }

    // MARK: Text

    func text(_ diagnosis: Diagnosis) -> String {
        guard let best = diagnosis.best else {
            return "No rule matched. SyncDiagnosis has no diagnosis for this text.\n"
                + "If it is a real sync error, a rule for it can be added under Rules/ (see Rules/README.md).\n"
        }
        let rule = best.rule
        var out = style(bold: "\(rule.title)") + "\n"
        out += "  \(style(color: 33, rule.category.rawValue)) · scope \(rule.scope.rawValue) · next action \(style(color: 36, rule.action.rawValue)) · \(rule.id)\n\n"
        out += "Cause: \(clean(best.cause))\n\n"
        out += "What to do:\n"
        for (index, step) in best.remediation.enumerated() { out += "  \(index + 1). \(clean(step))\n" }
        out += "\nRetry: \(retryAdvice(rule))\n"
        let facts = uniqueFacts(best)
        if !facts.isEmpty {
            out += "Facts: " + facts.map { "\($0.name)=\(clean($0.value))" }.joined(separator: ", ") + "\n"
        }
        out += "Evidence:\n"
        for evidence in best.evidence {
            out += "  bytes \(evidence.start)–\(evidence.end): " + style(color: 32, "\"\(oneLine(clean(evidence.text)))\"") + "\n"
        }
        out += "References: " + rule.references.joined(separator: ", ") + "\n"
        let others = diagnosis.findings.dropFirst()
        if !others.isEmpty {
            out += "\nAlso matched (ranked lower):\n"
            for finding in others.prefix(5) {
                out += "  - \(finding.rule.id): \(finding.rule.title) [\(finding.rule.category.rawValue)]\n"
            }
            if others.count > 5 { out += "  … and \(others.count - 5) more (use --format json to see all)\n" }
        }
        if diagnosis.isTruncated { out += "Note: " + truncationNote(diagnosis) + "\n" }
        return out
    }

    func retryAdvice(_ rule: Rule) -> String {
        guard rule.retryable else { return "a plain retry will not help until the cause is fixed." }
        switch rule.category {
        case .rateLimit: return "yes, after the quota window resets; replay without changes."
        case .conflict: return "possibly: the collision may clear (a lock); replay once, then resolve it."
        default: return "yes, replaying unchanged can succeed after a short wait."
        }
    }

    func truncationNote(_ diagnosis: Diagnosis) -> String {
        "only the first \(diagnosis.examinedByteCount) of \(diagnosis.inputByteCount) bytes were examined (--max-bytes)."
    }

    func oneLine(_ text: String, limit: Int = 200) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ⏎ ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }

    private func style(bold text: String) -> String {
        color ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }

    private func style(color code: Int, _ text: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    // MARK: Markdown

    func markdown(_ diagnosis: Diagnosis) -> String {
        guard let best = diagnosis.best else {
            return "**SyncDiagnosis:** no rule matched this text; there is no diagnosis for it.\n"
        }
        let rule = best.rule
        var out = "### \(escape(rule.title))\n\n"
        out += "| Category | Scope | Next action | Retry helps | Rule |\n|---|---|---|---|---|\n"
        out += "| `\(rule.category.rawValue)` | `\(rule.scope.rawValue)` | `\(rule.action.rawValue)` | \(rule.retryable ? "yes" : "no") | `\(rule.id)` |\n\n"
        out += "**Cause.** \(escape(clean(best.cause)))\n\n**What to do**\n\n"
        for (index, step) in best.remediation.enumerated() { out += "\(index + 1). \(escape(clean(step)))\n" }
        let facts = uniqueFacts(best)
        if !facts.isEmpty {
            out += "\n**Facts:** " + facts.map { "`\($0.name)` = `\(code(clean($0.value)))`" }.joined(separator: ", ") + "\n"
        }
        out += "\n**Evidence**\n\n"
        for evidence in best.evidence { out += "- `\(code(oneLine(clean(evidence.text))))` (bytes \(evidence.start)–\(evidence.end))\n" }
        out += "\n**References:** " + rule.references.map { $0.hasPrefix("http") ? "<\($0)>" : $0 }.joined(separator: ", ") + "\n"
        let others = diagnosis.findings.dropFirst()
        if !others.isEmpty {
            out += "\n<details><summary>Also matched (\(others.count))</summary>\n\n"
            for finding in others { out += "- `\(finding.rule.id)`: \(escape(finding.rule.title)) (`\(finding.rule.category.rawValue)`)\n" }
            out += "\n</details>\n"
        }
        if diagnosis.isTruncated { out += "\n_Note: \(truncationNote(diagnosis))_\n" }
        return out
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_[]<>|#".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    private func code(_ text: String) -> String {
        text.replacingOccurrences(of: "`", with: "'")
    }
}
