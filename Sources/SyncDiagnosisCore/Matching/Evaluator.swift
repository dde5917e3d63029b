/// Evaluates compiled conditions against one text, reusing a Pike VM per
/// pattern across calls. One evaluator serves one thread at a time.
struct Evaluator {
    /// Machines by pattern slot, made when a pattern is first evaluated:
    /// most inputs touch only a few of the knowledge base's patterns.
    /// Held unretained here (`owned` keeps them), so that a lookup costs
    /// no reference counting.
    private var machines = MachineTable()
    private var owned: [PikeVM] = []
    /// Scratch space every machine's searches share.
    private let space = SearchSpace()
    /// Whether to search for a pattern's anchor literal before running its machine.
    private let usesAnchors: Bool
    /// Scratch space of `touch(_:)`: the plans' pattern lists, then their patterns.
    private var touchedLists: [(UnsafeMutablePointer<Unmanaged<TextPattern>>, Int)] = []
    private var touchedPatterns: [Unmanaged<TextPattern>] = []

    init(usesAnchors: Bool = true) {
        self.usesAnchors = usesAnchors
    }

    /// The capture slots of the pattern's first match in `text`, if any.
    /// `screened`: `cannotMatchAll` already checked this pattern against the text.
    mutating func firstMatch(_ pattern: TextPattern, in text: UnsafeBufferPointer<UInt8>, screened: Bool = false) -> [Int]? {
        guard screened || !usesAnchors || pattern.anchorOccurs(in: text) else { return nil }
        let space = self.space
        if let machine = machines.machine(for: pattern.slot) {
            return machine._withUnsafeGuaranteedRef { $0.firstMatch(in: text, space: space, screened: screened) }
        }
        let machine = PikeVM(pattern.program)
        owned.append(machine)
        machines.insert(Unmanaged.passUnretained(machine), for: pattern.slot)
        return machine.firstMatch(in: text, space: space)
    }

    /// Reads a little of everything evaluating `plans` first reads (their
    /// nodes, their patterns' anchors and programs, the patterns'
    /// machines), and returns a sum of it that the caller keeps, so that
    /// the reads are made. With thousands of rules, a rule is seldom
    /// verified and all of this is out of cache: a verification waits for
    /// one miss after another. Touched for many plans in stages, each
    /// stage one read per plan or pattern that depends on nothing else
    /// read in that stage, the misses of a stage all overlap instead.
    /// Most rules hold one or two patterns; past the fourth, touching
    /// would cost more than it saves.
    mutating func touch(_ plans: UnsafeBufferPointer<Unmanaged<ConditionPlan>>) -> UInt {
        var sum: UInt = 0
        // Stage 1: each plan's own fields, and where its patterns are listed.
        touchedLists.removeAll(keepingCapacity: true)
        for plan in plans {
            plan._withUnsafeGuaranteedRef { plan in
                sum &+= UInt(plan.nodes.count)
                touchedLists.append((plan.patterns.baseAddress!, min(plan.patternCount, 4)))
            }
        }
        // Stage 2: the patterns those lists name.
        touchedPatterns.removeAll(keepingCapacity: true)
        for (list, count) in touchedLists {
            for index in 0..<count { touchedPatterns.append(list[index]) }
        }
        // Stage 3: each pattern's own fields and the first bytes of its anchors and program.
        for pattern in touchedPatterns {
            sum &+= pattern._withUnsafeGuaranteedRef { $0.touch() }
        }
        // Stage 4: the patterns' machines, made on their first match attempt.
        for pattern in touchedPatterns {
            let slot = pattern._withUnsafeGuaranteedRef { $0.slot }
            if let machine = machines.machine(for: slot) { sum &+= machine._withUnsafeGuaranteedRef { $0.touch() } }
        }
        return sum
    }

    /// True when some text item of an `all` certainly does not match
    /// `text`, found without running a machine: first by the anchors of
    /// every item (a literal search each), then by their filters.
    private func cannotMatchAll(_ items: UnsafeMutableBufferPointer<Int32>, of plan: ConditionPlan, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard usesAnchors else { return false }
        for item in items {
            if case .text(let index) = plan.nodes[Int(item)], !plan.withPattern(index, { $0.anchorOccurs(in: text) }) { return true }
        }
        for item in items {
            if case .text(let index) = plan.nodes[Int(item)] {
                let slot = plan.withPattern(index) { $0.slot }
                if let machine = machines.machine(for: slot), !machine._withUnsafeGuaranteedRef({ $0.mayMatch(text) }) { return true }
            }
        }
        return false
    }

    /// Whether `pattern` matches `text`; on success its evidence span and facts are appended.
    private mutating func match(
        _ pattern: TextPattern, in text: UnsafeBufferPointer<UInt8>, screened: Bool,
        facts: inout [Finding.Fact], spans: inout [Range<Int>]
    ) -> Bool {
        guard let slots = firstMatch(pattern, in: text, screened: screened) else { return false }
        spans.append(slots[0]..<slots[1])
        for (index, name) in pattern.captureNames.enumerated() {
            let start = slots[2 * (index + 1)], end = slots[2 * (index + 1) + 1]
            if start >= 0 && end >= start {
                facts.append(Finding.Fact(name: name, value: String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)))
            }
        }
        return true
    }

    /// Whether the plan's node `node` holds; on success its evidence spans and facts are appended.
    mutating func evaluate(
        _ plan: ConditionPlan, node: Int, in text: UnsafeBufferPointer<UInt8>,
        facts: inout [Finding.Fact], spans: inout [Range<Int>]
    ) -> Bool {
        switch plan.nodes[node] {
        case .text(let index):
            return plan.withPattern(index) { match($0, in: text, screened: false, facts: &facts, spans: &spans) }
        case .all(let start, let count):
            let items = plan.items(start, count)
            // Every item must hold: one that cheap checks rule out settles it
            // before any machine runs (the status number of an HTTP rule
            // matches on many log lines; the wording around it seldom does).
            if cannotMatchAll(items, of: plan, in: text) { return false }
            let (factCount, spanCount) = (facts.count, spans.count)
            for item in items {
                let holds = if case .text(let index) = plan.nodes[Int(item)] {
                    plan.withPattern(index) { match($0, in: text, screened: true, facts: &facts, spans: &spans) }
                } else {
                    evaluate(plan, node: Int(item), in: text, facts: &facts, spans: &spans)
                }
                if !holds {
                    facts.removeSubrange(factCount...)
                    spans.removeSubrange(spanCount...)
                    return false
                }
            }
            return true
        case .any(let start, let count):
            var matched = false
            for item in plan.items(start, count) where evaluate(plan, node: Int(item), in: text, facts: &facts, spans: &spans) {
                matched = true
            }
            return matched
        case .not(let inner):
            var ignoredFacts: [Finding.Fact] = []
            var ignoredSpans: [Range<Int>] = []
            return !evaluate(plan, node: Int(inner), in: text, facts: &ignoredFacts, spans: &ignoredSpans)
        case .comparison(let index):
            return plan.comparisons[Int(index)].holds(with: facts)
        }
    }

    /// A finding for `rule` if it matches `text`; offsets are shifted by `base`.
    mutating func finding(for rule: Rule, in text: UnsafeBufferPointer<UInt8>, base: Int = 0) -> Finding? {
        finding(of: rule.plan, in: text, base: base) { rule }
    }

    /// A finding for the rule whose condition's plan is `plan`, if it
    /// matches `text`; the rule itself is fetched only then.
    mutating func finding(
        of plan: ConditionPlan, in text: UnsafeBufferPointer<UInt8>, base: Int = 0, rule: () -> Rule
    ) -> Finding? {
        var facts: [Finding.Fact] = []
        var spans: [Range<Int>] = []
        guard evaluate(plan, node: 0, in: text, facts: &facts, spans: &spans) else { return nil }
        let ordered = Self.merged(spans)
        let evidence = spans.sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }.map {
            Finding.Evidence(start: $0.lowerBound + base, end: $0.upperBound + base,
                             text: String(decoding: UnsafeBufferPointer(rebasing: text[$0]), as: UTF8.self))
        }
        return Finding(
            rule: rule(),
            facts: facts,
            evidence: evidence,
            specificity: ordered.reduce(0) { $0 + $1.count }
        )
    }

    /// The union of the spans as disjoint ranges.
    static func merged(_ spans: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, span.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                result.append(span)
            }
        }
        return result
    }
}

extension Finding {
    /// The ranking: priority, then specificity, then rule id.
    static func ranksBefore(_ a: Finding, _ b: Finding) -> Bool {
        if a.rule.priority != b.rule.priority { return a.rule.priority > b.rule.priority }
        if a.specificity != b.specificity { return a.specificity > b.specificity }
        return a.rule.id < b.rule.id
    }
}

/// An evaluator's machines by pattern slot: open addressing with linear
/// probing, each slot beside its machine. With thousands of rules a pattern
/// is seldom tried, so its entry is seldom in cache; here a lookup reads one
/// entry (a `Dictionary` reads its bitmap, then its keys, then its values,
/// after hashing the slot in full).
struct MachineTable {
    private var entries: [(slot: Int, machine: Unmanaged<PikeVM>?)] = Array(repeating: (0, nil), count: 64)
    private var count = 0

    /// The slot's place to start probing: the slot's bits spread by a multiplication (slots are sparse and regular).
    @inline(__always)
    private func home(of slot: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(slot)) &* 0x9E37_79B9_7F4A_7C15) >> 32) & (entries.count - 1)
    }

    /// The machine of `slot`, if one was inserted.
    @inline(__always)
    func machine(for slot: Int) -> Unmanaged<PikeVM>? {
        var index = home(of: slot)
        while let machine = entries[index].machine {
            if entries[index].slot == slot { return machine }
            index = (index + 1) & (entries.count - 1)
        }
        return nil
    }

    /// Adds the machine of a slot that has none yet.
    mutating func insert(_ machine: Unmanaged<PikeVM>, for slot: Int) {
        if 2 * (count + 1) > entries.count {
            let old = entries
            entries = Array(repeating: (0, nil), count: 2 * old.count)
            count = 0
            for entry in old { if let known = entry.machine { insert(known, for: entry.slot) } }
        }
        var index = home(of: slot)
        while entries[index].machine != nil { index = (index + 1) & (entries.count - 1) }
        entries[index] = (slot, machine)
        count += 1
    }
}
