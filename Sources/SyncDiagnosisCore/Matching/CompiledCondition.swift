import Foundation

/// A rule condition ready to evaluate: text conditions hold their programs.
indirect enum CompiledCondition: Sendable {
    case text(TextPattern)
    case all([CompiledCondition])
    case any([CompiledCondition])
    case not(CompiledCondition)
    case comparison(Comparison)

    /// Every text pattern in the condition, depth first.
    var patterns: [TextPattern] {
        switch self {
        case .text(let pattern): [pattern]
        case .all(let items), .any(let items): items.flatMap(\.patterns)
        case .not(let inner): inner.patterns
        case .comparison: []
        }
    }

    /// Every fact name some text pattern of the condition can capture.
    var captureNames: [String] { patterns.flatMap(\.captureNames) }

    /// The facts every match of the condition captures.
    var guaranteedFacts: Set<String> {
        switch self {
        case .text(let pattern): pattern.guaranteedFacts
        case .all(let items): items.reduce(into: []) { $0.formUnion($1.guaranteedFacts) }
        case .any(let items):
            items.dropFirst().reduce(items.first?.guaranteedFacts ?? []) { $0.intersection($1.guaranteedFacts) }
        case .not, .comparison: []
        }
    }
}

/// A phrase, template or regular expression, compiled. A class, so that
/// evaluating a condition passes one reference instead of copying fields.
final class TextPattern: @unchecked Sendable {
    let program: Program
    /// Capture `i` (1-based) is named `captureNames[i - 1]`.
    let captureNames: [String]
    /// The captures every match of the pattern sets.
    let guaranteedFacts: Set<String>
    let requirement: Requirement
    /// Sets of literals (lowercased): any match contains one literal of
    /// every set, at a word boundary where the anchor says so. Checked
    /// before running the machine, which costs far more than a search.
    let anchors: [[Anchor]]
    /// For each anchor set of more than a few literals, an automaton that
    /// looks for all of them in one pass instead of one search each.
    private let anchorAutomata: [Prefilter?]
    /// The anchors laid out in one block: an entry per literal, then the
    /// literals' bytes. Checking them touches one allocation and takes no
    /// references, which counts when thousands of rules are each tried
    /// rarely. Written only by `init`: hence the unchecked `Sendable`.
    private let flatAnchors: UnsafeMutableRawBufferPointer
    private let flatAnchorCount: Int
    /// This pattern's index in its knowledge base, for per-search scratch space.
    let slot: Int

    /// Anchor sets with at least this many literals are searched with an automaton.
    static let automatonThreshold = 4

    /// One literal of the flat layout, or a whole set searched with an automaton.
    private struct FlatAnchor {
        /// Where the literal's bytes start, from the start of the block.
        var offset: Int32
        var count: Int32
        var edges: Requirement.Edges
        /// The last entry of its set.
        var endsSet: Bool
        /// The set is searched with `anchorAutomata[set]` (one entry stands for it).
        var usesAutomaton: Bool
        var set: Int32
    }

    init(program: Program, captureNames: [String], guaranteedFacts: Set<String>, requirement: Requirement, anchors: [[Anchor]], slot: Int) {
        self.program = program
        self.captureNames = captureNames
        self.guaranteedFacts = guaranteedFacts
        self.requirement = requirement
        self.anchors = anchors
        let automata = anchors.map { set in
            set.count >= Self.automatonThreshold && !set.contains(where: \.bytes.isEmpty) ? Prefilter(literals: set.map(\.bytes)) : nil
        }
        self.anchorAutomata = automata
        self.slot = slot
        var entries: [FlatAnchor] = []
        var bytes: [UInt8] = []
        for (index, set) in anchors.enumerated() {
            if automata[index] != nil {
                entries.append(FlatAnchor(offset: 0, count: 0, edges: [], endsSet: true, usesAutomaton: true, set: Int32(index)))
            } else if set.isEmpty {
                // No literal of an empty set can occur: the set is never satisfied.
                entries.append(FlatAnchor(offset: 0, count: -1, edges: [], endsSet: true, usesAutomaton: false, set: Int32(index)))
            } else {
                for (position, anchor) in set.enumerated() {
                    entries.append(FlatAnchor(offset: Int32(bytes.count), count: Int32(anchor.bytes.count), edges: anchor.edges,
                                              endsSet: position == set.count - 1, usesAutomaton: false, set: Int32(index)))
                    bytes += anchor.bytes
                }
            }
        }
        let header = entries.count * MemoryLayout<FlatAnchor>.stride
        for index in entries.indices { entries[index].offset += Int32(header) }
        flatAnchors = .allocate(byteCount: max(1, header + bytes.count), alignment: MemoryLayout<FlatAnchor>.alignment)
        flatAnchorCount = entries.count
        entries.withUnsafeBytes { flatAnchors.copyMemory(from: $0) }
        bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: flatAnchors[header...]).copyMemory(from: $0) }
    }

    deinit {
        flatAnchors.deallocate()
    }

    /// The same pattern, checked against other anchors.
    func with(anchors: [[Anchor]]) -> TextPattern {
        TextPattern(program: program, captureNames: captureNames, guaranteedFacts: guaranteedFacts,
                    requirement: requirement, anchors: anchors, slot: slot)
    }

    /// Reads the first bytes of the anchors and of the program, so that
    /// they are in cache when the pattern is checked: see `Evaluator.touch(_:)`.
    @inline(__always)
    func touch() -> UInt {
        var sum = UInt(flatAnchorCount)
        if let base = flatAnchors.baseAddress { sum &+= UInt(base.load(as: UInt8.self)) }
        if let first = program.instructions.baseAddress { sum &+= UInt(UnsafeRawPointer(first).load(as: UInt8.self)) }
        return sum
    }

    /// Whether `text` contains a literal of every anchor set (ASCII case-insensitively).
    func anchorOccurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard flatAnchorCount > 0, let base = flatAnchors.baseAddress else { return true }
        let entries = base.assumingMemoryBound(to: FlatAnchor.self)
        var index = 0
        while index < flatAnchorCount {
            let first = entries[index]
            if first.usesAutomaton {
                let set = Int(first.set)
                guard anchorAutomata[set]!.firstBoundedOccurrence(in: text, of: anchors[set]) else { return false }
                index += 1
                continue
            }
            // The set's literals in turn: the first that occurs satisfies it.
            var satisfied = false
            while true {
                let entry = entries[index]
                index += 1
                if !satisfied && entry.count >= 0 {
                    let literal = UnsafeBufferPointer(start: (base + Int(entry.offset)).assumingMemoryBound(to: UInt8.self), count: Int(entry.count))
                    satisfied = Prefilter.occurs(literal, bounded: entry.edges, in: text)
                }
                if entry.endsSet { break }
            }
            guard satisfied else { return false }
        }
        return true
    }
}

/// A comparison of two numbers, each a captured fact or a literal.
struct Comparison: Sendable {
    enum Operand: Sendable, Equatable {
        case fact(String)
        case number(Double)
    }

    enum Operator: String, Sendable, CaseIterable {
        case greaterOrEqual = ">=", lessOrEqual = "<=", equal = "==", notEqual = "!="
        case greater = ">", less = "<"
    }

    var left: Operand
    var op: Operator
    var right: Operand

    /// Parses `count > limit`, `retryAfter >= 60`.
    init?(_ source: String) {
        for candidate in Operator.allCases {
            let parts = source.split(separator: candidate.rawValue, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { continue }
            guard let left = Self.operand(parts[0]), let right = Self.operand(parts[1]) else { return nil }
            self.left = left
            self.op = candidate
            self.right = right
            return
        }
        return nil
    }

    private static func operand(_ text: String) -> Operand? {
        let trimmed = text.trimmed
        if let number = Double(trimmed) { return .number(number) }
        guard let first = trimmed.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
              trimmed.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0) })
        else { return nil }
        return .fact(trimmed)
    }

    var factNames: [String] {
        [left, right].compactMap { if case .fact(let name) = $0 { name } else { nil } }
    }

    func holds(with facts: [Finding.Fact]) -> Bool {
        guard let a = value(left, facts), let b = value(right, facts) else { return false }
        switch op {
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .equal: return a == b
        case .notEqual: return a != b
        }
    }

    private func value(_ operand: Operand, _ facts: [Finding.Fact]) -> Double? {
        switch operand {
        case .number(let number): return number
        case .fact(let name):
            guard let text = facts.last(where: { $0.name == name })?.value else { return nil }
            return Self.number(from: text)
        }
    }

    /// Reads a captured number, ignoring thousands separators and a leading `+`.
    static func number(from text: String) -> Double? {
        var cleaned = text.filter { $0 != "," }
        if cleaned.hasPrefix("+") { cleaned.removeFirst() }
        if cleaned.lowercased().hasPrefix("0x") { return UInt64(cleaned.dropFirst(2), radix: 16).map(Double.init) }
        return Double(cleaned)
    }
}
