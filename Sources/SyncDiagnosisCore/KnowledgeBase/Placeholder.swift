import Foundation

/// Text with `{fact}` and `{a - b}` placeholders, as in a rule's cause and remediation.
struct PlaceholderText: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case fact(String)
        case arithmetic(String, Character, Comparison.Operand)
    }

    let segments: [Segment]

    /// The fact names the text refers to.
    var factNames: [String] {
        segments.flatMap { segment -> [String] in
            switch segment {
            case .literal: return []
            case .fact(let name): return [name]
            case .arithmetic(let name, _, let operand):
                if case .fact(let other) = operand { return [name, other] }
                return [name]
            }
        }
    }

    /// Parses `text`; `{{` and `}}` stand for literal braces.
    init(_ text: String) throws(PatternError) {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") }) else {
            segments = text.isEmpty ? [] : [.literal(text)]
            return
        }
        var segments: [Segment] = []
        var literal = ""
        // Unicode scalars, not Characters: braces are ASCII, and grapheme breaking is slow.
        var rest = Substring(text).unicodeScalars
        while let brace = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            literal.unicodeScalars.append(contentsOf: rest[..<brace])
            let after = rest.index(after: brace)
            if after < rest.endIndex && rest[after] == rest[brace] {
                literal.unicodeScalars.append(rest[brace])
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard rest[brace] == "{", let close = rest[after...].firstIndex(of: "}") else {
                throw PatternError(offset: nil, message: "unbalanced brace in '\(text)' (write '{{' or '}}' for a literal brace)")
            }
            if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
            segments.append(try Self.segment(String(String.UnicodeScalarView(rest[after..<close]))))
            rest = rest[rest.index(after: close)...]
        }
        literal.unicodeScalars.append(contentsOf: rest)
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    private static func segment(_ body: String) throws(PatternError) -> Segment {
        let trimmed = body.trimmed
        for op in ["-", "+"] {
            let parts = trimmed.split(separator: " \(op) ", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2, isName(parts[0]) {
                let right = parts[1].trimmed
                if isName(right) { return .arithmetic(parts[0], Character(op), .fact(right)) }
                if let number = Double(right) { return .arithmetic(parts[0], Character(op), .number(number)) }
            }
        }
        guard isName(trimmed) else {
            throw PatternError(offset: nil, message: "invalid placeholder '{\(body)}': expected '{name}' or '{a - b}'")
        }
        return .fact(trimmed)
    }

    private static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0)) }
    }

    /// The text with facts filled in; a fact that was not captured stays as `{name}`.
    func render(_ facts: [Finding.Fact]) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let text): out += text
            case .fact(let name): out += facts.last { $0.name == name }?.value ?? "{\(name)}"
            case .arithmetic(let name, let op, let operand):
                out += arithmetic(name, op, operand, facts) ?? "{\(name) \(op) \(describe(operand))}"
            }
        }
        return out
    }

    private func arithmetic(_ name: String, _ op: Character, _ operand: Comparison.Operand, _ facts: [Finding.Fact]) -> String? {
        guard let left = facts.last(where: { $0.name == name }).flatMap({ Comparison.number(from: $0.value) }) else { return nil }
        let right: Double?
        switch operand {
        case .number(let number): right = number
        case .fact(let other): right = facts.last { $0.name == other }.flatMap { Comparison.number(from: $0.value) }
        }
        guard let right else { return nil }
        let result = op == "-" ? left - right : left + right
        if result == result.rounded(), abs(result) < 1e15 { return String(Int64(result)) }
        return String(result)
    }

    private func describe(_ operand: Comparison.Operand) -> String {
        switch operand {
        case .fact(let name): name
        case .number(let number): String(number)
        }
    }
}
