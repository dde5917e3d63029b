import Foundation

extension RuleDecoder {
    mutating func string(_ root: JSONValue, _ key: String) -> String? {
        guard let value = root[key] else { return nil }
        guard let text = value.string else {
            report(key, value.position, "expected a string, found \(value.typeName)")
            return nil
        }
        guard !text.isBlank else {
            report(key, value.position, "expected a non-empty string")
            return nil
        }
        return text
    }

    mutating func strings(_ root: JSONValue, _ key: String) -> [String] {
        guard let value = root[key] else { return [] }
        guard let elements = value.elements else {
            report(key, value.position, "expected an array of strings, found \(value.typeName)")
            return []
        }
        if elements.isEmpty { report(key, value.position, "expected at least one entry") }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            if let text = element.string, !text.isBlank {
                result.append(text)
            } else {
                report("\(key)[\(index)]", element.position, "expected a non-empty string, found \(element.typeName)")
            }
        }
        return result
    }

    mutating func boolean(_ root: JSONValue, _ key: String) -> Bool? {
        guard let value = root[key] else { return nil }
        guard case .bool(let flag) = value.kind else {
            report(key, value.position, "expected true or false, found \(value.typeName)")
            return nil
        }
        return flag
    }

    mutating func integer(_ root: JSONValue, _ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int? {
        guard let value = root[key] else { return fallback }
        guard case .number(let number) = value.kind, number == number.rounded(), range.contains(Int(exactly: number) ?? Int.max) else {
            report(key, value.position, "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(value.typeName)")
            return nil
        }
        return Int(number)
    }

    mutating func vocabulary<Word: RawRepresentable & CaseIterable>(_ root: JSONValue, _ key: String) -> Word? where Word.RawValue == String {
        guard let text = string(root, key) else { return nil }
        if let word = Word(rawValue: text) { return word }
        let words = Word.allCases.map(\.rawValue)
        let hint = Suggestion.closest(to: text, in: words).map { "; did you mean '\($0)'?" }
            ?? " (expected one of: \(words.joined(separator: ", ")))"
        report(key, root[key]?.position, "unknown \(key) '\(text)'\(hint)")
        return nil
    }

    /// Parses a cause or remediation text; each placeholder must name a fact every match captures.
    mutating func placeholders(
        _ text: String?, field: String, at position: JSONValue.Position?, captures: [String], guaranteed: Set<String>
    ) -> PlaceholderText? {
        guard let text else { return nil }
        do {
            let parsed = try PlaceholderText(text)
            for name in parsed.factNames where !captures.contains(name) {
                let hint = Suggestion.closest(to: name, in: captures).map { "; did you mean '{\($0)}'?" } ?? ""
                report(field, position, "the placeholder '{\(name)}' names no capture of the rule\(hint)")
            }
            for name in parsed.factNames where captures.contains(name) && !guaranteed.contains(name) {
                report(field, position, "the placeholder '{\(name)}' names a fact that not every match captures "
                       + "(it is captured in only some branches of an 'any', or in an optional part of a pattern); "
                       + "word the text without it: the fact is still reported with the finding")
            }
            return parsed
        } catch {
            report(field, position, error.description)
            return nil
        }
    }

    mutating func examples(_ root: JSONValue, captures: [String]) -> ([Rule.Example], [String]) {
        guard let value = root["examples"] else { return ([], []) }
        guard let members = value.members else {
            report("examples", value.position, "expected an object {\"match\": [...], \"noMatch\": [...]}, found \(value.typeName)")
            return ([], [])
        }
        for member in members where member.key != "match" && member.key != "noMatch" {
            let hint = Suggestion.closest(to: member.key, in: ["match", "noMatch"]).map { "; did you mean '\($0)'?" } ?? ""
            report("examples.\(member.key)", member.keyPosition, "unknown key '\(member.key)'\(hint)")
        }
        var matches: [Rule.Example] = []
        if let list = value["match"]?.elements {
            for (index, element) in list.enumerated() {
                if let example = matchExample(element, field: "examples.match[\(index)]", captures: captures) {
                    matches.append(example)
                }
            }
        } else if let other = value["match"] {
            report("examples.match", other.position, "expected an array, found \(other.typeName)")
        }
        if matches.isEmpty && problems.allSatisfy({ !$0.field.hasPrefix("examples.match[") }) {
            report("examples.match", value.position, "the rule has no match example: add at least one message it must diagnose")
        }
        var noMatches: [String] = []
        if let list = value["noMatch"] {
            if let elements = list.elements {
                for (index, element) in elements.enumerated() {
                    if let text = element.string { noMatches.append(text) } else {
                        report("examples.noMatch[\(index)]", element.position, "expected a string, found \(element.typeName)")
                    }
                }
            } else {
                report("examples.noMatch", list.position, "expected an array of strings, found \(list.typeName)")
            }
        }
        return (matches, noMatches)
    }

    private mutating func matchExample(_ element: JSONValue, field: String, captures: [String]) -> Rule.Example? {
        if let text = element.string { return Rule.Example(text: text, facts: [:]) }
        guard let members = element.members else {
            report(field, element.position, "expected a string or {\"text\": ..., \"facts\": {...}}, found \(element.typeName)")
            return nil
        }
        for member in members where member.key != "text" && member.key != "facts" {
            report("\(field).\(member.key)", member.keyPosition, "unknown key '\(member.key)' (expected 'text' or 'facts')")
        }
        guard let text = element["text"]?.string else {
            report("\(field).text", element.position, "expected the example's text as a string")
            return nil
        }
        var facts: [String: String] = [:]
        if let factsValue = element["facts"] {
            guard let factMembers = factsValue.members else {
                report("\(field).facts", factsValue.position, "expected an object of fact names to values, found \(factsValue.typeName)")
                return nil
            }
            for member in factMembers {
                if !captures.contains(member.key) {
                    report("\(field).facts.\(member.key)", member.keyPosition, "no condition of the rule captures '\(member.key)'")
                }
                switch member.value.kind {
                case .string(let value): facts[member.key] = value
                case .number(let number):
                    facts[member.key] = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
                default:
                    report("\(field).facts.\(member.key)", member.value.position, "expected a string or a number, found \(member.value.typeName)")
                }
            }
        }
        return Rule.Example(text: text, facts: facts)
    }
}
