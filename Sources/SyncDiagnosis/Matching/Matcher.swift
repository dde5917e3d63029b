/// The whole knowledge base compiled into one matcher: a single prefilter
/// pass picks the rules whose required literals occur, and only those are
/// verified.
final class Matcher: Sendable {
    let rules: [Rule]
    private let prefilter: Prefilter
    /// For each prefilter literal, the rules (indexes into `rules`) it makes candidates.
    private let rulesByLiteral: [[Int32]]
    /// Rules with no required literal: evaluated on every input.
    let alwaysEvaluated: [Int]

    init(rules: [Rule]) {
        self.rules = rules
        var literalIDs: [[UInt8]: Int] = [:]
        var literals: [[UInt8]] = []
        var rulesByLiteral: [[Int32]] = []
        var always: [Int] = []
        for (index, rule) in rules.enumerated() {
            guard case .anyOf(let required) = Self.requirement(of: rule.compiled) else {
                always.append(index)
                continue
            }
            for literal in required.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let id = literalIDs[literal] ?? {
                    literals.append(literal)
                    rulesByLiteral.append([])
                    literalIDs[literal] = literals.count - 1
                    return literals.count - 1
                }()
                rulesByLiteral[id].append(Int32(index))
            }
        }
        self.prefilter = Prefilter(literals: literals)
        self.rulesByLiteral = rulesByLiteral
        self.alwaysEvaluated = always
    }

    /// What a whole condition requires of the text (sound: see `Requirement`).
    static func requirement(of condition: CompiledCondition) -> Requirement {
        switch condition {
        case .text(let pattern):
            return pattern.requirement
        case .all(let items):
            return items.reduce(Requirement.unconstrained) { $0.and(requirement(of: $1)) }
        case .any(let items):
            return items.dropFirst().reduce(requirement(of: items[0])) { $0.or(requirement(of: $1)) }
        case .not, .comparison:
            return .unconstrained
        }
    }

    /// The distinct literals the prefilter scans for.
    var literalCount: Int { prefilter.literals.count }

    /// Calls `candidate` once for each rule that may match `text`.
    func forEachCandidate(in text: UnsafeBufferPointer<UInt8>, marks: inout CandidateMarks, _ candidate: (Int) -> Void) {
        marks.nextGeneration()
        for index in alwaysEvaluated { candidate(index) }
        prefilter.scan(text) { literal, _ in
            for rule in rulesByLiteral[literal] where marks.mark(Int(rule)) {
                candidate(Int(rule))
            }
        }
    }
}

/// Remembers which rules were already offered for the current input, without
/// clearing an array per input.
struct CandidateMarks {
    private var stamps: [UInt32]
    private var generation: UInt32 = 0

    init(ruleCount: Int) {
        stamps = [UInt32](repeating: 0, count: ruleCount)
    }

    mutating func nextGeneration() {
        generation &+= 1
        if generation == 0 {
            for index in stamps.indices { stamps[index] = 0 }
            generation = 1
        }
    }

    /// Marks `rule`; false when it was already marked for this input.
    @inline(__always)
    mutating func mark(_ rule: Int) -> Bool {
        if stamps[rule] == generation { return false }
        stamps[rule] = generation
        return true
    }
}
