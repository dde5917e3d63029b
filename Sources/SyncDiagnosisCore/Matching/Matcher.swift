import Foundation

/// The whole knowledge base compiled into one matcher: a single prefilter
/// pass picks the rules whose required literals occur, and only those are
/// verified.
///
/// The prefilter's automaton is built the first time a diagnoser has seen
/// enough text to make it pay; before that (a pasted message, a short log)
/// each literal is looked for directly, which costs less than building it.
final class Matcher: Sendable {
    /// What the prefilter looks for, by literal id: first the literals that
    /// make rules candidates, then those that only confirm candidates.
    private let literals: [Anchor]
    /// What a scan reads of each literal, by id, in one entry: with
    /// thousands of rules a literal is seldom found, so each array read
    /// for it is a cache miss, and this one array is the only one read
    /// before its rules. One entry more than there are literals, so that
    /// `entries[l + 1]` ends literal `l`'s lists.
    private let entries: [LiteralEntry]
    /// How many of `literals` make rules candidates (the others only confirm).
    private let candidateLiteralCount: Int
    private let automaton: LazyPrefilter
    /// For each prefilter literal, the rules it makes candidates,
    /// flattened: `candidates[entries[l].candidateStart..<entries[l + 1].candidateStart]`.
    /// Each is a rule index times two, plus one when a record must also
    /// meet the rule's second requirement before the rule is verified on
    /// it (in a batch of records).
    private let candidates: [Int32]
    /// For each prefilter literal, the rules (by index) whose second
    /// requirement it meets, flattened the same way.
    private let confirmations: [Int32]

    /// A literal's length, the boundaries it needs, and where its lists start.
    private struct LiteralEntry {
        var length: Int32
        var candidateStart: Int32
        var confirmationStart: Int32
        var edges: Requirement.Edges
    }
    /// Rules with no required literal: evaluated on every input.
    let alwaysEvaluated: [Int]

    /// A matcher for rules whose conditions require `requirements` (by rule index).
    convenience init(requirements: [RequirementTree]) {
        self.init(chosen: Self.chosenLiterals(for: requirements))
    }

    /// A matcher that scans for `chosen` on behalf of each rule (by rule
    /// index; nil for a rule evaluated on every input), as `chosenLiterals(for:)`
    /// picks them.
    init(chosen: [ChosenLiterals?]) {
        var literalIDs: [Anchor: Int] = [:]
        var literals: [Anchor] = []
        var rulesByLiteral: [[Int32]] = []
        var confirmedByLiteral: [[Int32]] = []
        var always: [Int] = []
        var needsConfirmation = [Bool](repeating: false, count: chosen.count)
        func id(of literal: Anchor) -> Int {
            if let known = literalIDs[literal] { return known }
            literals.append(literal)
            rulesByLiteral.append([])
            confirmedByLiteral.append([])
            literalIDs[literal] = literals.count - 1
            return literals.count - 1
        }
        // A rule with no candidate literal is evaluated on every input.
        let chosen = chosen.map { $0?.candidates.isEmpty == false ? $0 : nil }
        for (index, required) in chosen.enumerated() {
            guard let required else {
                always.append(index)
                continue
            }
            for literal in required.candidates { rulesByLiteral[id(of: literal)].append(Int32(index)) }
        }
        let candidateLiteralCount = literals.count
        for (index, required) in chosen.enumerated() {
            guard let confirming = required?.confirming else { continue }
            needsConfirmation[index] = true
            for literal in confirming { confirmedByLiteral[id(of: literal)].append(Int32(index)) }
        }
        self.literals = literals
        self.candidateLiteralCount = candidateLiteralCount
        self.automaton = LazyPrefilter(literals: literals.map(\.bytes))
        self.candidates = rulesByLiteral.flatMap { $0.map { $0 * 2 + (needsConfirmation[Int($0)] ? 1 : 0) } }
        self.confirmations = confirmedByLiteral.flatMap { $0 }
        var entries: [LiteralEntry] = []
        entries.reserveCapacity(literals.count + 1)
        var candidateStart: Int32 = 0, confirmationStart: Int32 = 0
        for (id, literal) in literals.enumerated() {
            entries.append(LiteralEntry(length: Int32(literal.bytes.count), candidateStart: candidateStart,
                                        confirmationStart: confirmationStart, edges: literal.edges))
            candidateStart += Int32(rulesByLiteral[id].count)
            confirmationStart += Int32(confirmedByLiteral[id].count)
        }
        entries.append(LiteralEntry(length: 0, candidateStart: candidateStart, confirmationStart: confirmationStart, edges: []))
        self.entries = entries
        self.alwaysEvaluated = always
    }

    /// The literals the prefilter looks for on behalf of one rule.
    struct ChosenLiterals: Equatable {
        /// One of these occurs in every text the rule matches: an occurrence makes it a candidate.
        var candidates: [Anchor]
        /// Another requirement, when the rule has a selective one: one of
        /// these occurs too, so a record without any is not verified.
        var confirming: [Anchor]?
    }

    /// What a whole condition requires of the text (sound: see `Requirement`),
    /// with alternatives judged by `cost`.
    static func requirement(of condition: RequirementTree, cost: (Set<[UInt8]>) -> (Int, Int, Int) = defaultCost) -> Requirement {
        switch condition {
        case .text(let requirement):
            return requirement
        case .all(let items):
            return items.reduce(Requirement.unconstrained) { $0.and(requirement(of: $1, cost: cost)) }
        case .any(let items):
            // Each alternative contributes its cheapest option; together they are one option.
            var union = Set<[UInt8]>()
            var edges: [[UInt8]: Requirement.Edges] = [:]
            for item in items {
                let alternative = requirement(of: item, cost: cost)
                guard let cheapest = alternative.options.min(by: { cost($0) < cost($1) }) else {
                    return .unconstrained
                }
                union.formUnion(cheapest)
                for literal in cheapest {
                    let sides = alternative.edges(of: literal)
                    edges[literal] = edges[literal].map { $0.intersection(sides) } ?? sides
                }
            }
            return Requirement(options: [union], edges: edges).pruned
        case .unconstrained:
            return .unconstrained
        }
    }

    /// Without knowledge of other rules: prefer the more selective-looking option.
    static func defaultCost(_ option: Set<[UInt8]>) -> (Int, Int, Int) {
        (-Requirement.quality(of: option), option.count, 0)
    }

    /// For each rule, the literals the prefilter scans for, or nil when the
    /// rule must always be evaluated. Of a rule's sound options, the one
    /// whose literals the fewest other rules also use wins, so that a word
    /// many rules share ("request", "record") does not wake them all; the
    /// next best option without a common word, if any, confirms it.
    static func chosenLiterals(for rules: [RequirementTree]) -> [ChosenLiterals?] {
        // How many rules use each literal; a word common in any log wakes its
        // rules on ordinary lines, so it weighs as if every rule used it.
        var usage: [BytesKey: (rules: Int, lastRule: Int)] = [:]
        func count(_ entry: inout (rules: Int, lastRule: Int), in rule: Int) {
            if entry.lastRule != rule { entry = (entry.rules + 1, rule) }
        }
        for (index, rule) in rules.enumerated() {
            rule.forEachLiteral { count(&usage[BytesKey($0), default: (0, -1)], in: index) }
        }
        // Each literal's weight, and how many rules use it.
        var weight = usage.mapValues { (weight: $0.rules, rules: $0.rules) }
        let common = rules.count + 1
        // So does a piece of a common word ("fail" of "failed"), which occurs
        // wherever the word does, and either with punctuation ("exception:").
        for literal in usage.keys {
            let word = Requirement.word(of: literal.bytes)
            if Requirement.commonWords.contains(word) || Requirement.piecesOfCommonWords.contains(word) { weight[literal]!.weight = common }
        }
        // One lookup per literal: the option's heaviest literal, then (as
        // `Requirement.quality`) its weakest, a common word counting half its
        // length; between equals (two common words), the option whose
        // literals fewer rules use.
        let cost = { (option: Set<[UInt8]>) -> (Int, Int, Int) in
            var heaviest = 0, weakest = Int.max, mostUsed = 0
            for literal in option {
                let (used, rules) = weight[BytesKey(literal)] ?? (0, 0)
                heaviest = max(heaviest, used)
                weakest = min(weakest, used == common ? literal.count / 2 : literal.count)
                mostUsed = max(mostUsed, rules)
            }
            return (heaviest, option.isEmpty ? 0 : -weakest, mostUsed)
        }
        return rules.map { rule in
            let requirement = requirement(of: rule, cost: cost)
            let ranked = requirement.options.map { (cost: cost($0), option: $0) }.sorted { $0.cost < $1.cost }
            guard let best = ranked.first else { return nil }
            // A confirming option: no common word (it would be met on most
            // lines anyway), no short literal, nothing shared with the first.
            let second = ranked.dropFirst().first { entry in
                entry.cost.0 < common && -entry.cost.1 >= minimumConfirmingLength && entry.option.isDisjoint(with: best.option)
            }
            return ChosenLiterals(candidates: requirement.anchors(of: best.option), confirming: second.map { requirement.anchors(of: $0.option) })
        }
    }

    /// The shortest literal a confirming option may hold.
    static let minimumConfirmingLength = 4

    /// What the prefilter looks for to make rules candidates, with the boundaries it checks.
    var prefilterLiterals: [Anchor] { Array(literals[..<candidateLiteralCount]) }

    /// Builds the automaton now, if no thread has yet.
    func prepareAutomaton() {
        _ = automaton.get()
    }

    /// Direct literal searches a diagnoser may make (text bytes × literals)
    /// before the automaton is built for it: about what building it costs.
    static let directSearchBudget = 4_000_000

    /// Calls `candidate` once for each rule that may match `text`.
    func forEachCandidate(in text: UnsafeBufferPointer<UInt8>, marks: inout CandidateMarks, _ candidate: (Int) -> Void) {
        marks.nextGeneration()
        for index in alwaysEvaluated { candidate(index) }
        if marks.prefilter == nil {
            let work = text.count * candidateLiteralCount
            if marks.directSearchWork + work <= Self.directSearchBudget {
                marks.directSearchWork += work
                for (id, literal) in literals[..<candidateLiteralCount].enumerated() where Prefilter.occurs(literal.bytes, bounded: literal.edges, in: text) {
                    offer(id, &marks, candidate)
                }
                return
            }
            marks.prefilter = automaton.get()
        }
        guard let prefilter = marks.prefilter else { return }
        prefilter.scan(text) { id, _, end in
            let literal = entries[id]
            if literal.edges.isEmpty || Prefilter.isBounded(text, start: end - Int(literal.length), end: end, literal.edges) {
                offer(id, &marks, candidate)
            }
        }
    }
}

extension Matcher {
    /// Whether scanning `byteCount` bytes record by record would still be
    /// done by direct search (the automaton not yet worth building).
    func prefersDirectSearch(over byteCount: Int, marks: CandidateMarks) -> Bool {
        marks.prefilter == nil && marks.directSearchWork + byteCount * candidateLiteralCount <= Self.directSearchBudget
    }

    /// For records that lie in ascending order, without overlapping, in
    /// one buffer: the rules that may match each record (its first `limit`
    /// bytes), as (record, rule) pairs in record order, each pair once,
    /// written to `pairs`. One automaton pass covers all the records, so a
    /// record no literal occurs in costs only the bytes scanned.
    func candidates(
        inRecords records: [Range<Int>], of buffer: UnsafeBufferPointer<UInt8>, limit: Int,
        marks: inout CandidateMarks, into pairs: inout [RecordCandidate]
    ) {
        pairs.removeAll(keepingCapacity: true)
        guard let first = records.first, let last = records.last else { return }
        let prefilter = marks.prefilter ?? automaton.get()
        marks.prefilter = prefilter
        var hits = marks.takeHits()
        let spanStart = first.lowerBound
        prefilter.scan(UnsafeBufferPointer(rebasing: buffer[spanStart..<last.upperBound])) { id, beginningEnd, end in
            hits.append(PrefilterHit(literal: Int32(truncatingIfNeeded: id), beginningEnd: spanStart + beginningEnd, end: spanStart + end))
        }
        var current = -1
        var record = 0
        for hit in hits {
            let end = hit.end
            // Hits come in the order in which their beginnings end, and a
            // beginning lies in the record its literal lies in, if any: the
            // first record that reaches as far as where it ends (records may adjoin).
            while record < records.count && records[record].upperBound < hit.beginningEnd { record += 1 }
            guard record < records.count else { break }
            let range = records[record]
            let id = Int(hit.literal)
            let literal = entries[id], following = entries[id + 1]
            let examinedEnd = range.lowerBound + min(range.count, limit)
            let start = end - Int(literal.length)
            guard start >= range.lowerBound, end <= examinedEnd else { continue }
            if !literal.edges.isEmpty {
                let text = UnsafeBufferPointer(rebasing: buffer[range.lowerBound..<examinedEnd])
                guard Prefilter.isBounded(text, start: start - range.lowerBound, end: end - range.lowerBound, literal.edges) else { continue }
            }
            if record != current {
                if current >= 0 { confirm(current, &marks, &pairs) }
                enter(current + 1...record, &marks, &pairs)
                current = record
            }
            for position in Int(literal.confirmationStart)..<Int(following.confirmationStart) {
                marks.confirm(Int(confirmations[position]))
            }
            for position in Int(literal.candidateStart)..<Int(following.candidateStart) {
                let entry = Int(candidates[position])
                let rule = entry >> 1
                guard marks.mark(rule) else { continue }
                if entry & 1 != 0 {
                    marks.waiting.append(Int32(rule))
                } else {
                    pairs.append(RecordCandidate(record: record, rule: rule))
                }
            }
        }
        if current >= 0 { confirm(current, &marks, &pairs) }
        if current < records.count - 1 { enter(current + 1...records.count - 1, &marks, &pairs) }
        marks.returnHits(hits)
    }

    /// The waiting candidates of `record` whose confirmation came become
    /// its candidates; the others are dropped.
    @inline(__always)
    private func confirm(_ record: Int, _ marks: inout CandidateMarks, _ pairs: inout [RecordCandidate]) {
        for rule in marks.waiting where marks.isConfirmed(Int(rule)) {
            pairs.append(RecordCandidate(record: record, rule: Int(rule)))
        }
        marks.waiting.removeAll(keepingCapacity: true)
    }

    /// Moves on to the last of `records`: those before it get only the
    /// rules every input gets, and it starts with those.
    @inline(__always)
    private func enter(_ records: ClosedRange<Int>, _ marks: inout CandidateMarks, _ pairs: inout [RecordCandidate]) {
        guard !alwaysEvaluated.isEmpty else {
            marks.nextGeneration()
            return
        }
        for record in records {
            marks.nextGeneration()
            for rule in alwaysEvaluated where marks.mark(rule) { pairs.append(RecordCandidate(record: record, rule: rule)) }
        }
    }

    /// Offers each rule `literal` makes a candidate, once per input.
    @inline(__always)
    private func offer(_ literal: Int, _ marks: inout CandidateMarks, _ candidate: (Int) -> Void) {
        for position in Int(entries[literal].candidateStart)..<Int(entries[literal + 1].candidateStart) {
            let rule = Int(candidates[position]) >> 1
            if marks.mark(rule) { candidate(rule) }
        }
    }
}

extension Matcher.ChosenLiterals {
    /// A rule's chosen literals in the form compiled into the program with
    /// the built-in rules, so that loading them chooses nothing: the
    /// `CompiledAnchors` form of one pattern whose first anchor set holds
    /// the candidate literals and whose second, if any, the confirming
    /// ones; a pattern without sets for a rule evaluated on every input.
    static func encode(_ chosen: Self?) -> String {
        guard let chosen else { return CompiledAnchors.encode([[]]) }
        return CompiledAnchors.encode([[chosen.candidates] + (chosen.confirming.map { [$0] } ?? [])])
    }

    /// Reads the `encode` form: `.some(nil)` for a rule evaluated on every
    /// input, nil when the text is malformed.
    static func decode(_ text: String) -> Self?? {
        guard let patterns = CompiledAnchors.decode(text), patterns.count == 1, patterns[0].count <= 2 else { return nil }
        let sets = patterns[0]
        guard let candidates = sets.first else { return .some(nil) }
        guard !candidates.isEmpty else { return nil }
        return Self(candidates: candidates, confirming: sets.count == 2 ? sets[1] : nil)
    }
}

/// Bytes as a dictionary key, hashed in one pass rather than byte by byte
/// as an array is: choosing the literals looks up every literal of every
/// option of every rule, and a log summary every unmatched shape.
package struct BytesKey: Hashable {
    package let bytes: [UInt8]

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The prefilter automaton, built once on first request, for all threads.
private final class LazyPrefilter: @unchecked Sendable {
    private let literals: [[UInt8]]
    private var built: Prefilter?
    private let lock = NSLock()

    init(literals: [[UInt8]]) {
        self.literals = literals
    }

    func get() -> Prefilter {
        lock.lock()
        defer { lock.unlock() }
        if let built { return built }
        let prefilter = Prefilter(literals: literals)
        built = prefilter
        return prefilter
    }
}

/// A rule that may match a record, by their indices.
struct RecordCandidate {
    var record: Int
    var rule: Int
}

/// Where the prefilter found a literal: its id, and the offsets just past
/// its beginning (the bytes the automaton holds) and just past it.
struct PrefilterHit {
    var literal: Int32
    var beginningEnd: Int
    var end: Int
}

/// Remembers which rules were already offered for the current input, without
/// clearing an array per input.
struct CandidateMarks {
    /// By rule, two generations: at `2 * rule`, the last input the rule
    /// was offered for; at `2 * rule + 1`, the last whose confirming
    /// requirement it met. Side by side, so that a rule costs one cache line.
    private var stamps: [UInt32]
    /// Candidates of the current record that wait for their confirmation.
    var waiting: [Int32] = []
    private var generation: UInt32 = 0
    /// This diagnoser's copy of the automaton, once built.
    var prefilter: Prefilter?
    /// Direct literal searches made so far (text bytes × literals).
    var directSearchWork = 0
    /// Scratch space for the literals a batch scan finds.
    private var hits: [PrefilterHit] = []

    /// The scratch list of hits, emptied; hand it back with `returnHits`.
    mutating func takeHits() -> [PrefilterHit] {
        var taken: [PrefilterHit] = []
        swap(&taken, &hits)
        taken.removeAll(keepingCapacity: true)
        return taken
    }

    mutating func returnHits(_ returned: [PrefilterHit]) {
        hits = returned
    }

    init(ruleCount: Int) {
        stamps = [UInt32](repeating: 0, count: 2 * ruleCount)
    }

    mutating func nextGeneration() {
        generation &+= 1
        if generation == 0 {
            for index in stamps.indices { stamps[index] = 0 }
            generation = 1
        }
    }

    /// Notes that the current input meets `rule`'s confirming requirement.
    @inline(__always)
    mutating func confirm(_ rule: Int) {
        stamps[2 &* rule &+ 1] = generation
    }

    /// Whether the current input met `rule`'s confirming requirement.
    @inline(__always)
    func isConfirmed(_ rule: Int) -> Bool {
        stamps[2 &* rule &+ 1] == generation
    }

    /// Marks `rule`; false when it was already marked for this input.
    @inline(__always)
    mutating func mark(_ rule: Int) -> Bool {
        if stamps[2 &* rule] == generation { return false }
        stamps[2 &* rule] = generation
        return true
    }
}
