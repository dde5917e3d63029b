/// The syntax tree every text condition compiles to: phrases, templates and
/// regular expressions all become one of these before they become a program.
///
/// Only the cases that hold a single node are boxed: a byte set sits in
/// its node, so a phrase's hundred bytes are not a hundred allocations.
enum PatternNode: Sendable {
    /// A zero-width assertion about the position between two bytes.
    enum Assertion: Sendable {
        case lineStart
        case lineEnd
        case wordBoundary
        case notWordBoundary
    }

    case empty
    case byte(ByteSet)
    case concatenation([PatternNode])
    case alternation([PatternNode])
    indirect case repetition(PatternNode, min: Int, max: Int?, greedy: Bool)
    indirect case capture(PatternNode, index: Int)
    case assertion(Assertion)

    /// The captures every match sets: not those inside an optional or
    /// repeated-from-zero part, nor those in only some branches of an alternation.
    var guaranteedCaptures: Set<Int> {
        switch self {
        case .capture(let inner, let index): inner.guaranteedCaptures.union([index])
        case .concatenation(let items): items.reduce(into: []) { $0.formUnion($1.guaranteedCaptures) }
        case .alternation(let branches):
            branches.dropFirst().reduce(branches.first?.guaranteedCaptures ?? []) { $0.intersection($1.guaranteedCaptures) }
        case .repetition(let inner, let min, _, _): min >= 1 ? inner.guaranteedCaptures : []
        case .empty, .byte, .assertion: []
        }
    }

    /// A literal string, compared case-insensitively for ASCII letters.
    static func literal<S: Sequence>(_ bytes: S) -> PatternNode where S.Element == UInt8 {
        let nodes = bytes.map { PatternNode.byte(ByteSet.folded($0)) }
        return nodes.count == 1 ? nodes[0] : .concatenation(nodes)
    }

    /// Literal text as a phrase: case-insensitive, a whitespace run matches
    /// any whitespace run, dashes and quotes match their typographic forms.
    static func phrase(_ text: some StringProtocol) -> PatternNode {
        var nodes: [PatternNode] = []
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII ? ByteSet.space.contains(UInt8(scalar.value)) : scalar.properties.isWhitespace {
                pendingSpace = !nodes.isEmpty
                continue
            }
            if pendingSpace {
                nodes.append(.repetition(.byte(.space), min: 1, max: nil, greedy: true))
                pendingSpace = false
            }
            nodes.append(phraseCharacter(scalar))
        }
        return nodes.count == 1 ? nodes[0] : .concatenation(nodes)
    }

    private static let dashes: [Unicode.Scalar] = ["-", "\u{2013}", "\u{2014}", "\u{2212}"]
    private static let singleQuotes: [Unicode.Scalar] = ["'", "\u{2018}", "\u{2019}"]
    private static let doubleQuotes: [Unicode.Scalar] = ["\"", "\u{201C}", "\u{201D}"]

    private static func phraseCharacter(_ scalar: Unicode.Scalar) -> PatternNode {
        if scalar.isASCII && scalar != "-" && scalar != "'" && scalar != "\"" {
            return .byte(ByteSet.folded(UInt8(scalar.value)))
        }
        for family in [dashes, singleQuotes, doubleQuotes] where family.contains(scalar) {
            var forms = family.map { literal(String($0).utf8) }
            // A double quote inside a JSON string arrives escaped as \".
            if family == doubleQuotes { forms.append(literal(#"\""#.utf8)) }
            return .alternation(forms)
        }
        return literal(String(scalar).utf8)
    }
}
