import Foundation
import SyncDiagnosis

extension Command {
    func list(_ knowledge: KnowledgeBase) -> Status {
        let rows = knowledge.rules.map { [$0.id, $0.category.rawValue, $0.scope.rawValue, $0.status.rawValue, $0.title] }
        terminal.write(Table(header: ["ID", "CATEGORY", "SCOPE", "STATUS", "TITLE"], rows: rows).rendered)
        terminal.write("\(knowledge.rules.count) rules\n")
        return .found
    }

    func show(_ id: String, in knowledge: KnowledgeBase) throws(CommandError) -> Status {
        let rule = try find(id, in: knowledge)
        var out = "\(rule.id): \(rule.title)\n"
        out += "  file:        \(rule.file)\n"
        out += "  status:      \(rule.status.rawValue)\n  system:      \(rule.system)\n"
        out += "  category:    \(rule.category.rawValue)\n  scope:       \(rule.scope.rawValue)\n"
        out += "  retryable:   \(rule.retryable ? "yes" : "no")\n  action:      \(rule.action.rawValue)\n"
        out += "  priority:    \(rule.priority)\n\nMatches when:\n"
        out += describe(rule.condition, indent: "  ")
        out += "\nCause:\n  \(rule.cause)\n\nRemediation:\n"
        for (index, step) in rule.remediation.enumerated() { out += "  \(index + 1). \(step)\n" }
        out += "\nReferences:\n" + rule.references.map { "  - \($0)\n" }.joined()
        out += "\nExamples that must match:\n" + rule.matchExamples.map { "  + \($0.text)\n" }.joined()
        if !rule.noMatchExamples.isEmpty {
            out += "Examples that must not match:\n" + rule.noMatchExamples.map { "  - \($0)\n" }.joined()
        }
        terminal.write(out)
        return .found
    }

    func explain(_ id: String, text: String?) throws(CommandError) -> Status {
        let knowledge = try knowledgeBase()
        let rule = try find(id, in: knowledge)
        let bytes = try input(text)
        let message = String(decoding: bytes, as: UTF8.self)
        guard let (explanation, finding) = knowledge.explain(ruleID: rule.id, in: message) else {
            throw .unknownRule("no rule has the id '\(id)'")
        }
        var out = "\(rule.id): \(finding == nil ? "does NOT match" : "matches")\n\n"
        out += describe(explanation, indent: "  ")
        if let finding {
            let ranked = knowledge.diagnose(message).findings
            let position = (ranked.firstIndex { $0.rule.id == rule.id } ?? 0) + 1
            out += "\nRank: \(position) of \(ranked.count) matching rules"
            if position > 1 { out += " (first: \(ranked[0].rule.id))" }
            out += "; priority \(rule.priority), specificity \(finding.specificity)\n"
            out += "Cause: \(finding.cause)\n"
        }
        terminal.write(out)
        return finding == nil ? .notFound : .found
    }

    func find(_ id: String, in knowledge: KnowledgeBase) throws(CommandError) -> Rule {
        if let rule = knowledge.rule(withID: id) { return rule }
        let hint = Suggestion.closest(to: id, in: knowledge.rules.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
        throw .unknownRule("no rule has the id '\(id)'\(hint)")
    }

    private func describe(_ condition: Rule.Condition, indent: String) -> String {
        var out = indent + condition.summary + "\n"
        switch condition {
        case .all(let items), .any(let items):
            for item in items { out += describe(item, indent: indent + "  ") }
        case .not(let inner):
            out += describe(inner, indent: indent + "  ")
        default: break
        }
        return out
    }

    private func describe(_ explanation: Explanation, indent: String) -> String {
        let mark = explanation.passed ? "PASS" : "FAIL"
        var out = "\(indent)[\(mark)] \(explanation.condition)"
        if let evidence = explanation.evidence {
            out += "\n\(indent)       matched bytes \(evidence.start)–\(evidence.end): \"\(Rendering(color: false).oneLine(evidence.text))\""
        }
        if !explanation.facts.isEmpty {
            out += "\n\(indent)       captured " + explanation.facts.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
        }
        out += "\n"
        for child in explanation.children { out += describe(child, indent: indent + "  ") }
        return out
    }
}

/// Columns padded to their widest cell.
struct Table {
    var header: [String]
    var rows: [[String]]

    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
