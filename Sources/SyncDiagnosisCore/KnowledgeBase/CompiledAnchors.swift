/// The anchors of every text pattern of a rule, in pattern-slot order, in a
/// compact text form compiled into the program with the built-in rules: a
/// rule decoded on first use takes them as they are instead of working them
/// out again (for an `all`, from its siblings' literals).
///
/// The form: `p` starts a pattern, `s` one of its anchor sets, and a set's
/// literals are written as `LiteralText` does, separated by `,`.
enum CompiledAnchors {
    static func encode(_ patterns: [[[Anchor]]]) -> String {
        var out: [UInt8] = []
        for sets in patterns {
            out.append(UInt8(ascii: "p"))
            for set in sets {
                out.append(UInt8(ascii: "s"))
                for (position, anchor) in set.enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    LiteralText.append(anchor.bytes, edges: anchor.edges, to: &out)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads the `encode` form; nil when it is malformed.
    static func decode(_ text: String) -> [[[Anchor]]]? {
        var patterns: [[[Anchor]]] = []
        var literal: [UInt8] = []
        var edges: Requirement.Edges = []
        var high: UInt8?
        /// A `,` was read: a literal must follow.
        var literalDue = false
        /// Ends the literal being read, if any, into the last set.
        func endLiteral() -> Bool {
            guard high == nil else { return false }
            guard !literal.isEmpty else { return edges.isEmpty && !literalDue }
            literalDue = false
            guard !patterns.isEmpty, !patterns[patterns.count - 1].isEmpty else { return false }
            let last = patterns.count - 1
            patterns[last][patterns[last].count - 1].append(Anchor(bytes: literal, edges: edges))
            literal = []
            edges = []
            return true
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "p"):
                guard endLiteral() else { return nil }
                patterns.append([])
            case UInt8(ascii: "s"):
                guard endLiteral(), !patterns.isEmpty else { return nil }
                patterns[patterns.count - 1].append([])
            case UInt8(ascii: ","):
                guard !literal.isEmpty, endLiteral() else { return nil }
                literalDue = true
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                guard !literal.isEmpty, high == nil else { return nil }
                edges.insert(byte == UInt8(ascii: "<") ? .before : .after)
            default:
                guard edges.isEmpty, let value = LiteralText.nibble(byte) else { return nil }
                if let first = high {
                    literal.append(first << 4 | value)
                    high = nil
                } else {
                    high = value
                }
            }
        }
        guard endLiteral() else { return nil }
        return patterns
    }
}

extension Rule {
    /// The anchors of the rule's text patterns, in slot order, encoded for
    /// compiling into the program.
    package var encodedAnchors: String {
        CompiledAnchors.encode(compiled.patterns.sorted { $0.slot < $1.slot }.map(\.anchors))
    }
}
