import Foundation
import SyncDiagnosis

extension Rendering {
    func json(_ summary: LogSummary, source: JSONOutput? = nil) -> String {
        JSONOutput.object((source.map { [("source", $0)] } ?? []) + [
            ("records", .number(summary.records)),
            ("diagnosed", .number(summary.diagnosed)),
            ("groups", .array(summary.ranked.map { group in
                .object([
                    ("rule", .string(group.rule.id)),
                    ("title", .string(group.rule.title)),
                    ("category", .string(group.rule.category.rawValue)),
                    ("scope", .string(group.rule.scope.rawValue)),
                    ("action", .string(group.rule.action.rawValue)),
                    ("retryable", .bool(group.rule.retryable)),
                    ("count", .number(group.count)),
                    ("share", .string(share(group.count, of: summary.records))),
                    ("firstLine", .number(group.firstLine)),
                    ("lastLine", .number(group.lastLine)),
                    ("firstSeen", group.firstSeen.map { .string($0) } ?? .null),
                    ("lastSeen", group.lastSeen.map { .string($0) } ?? .null),
                    ("identifiers", .object([
                        ("total", .number(group.identifierSet.count)),
                        ("values", .array(group.identifiers.map { .string(clean($0)) })),
                    ])),
                    ("example", .string(clean(group.example))),
                    ("codes", .object(group.codes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, .number($0.value)) })),
                ])
            })),
            ("unmatched", .object([
                ("count", .number(summary.unmatched)),
                ("shapes", .array(summary.rankedShapes.prefix(20).map {
                    .object([("shape", .string(clean($0.shape))), ("count", .number($0.count)), ("example", .string(clean($0.example)))])
                })),
            ])),
        ]).rendered() + "\n"
    }

    func text(_ summary: LogSummary) -> String {
        var out = "Diagnosed \(summary.diagnosed) of \(summary.records) records; \(summary.groups.count) kinds of failure, largest first.\n\n"
        for group in summary.ranked {
            out += "\(group.count) × \(group.rule.title)  (\(share(group.count, of: summary.records)))\n"
            out += "    \(group.rule.category.rawValue) · scope \(group.rule.scope.rawValue) · next action \(group.rule.action.rawValue) · \(group.rule.id)\n"
            if !group.codes.isEmpty {
                out += "    codes: " + group.codes.sorted { $0.value > $1.value }.map { "\($0.key) × \($0.value)" }.joined(separator: ", ") + "\n"
            }
            out += "    records \(group.firstLine)–\(group.lastLine)"
            if let first = group.firstSeen, let last = group.lastSeen { out += ", seen \(first) – \(last)" }
            out += "\n"
            if !group.identifiers.isEmpty {
                out += "    affected: \(clean(group.identifiers.prefix(5).joined(separator: ", ")))"
                if group.identifierSet.count > 5 { out += " and \(group.identifierSet.count - 5) more" }
                out += "\n"
            }
            out += "    e.g. \(oneLine(clean(group.example), limit: 160))\n\n"
        }
        out += unmatchedText(summary)
        return out
    }

    private func unmatchedText(_ summary: LogSummary) -> String {
        guard summary.unmatched > 0 else { return "Every record was diagnosed.\n" }
        var out = "No rule matched \(summary.unmatched) records. Most frequent shapes"
        out += summary.unmatched > LogSummary.shapeSampleSize ? " (in the first \(LogSummary.shapeSampleSize)):\n" : ":\n"
        for shape in summary.rankedShapes.prefix(10) {
            out += "  \(shape.count) × \(oneLine(clean(shape.shape), limit: 160))\n"
        }
        return out
    }

    func markdown(_ summary: LogSummary) -> String {
        var out = "**SyncDiagnosis:** diagnosed \(summary.diagnosed) of \(summary.records) records.\n\n"
        if !summary.groups.isEmpty {
            out += "| Count | Share | Category | Next action | Rule | Lines |\n|---:|---:|---|---|---|---|\n"
            for group in summary.ranked {
                out += "| \(group.count) | \(share(group.count, of: summary.records)) | `\(group.rule.category.rawValue)` | `\(group.rule.action.rawValue)` | `\(group.rule.id)` | \(group.firstLine)–\(group.lastLine) |\n"
            }
        }
        if summary.unmatched > 0 {
            out += "\n\(summary.unmatched) records matched no rule. Most frequent shapes:\n\n"
            for shape in summary.rankedShapes.prefix(10) {
                out += "- \(shape.count) × `\(oneLine(clean(shape.shape), limit: 160).replacingOccurrences(of: "`", with: "'"))`\n"
            }
        }
        return out
    }

    func share(_ count: Int, of total: Int) -> String {
        total == 0 ? "0%" : String(format: "%.1f%%", Double(count) * 100 / Double(total))
    }
}
