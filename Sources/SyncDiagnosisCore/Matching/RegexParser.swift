/// Parses the documented regular-expression subset into a `PatternNode`.
///
/// Everything outside the subset (backreferences, lookaround, inline flags,
/// possessive quantifiers, Unicode properties) is rejected with a message
/// that names the construct, so a rule never silently means something else.
struct RegexParser {
    /// The names of the named captures, in order; capture `i` is `names[i - 1]`.
    private(set) var captureNames: [String]
    private let scalars: [Unicode.Scalar]
    private var index = 0
    static let maximumRepeat = 1000

    private init(_ pattern: String, captureNames: [String]) {
        self.scalars = Array(pattern.unicodeScalars)
        self.captureNames = captureNames
    }

    /// Parses `pattern`, numbering its named captures after `existing`.
    static func parse(_ pattern: String, after existing: [String] = []) throws(PatternError) -> (PatternNode, [String]) {
        var parser = RegexParser(pattern, captureNames: existing)
        let node = try parser.parseAlternation()
        if parser.index < parser.scalars.count {
            throw parser.error("unbalanced ')'")
        }
        return (node, parser.captureNames)
    }

    private func error(_ message: String) -> PatternError {
        PatternError(offset: index, message: message)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func parseAlternation() throws(PatternError) -> PatternNode {
        var branches = [try parseConcatenation()]
        while current == "|" {
            index += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(PatternError) -> PatternNode {
        var items: [PatternNode] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            let atom = try parseAtom()
            items.append(try parseQuantifiers(on: atom))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    private mutating func parseQuantifiers(on atom: PatternNode) throws(PatternError) -> PatternNode {
        var node = atom
        while let scalar = current {
            let bounds: (Int, Int?)
            switch scalar {
            case "*": bounds = (0, nil); index += 1
            case "+": bounds = (1, nil); index += 1
            case "?": bounds = (0, 1); index += 1
            case "{":
                guard let parsed = try parseBraces() else { return node }
                bounds = parsed
            default: return node
            }
            if case .assertion = atom { throw error("a quantifier cannot follow an anchor or \\b") }
            var greedy = true
            if current == "?" { greedy = false; index += 1 }
            if current == "+" { throw error("possessive quantifiers are not supported") }
            node = .repetition(node, min: bounds.0, max: bounds.1, greedy: greedy)
        }
        return node
    }

    /// `{m}`, `{m,}`, `{m,n}`; a `{` that starts none of these is a literal.
    private mutating func parseBraces() throws(PatternError) -> (Int, Int?)? {
        let start = index
        index += 1
        guard let min = parseNumber() else { index = start; return nil }
        var max: Int? = min
        if current == "," {
            index += 1
            max = parseNumber()
        }
        guard current == "}" else { index = start; return nil }
        index += 1
        if let max, max < min { throw error("the repetition {\(min),\(max)} has its bounds reversed") }
        if min > Self.maximumRepeat || (max ?? 0) > Self.maximumRepeat {
            throw error("a repetition count above \(Self.maximumRepeat) is not supported")
        }
        return (min, max)
    }

    private mutating func parseNumber() -> Int? {
        var value: Int?
        while let scalar = current, let digit = Int(String(scalar)), scalar.isASCII {
            let next = (value ?? 0) * 10 + digit
            value = next
            if next > 100_000 { return next }
            index += 1
        }
        return value
    }

    private mutating func parseAtom() throws(PatternError) -> PatternNode {
        guard let scalar = current else { throw error("expected an expression") }
        switch scalar {
        case "(": return try parseGroup()
        case "[": return try parseClass()
        case ".": index += 1; return .byte(.notLineBreak)
        case "^": index += 1; return .assertion(.lineStart)
        case "$": index += 1; return .assertion(.lineEnd)
        case "\\": return try parseEscape()
        case "*", "+", "?": throw error("'\(scalar)' has nothing to repeat")
        default:
            index += 1
            return .literal(String(scalar).utf8)
        }
    }

    private mutating func parseGroup() throws(PatternError) -> PatternNode {
        let open = index
        index += 1
        var captureIndex: Int?
        if current == "?" {
            index += 1
            switch current {
            case ":": index += 1
            case "P", "<":
                if current == "P" { index += 1 }
                guard current == "<" else { throw error("expected '<' to start a capture name") }
                index += 1
                if current == "=" || current == "!" { throw error("lookbehind is not supported") }
                let name = try parseCaptureName()
                captureNames.append(name)
                captureIndex = captureNames.count
            case "=", "!": throw error("lookahead is not supported")
            default: throw error("inline flags and other '(?' groups are not supported")
            }
        }
        let inner = try parseAlternation()
        guard current == ")" else {
            throw PatternError(offset: open, message: "unbalanced '(': no matching ')'")
        }
        index += 1
        if let captureIndex { return .capture(inner, index: captureIndex) }
        return inner
    }

    private mutating func parseCaptureName() throws(PatternError) -> String {
        var name = ""
        while let scalar = current, scalar != ">" {
            guard scalar.isASCII, scalar.properties.isAlphabetic || scalar == "_" || ("0"..."9").contains(scalar) else {
                throw error("a capture name may hold only letters, digits and '_'")
            }
            name.unicodeScalars.append(scalar)
            index += 1
        }
        guard current == ">", !name.isEmpty else { throw error("expected a capture name and '>'") }
        index += 1
        if captureNames.contains(name) { throw error("the capture name '\(name)' is used twice") }
        return name
    }

    private mutating func parseEscape() throws(PatternError) -> PatternNode {
        index += 1
        guard let scalar = current else { throw error("a pattern cannot end with '\\'") }
        index += 1
        switch scalar {
        case "b": return .assertion(.wordBoundary)
        case "B": return .assertion(.notWordBoundary)
        case "1"..."9": throw PatternError(offset: index - 2, message: "backreferences are not supported")
        default:
            return .byte(try classEscape(scalar).caseFolded)
        }
    }

    /// The set an escape stands for, inside or outside a class.
    private func classEscape(_ scalar: Unicode.Scalar) throws(PatternError) -> ByteSet {
        switch scalar {
        case "d": return .digits
        case "D": return ByteSet.digits.inverted
        case "w": return .word
        case "W": return ByteSet.word.inverted
        case "s": return .space
        case "S": return ByteSet.space.inverted
        case "t": return ByteSet(0x09)
        case "n": return ByteSet(0x0A)
        case "r": return ByteSet(0x0D)
        case "f": return ByteSet(0x0C)
        case "v": return ByteSet(0x0B)
        default:
            guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
                throw PatternError(offset: index - 2, message: "the escape '\\\(scalar)' is not supported")
            }
            return ByteSet(UInt8(scalar.value))
        }
    }

    private mutating func parseClass() throws(PatternError) -> PatternNode {
        let open = index
        index += 1
        var negated = false
        if current == "^" { negated = true; index += 1 }
        var set = ByteSet()
        var first = true
        while let scalar = current, scalar != "]" || first {
            first = false
            let low = try parseClassMember()
            if current == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                index += 1
                let high = try parseClassMember()
                guard low.count == 1, high.count == 1, let a = low.literalByte, let b = high.literalByte, a <= b else {
                    throw error("invalid range in a character class")
                }
                set.formUnion(ByteSet(ranges: [a...b]))
            } else {
                set.formUnion(low)
            }
            _ = scalar
        }
        guard current == "]" else {
            throw PatternError(offset: open, message: "unbalanced '[': no matching ']'")
        }
        index += 1
        set = set.caseFolded
        return .byte(negated ? set.inverted : set)
    }

    private mutating func parseClassMember() throws(PatternError) -> ByteSet {
        guard let scalar = current else { throw error("unbalanced '['") }
        index += 1
        if scalar == "\\" {
            guard let escaped = current else { throw error("a pattern cannot end with '\\'") }
            index += 1
            return try classEscape(escaped)
        }
        if scalar == "[" && current == ":" { throw error("POSIX classes such as [:alpha:] are not supported") }
        guard scalar.isASCII else {
            throw PatternError(offset: index - 1, message: "non-ASCII characters inside a character class are not supported")
        }
        return ByteSet(UInt8(scalar.value))
    }
}
