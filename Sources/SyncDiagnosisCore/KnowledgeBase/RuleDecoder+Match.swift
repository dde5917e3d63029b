extension RuleDecoder {
    static let conditionKeys = ["phrase", "template", "regex", "field", "all", "any", "not", "where"]

    /// Decodes and compiles one condition; `captures` collects the rule's
    /// capture names, `comparisons` the fact names each `where` needs.
    mutating func condition(
        _ value: JSONValue, field: String, captures: inout [String],
        comparisons: inout [(String, JSONValue.Position, [String])]
    ) -> (Rule.Condition, CompiledCondition)? {
        guard let members = value.members else {
            report(field, value.position, "expected a condition object such as {\"phrase\": \"...\"}, found \(value.typeName)")
            return nil
        }
        guard members.count == 1, let member = members.first else {
            let found = members.isEmpty ? "an empty object" : "the keys \(members.map { "'\($0.key)'" }.joined(separator: ", "))"
            report(field, value.position, "expected exactly one of \(Self.conditionKeys.joined(separator: ", ")), found \(found)")
            return nil
        }
        let path = "\(field).\(member.key)"
        let inner = member.value
        switch member.key {
        case "phrase", "template", "regex":
            guard patternSlotsLeft else {
                report(path, inner.position, "a rule may hold at most \(1 << Self.slotBits) phrases, templates and regexes")
                return nil
            }
            guard let text = inner.string, !text.isBlank else {
                report(path, inner.position, "expected a non-empty string, found \(inner.typeName)")
                return nil
            }
            return textCondition(member.key, text, field: path, at: inner.position, captures: &captures)
        case "field":
            guard patternSlotsLeft else {
                report(path, inner.position, "a rule may hold at most \(1 << Self.slotBits) phrases, templates and regexes")
                return nil
            }
            guard let members = inner.members, members.count == 1, let member = members.first,
                  let value = member.value.string, !value.isBlank
            else {
                report(path, inner.position, "expected one field name and the value it must have, such as {\"errorCode\": \"UnsynchronizableChange\"}")
                return nil
            }
            guard !member.key.isEmpty, member.key.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.@-".unicodeScalars.contains($0)) }) else {
                report(path, member.keyPosition, "a field name may hold only letters, digits and _ . @ -, found '\(member.key)'")
                return nil
            }
            return fieldCondition(member.key, value, field: path, at: member.value.position, captures: &captures)
        case "all", "any":
            guard let elements = inner.elements else {
                report(path, inner.position, "expected an array of conditions, found \(inner.typeName)")
                return nil
            }
            guard !elements.isEmpty else {
                report(path, inner.position, "expected at least one condition: an empty '\(member.key)' matches nothing useful")
                return nil
            }
            var written: [Rule.Condition] = []
            var compiled: [CompiledCondition] = []
            for (index, element) in elements.enumerated() {
                if let pair = condition(element, field: "\(path)[\(index)]", captures: &captures, comparisons: &comparisons) {
                    written.append(pair.0)
                    compiled.append(pair.1)
                }
            }
            guard written.count == elements.count else { return nil }
            guard member.key == "all" else { return (.any(written), .any(compiled)) }
            return (.all(written), .all(knownAnchors == nil ? sharpened(compiled) : compiled))
        case "not":
            var ignored: [String] = []
            negationDepth += 1
            let decoded = condition(inner, field: path, captures: &ignored, comparisons: &comparisons)
            negationDepth -= 1
            guard let pair = decoded else { return nil }
            if !ignored.isEmpty {
                report(path, inner.position, "a condition under 'not' cannot capture facts (it never matches when the rule does)")
            }
            return (.not(pair.0), .not(pair.1))
        case "where":
            guard let text = inner.string, let comparison = Comparison(text) else {
                report(path, inner.position, "expected a comparison such as \"count > limit\" (operators > >= < <= == !=), found \(inner.string.map { "'\($0)'" } ?? inner.typeName)")
                return nil
            }
            comparisons.append((path, inner.position, comparison.factNames))
            return (.where(text), .comparison(comparison))
        default:
            let hint = Suggestion.closest(to: member.key, in: Self.conditionKeys).map { "; did you mean '\($0)'?" } ?? ""
            report(path, member.keyPosition, "unknown condition '\(member.key)'\(hint)")
            return nil
        }
    }

    /// A field condition: the field's name, a separator (`:` or `=`, quotes
    /// allowed, as in JSON, key=value logs and "key: value" lines), then the
    /// value as a template.
    private mutating func fieldCondition(
        _ name: String, _ value: String, field: String, at position: JSONValue.Position, captures: inout [String]
    ) -> (Rule.Condition, CompiledCondition)? {
        do {
            let (valueNode, names) = try TemplateParser.parse(value)
            let escapedName = name.unicodeScalars.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) ? String($0) : "\\\($0)" }.joined()
            let (prefix, _) = try RegexParser.parse(#"(?:\b|")"# + escapedName + #"\\?"?\s*[:=]\s*\\?"?"#)
            return try compiledText(.field(name: name, value: value), .concatenation([prefix, valueNode]), names: names,
                                    kind: "field", field: field, at: position, captures: &captures)
        } catch {
            report(field, position, "invalid field value: \(error.description)")
            return nil
        }
    }

    private mutating func textCondition(
        _ kind: String, _ text: String, field: String, at position: JSONValue.Position, captures: inout [String]
    ) -> (Rule.Condition, CompiledCondition)? {
        do {
            let node: PatternNode
            let names: [String]
            let written: Rule.Condition
            switch kind {
            case "phrase":
                (node, names, written) = (.phrase(text), [], .phrase(text))
            case "template":
                (node, names) = try TemplateParser.parse(text)
                written = .template(text)
            default:
                (node, names) = try RegexParser.parse(text)
                written = .regex(text)
            }
            return try compiledText(written, node, names: names, kind: kind, field: field, at: position, captures: &captures)
        } catch {
            report(field, position, "invalid \(kind): \(error.description)")
            return nil
        }
    }

    private mutating func compiledText(
        _ written: Rule.Condition, _ node: PatternNode, names: [String], kind: String,
        field: String, at position: JSONValue.Position, captures: inout [String]
    ) throws(PatternError) -> (Rule.Condition, CompiledCondition)? {
        // The same name in several conditions is fine (alternatives in an
        // `any` often capture the same fact); the last capture wins.
        captures.append(contentsOf: names.filter { !captures.contains($0) })
        let program = try Program(node, captureCount: names.count)
        if program.firstBytes == nil {
            report(field, position, "the \(kind) can match empty text, so it would match every message")
            return nil
        }
        let requirement = requirement(of: node)
        let guaranteed = Set(node.guaranteedCaptures.compactMap { names.indices.contains($0 - 1) ? names[$0 - 1] : nil })
        let pattern = TextPattern(program: program, captureNames: names, guaranteedFacts: guaranteed,
                                  requirement: requirement, anchors: nextKnownAnchors ?? requirement.anchors, slot: nextPatternSlot)
        nodes[nextPatternSlot] = node
        nextPatternSlot += 1
        return (written, .text(pattern))
    }

    /// The items of an `all`, each text pattern checked against anchors
    /// that its siblings do not already guarantee. An HTTP status rule
    /// pairs `\b503\b` with wording around the number; anchored on the
    /// number too, the wording's anchor check passes on every line that
    /// mentions 503 ms, and its filter then scans the line for nothing.
    private func sharpened(_ items: [CompiledCondition]) -> [CompiledCondition] {
        var items = items
        func singleLiterals(_ item: CompiledCondition) -> Set<[UInt8]> {
            guard case .text(let pattern) = item else { return [] }
            return Set(pattern.anchors.filter { $0.count == 1 }.map(\.[0].bytes))
        }
        var singles = items.map(singleLiterals)
        for index in items.indices {
            guard case .text(let pattern) = items[index], let node = nodes[pattern.slot] else { continue }
            let given = singles.indices.filter { $0 != index }.reduce(into: Set<[UInt8]>()) { $0.formUnion(singles[$1]) }
            let kept = pattern.anchors.filter { set in !set.contains { given.contains($0.bytes) } }
            guard kept.count < pattern.anchors.count else { continue }
            var anchors = kept
            for set in Requirement.anchors(of: node, given: given) where !anchors.contains(set) && anchors.count < 4 {
                anchors.append(set)
            }
            items[index] = .text(pattern.with(anchors: anchors))
            singles[index] = singleLiterals(items[index])
        }
        return items
    }
}
