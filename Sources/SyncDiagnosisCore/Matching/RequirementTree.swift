/// What a rule's condition requires of a text, without its compiled
/// programs: all the matcher needs to choose the rule's prefilter literals.
///
/// The built-in rules' trees are worked out when the library is built and
/// stored in `encoded` form, so that loading them needs no rule decoding.
package indirect enum RequirementTree: Sendable, Equatable {
    /// A phrase, template or regular expression.
    case text(Requirement)
    case all([RequirementTree])
    case any([RequirementTree])
    /// `not` and comparisons: they require nothing of the text.
    case unconstrained

    /// The requirements of the tree's text patterns, depth first: the
    /// order a rule decoder meets the patterns outside `not`.
    var textRequirements: [Requirement] {
        var out: [Requirement] = []
        func visit(_ tree: RequirementTree) {
            switch tree {
            case .text(let requirement): out.append(requirement)
            case .all(let items), .any(let items): items.forEach(visit)
            case .unconstrained: break
            }
        }
        visit(self)
        return out
    }

    /// Calls `body` with every literal of every text pattern in the tree
    /// (a literal used in several places, once for each).
    func forEachLiteral(_ body: ([UInt8]) -> Void) {
        switch self {
        case .text(let requirement):
            for option in requirement.options {
                for literal in option { body(literal) }
            }
        case .all(let items), .any(let items):
            for item in items { item.forEachLiteral(body) }
        case .unconstrained:
            break
        }
    }
}

extension CompiledCondition {
    /// The condition's requirements, shaped like the condition.
    var requirementTree: RequirementTree {
        switch self {
        case .text(let pattern): .text(pattern.requirement.forPrefilter)
        case .all(let items): .all(items.map(\.requirementTree))
        case .any(let items): .any(items.map(\.requirementTree))
        case .not, .comparison: .unconstrained
        }
    }
}

extension Rule {
    /// What the rule's condition requires of a text.
    package var requirementTree: RequirementTree { compiled.requirementTree }
}

// MARK: - Encoding

extension RequirementTree {
    /// A compact, deterministic text form: `t[...]` for a text pattern (options
    /// separated by `;`, literals within an option by `,`, each literal in
    /// hex followed by `<` and `>` where it sits at a word boundary before
    /// and after), `a(...)` for all, `y(...)` for any, `u` for unconstrained.
    package var encoded: String {
        var out = ""
        encode(into: &out)
        return out
    }

    private func encode(into out: inout String) {
        switch self {
        case .text(let requirement):
            out += "t["
            out += requirement.options.map { option in
                option.map { literal in
                    let edges = requirement.edges[literal] ?? []
                    var text: [UInt8] = []
                    LiteralText.append(literal, edges: edges, to: &text)
                    return String(decoding: text, as: UTF8.self)
                }.sorted().joined(separator: ",")
            }.joined(separator: ";")
            out += "]"
        case .all(let items):
            out += "a("
            for item in items { item.encode(into: &out) }
            out += ")"
        case .any(let items):
            out += "y("
            for item in items { item.encode(into: &out) }
            out += ")"
        case .unconstrained:
            out += "u"
        }
    }

    /// Reads the `encoded` form; nil when it is malformed.
    package init?(encoded: String) {
        var reader = Reader(bytes: Array(encoded.utf8))
        guard let tree = reader.tree(), reader.index == reader.bytes.count else { return nil }
        self = tree
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func tree() -> RequirementTree? {
            guard index < bytes.count else { return nil }
            let tag = bytes[index]
            index += 1
            switch tag {
            case UInt8(ascii: "u"):
                return .unconstrained
            case UInt8(ascii: "a"), UInt8(ascii: "y"):
                guard take(UInt8(ascii: "(")) else { return nil }
                var items: [RequirementTree] = []
                while !take(UInt8(ascii: ")")) {
                    guard let item = tree() else { return nil }
                    items.append(item)
                }
                return tag == UInt8(ascii: "a") ? .all(items) : .any(items)
            case UInt8(ascii: "t"):
                guard take(UInt8(ascii: "[")) else { return nil }
                var options: [Set<[UInt8]>] = []
                var edges: [[UInt8]: Requirement.Edges] = [:]
                var option = Set<[UInt8]>()
                var literal: [UInt8] = []
                var sides: Requirement.Edges = []
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    switch byte {
                    case UInt8(ascii: "<"), UInt8(ascii: ">"):
                        guard !literal.isEmpty else { return nil }
                        sides.insert(byte == UInt8(ascii: "<") ? .before : .after)
                    case UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "]"):
                        if !literal.isEmpty {
                            option.insert(literal)
                            edges[literal] = sides
                        }
                        literal = []
                        sides = []
                        if byte != UInt8(ascii: ","), !option.isEmpty {
                            options.append(option)
                            option = []
                        }
                        if byte == UInt8(ascii: "]") { return .text(Requirement(options: options, edges: edges)) }
                    default:
                        guard sides.isEmpty else { return nil }
                        guard index < bytes.count, let high = LiteralText.nibble(byte), let low = LiteralText.nibble(bytes[index]) else { return nil }
                        index += 1
                        literal.append(high << 4 | low)
                    }
                }
                return nil
            default:
                return nil
            }
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
    }
}

/// A literal as the compiled-in forms write it (requirement trees, anchors):
/// its bytes in lowercase hex, then `<` and `>` where it sits at a word
/// boundary before and after.
enum LiteralText {
    private static let digits = Array("0123456789abcdef".utf8)

    static func append(_ literal: [UInt8], edges: Requirement.Edges, to out: inout [UInt8]) {
        for byte in literal {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        if edges.contains(.before) { out.append(UInt8(ascii: "<")) }
        if edges.contains(.after) { out.append(UInt8(ascii: ">")) }
    }

    /// The value of a lowercase hex digit.
    static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
