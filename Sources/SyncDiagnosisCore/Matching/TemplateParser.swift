/// Parses a template such as `missing {privilege:word} privilege` into a
/// pattern: literal text as a phrase, each `{name:type}` as a named capture.
enum TemplateParser {
    /// The capture types a template may use, each defined by a pattern of the subset.
    static let captureTypes: [String: String] = [
        "int": #"[+-]?\d+"#,
        "number": #"[+-]?\d+(?:[.,]\d+)*"#,
        "hex": #"(?:0x)?[0-9a-f]+"#,
        "guid": #"\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?"#,
        "word": #"\w+"#,
        "token": #"\S+"#,
        "email": #"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+"#,
        "url": #"[a-z][a-z0-9+.-]*://[^\s"'<>]+"#,
        "ip": #"\d{1,3}(?:\.\d{1,3}){3}"#,
    ]

    /// The capture types' patterns, parsed once.
    private static let typeNodes: [String: PatternNode] = captureTypes.compactMapValues { try? RegexParser.parse($0).0 }

    static var typeNames: [String] { (Array(captureTypes.keys) + ["text"]).sorted() }

    /// Parses `template`, numbering its captures after `existing`.
    static func parse(_ template: String, after existing: [String] = []) throws(PatternError) -> (PatternNode, [String]) {
        var names = existing
        var nodes: [PatternNode] = []
        var literal = ""
        let scalars = Array(template.unicodeScalars)
        var index = 0
        var pendingText: Int? = nil   // capture index of a `text` capture awaiting its right context

        func flushLiteral() {
            guard !literal.isEmpty else { return }
            let trimmed = literal
            if !trimmed.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
                // Whitespace next to a capture is tolerant too: leading or trailing runs match one or more spaces.
                var parts: [PatternNode] = []
                if trimmed.unicodeScalars.first?.properties.isWhitespace == true && !nodes.isEmpty {
                    parts.append(.repetition(.byte(.space), min: 1, max: nil, greedy: true))
                }
                parts.append(.phrase(trimmed))
                if trimmed.unicodeScalars.last?.properties.isWhitespace == true {
                    parts.append(.repetition(.byte(.space), min: 1, max: nil, greedy: true))
                }
                nodes.append(contentsOf: parts)
            } else if !nodes.isEmpty {
                nodes.append(.repetition(.byte(.space), min: 1, max: nil, greedy: true))
            }
            literal = ""
        }

        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "{" && index + 1 < scalars.count && scalars[index + 1] == "{" {
                literal.unicodeScalars.append("{"); index += 2; continue
            }
            if scalar == "}" && index + 1 < scalars.count && scalars[index + 1] == "}" {
                literal.unicodeScalars.append("}"); index += 2; continue
            }
            if scalar == "}" {
                throw PatternError(offset: index, message: "a lone '}' (write '}}' for a literal brace)")
            }
            guard scalar == "{" else {
                literal.unicodeScalars.append(scalar); index += 1; continue
            }
            guard let close = scalars[index...].firstIndex(of: "}") else {
                throw PatternError(offset: index, message: "unbalanced '{': no matching '}' (write '{{' for a literal brace)")
            }
            let body = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
            let parts = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw PatternError(offset: index, message: "expected '{name:type}', found '{\(body)}'")
            }
            let name = String(parts[0]), type = String(parts[1])
            guard name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0)) }) else {
                throw PatternError(offset: index + 1, message: "a capture name may hold only letters, digits and '_', found '\(name)'")
            }
            guard !names.contains(name) else {
                throw PatternError(offset: index + 1, message: "the capture name '\(name)' is used twice")
            }
            flushLiteral()
            names.append(name)
            let captureIndex = names.count
            if type == "text" {
                pendingText = captureIndex
                nodes.append(.capture(.repetition(.byte(.notLineBreak.intersecting(ByteSet(0x0D).inverted)), min: 1, max: nil, greedy: false), index: captureIndex))
            } else {
                guard let inner = typeNodes[type] else {
                    let suggestion = Suggestion.closest(to: type, in: typeNames).map { "; did you mean '\($0)'?" } ?? ""
                    throw PatternError(offset: index + name.count + 2, message: "unknown capture type '\(type)' (expected one of \(typeNames.joined(separator: ", ")))\(suggestion)")
                }
                nodes.append(.capture(inner, index: captureIndex))
                pendingText = nil
            }
            index = close + 1
        }
        flushLiteral()
        if let pendingText, case .capture = nodes.last {
            // A trailing `text` capture takes the rest of the line.
            nodes[nodes.count - 1] = .capture(.repetition(.byte(.notLineBreak.intersecting(ByteSet(0x0D).inverted)), min: 1, max: nil, greedy: true), index: pendingText)
        }
        guard !nodes.isEmpty else { throw PatternError(offset: nil, message: "the template is empty") }
        return (nodes.count == 1 ? nodes[0] : .concatenation(nodes), names)
    }
}

extension ByteSet {
    func intersecting(_ other: ByteSet) -> ByteSet {
        (inverted.union(other.inverted)).inverted
    }

    func union(_ other: ByteSet) -> ByteSet {
        var copy = self
        copy.formUnion(other)
        return copy
    }
}
