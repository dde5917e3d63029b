/// Diagnoses many inputs in a row (the lines of a log, the records of an
/// export), reusing its scratch space between them.
///
/// A diagnoser belongs to one thread at a time; the knowledge base it
/// uses is shared. Make one per thread:
///
/// ```swift
/// var diagnoser = Diagnoser(knowledge)
/// for line in lines {
///     let diagnosis = line.utf8.withContiguousStorageIfAvailable { diagnoser.diagnose($0) }
/// }
/// ```
public struct Diagnoser {
    private let knowledge: KnowledgeBase
    private let options: DiagnosisOptions
    private var evaluator: Evaluator
    private var marks: CandidateMarks
    /// The rules this diagnoser has tried, by rule index: fetched from the
    /// knowledge base once, with no lock or table lookup after that. Held
    /// unretained: the knowledge base keeps every rule it has decoded, and
    /// this diagnoser keeps the knowledge base.
    private var rules: [Rule.Handle?]
    /// Scratch space for the rules a batch of records may match.
    private var recordCandidates: [RecordCandidate] = []
    /// Where `touch(_:table:)` leaves what it read, so that the reads are made.
    private var touchSum: UInt = 0
    /// Scratch space of `touch(_:table:)`: the plans of the candidates it touches.
    private var touchedPlans: [Unmanaged<ConditionPlan>] = []

    /// A diagnoser over `knowledge` with `options`.
    public init(_ knowledge: KnowledgeBase, options: DiagnosisOptions = DiagnosisOptions()) {
        self.knowledge = knowledge
        self.options = options
        self.marks = CandidateMarks(ruleCount: knowledge.table.count)
        self.rules = Array(repeating: nil, count: knowledge.table.count)
        self.evaluator = Evaluator(usesAnchors: options.usesPrefilter)
    }

    /// Diagnoses one input; evidence offsets count from its first byte.
    public mutating func diagnose(_ bytes: UnsafeBufferPointer<UInt8>) -> Diagnosis {
        let examined = min(bytes.count, options.maximumInputBytes)
        let text = UnsafeBufferPointer(rebasing: bytes[..<examined])
        var findings: [Finding] = []
        let matcher = knowledge.matcher
        if options.usesPrefilter {
            matcher.forEachCandidate(in: text, marks: &marks) { index in
                if let finding = Self.finding(index, in: text, table: knowledge.table, rules: &rules, evaluator: &evaluator) {
                    findings.append(finding)
                }
            }
        } else {
            for index in rules.indices {
                if let finding = Self.finding(index, in: text, table: knowledge.table, rules: &rules, evaluator: &evaluator) {
                    findings.append(finding)
                }
            }
        }
        if findings.count > 1 { findings.sort(by: Finding.ranksBefore) }
        return Diagnosis(findings: findings, inputByteCount: bytes.count, examinedByteCount: examined)
    }

    /// Diagnoses each record of `buffer` that `records` names (byte ranges
    /// within it); evidence offsets count from each record's first byte.
    ///
    /// The diagnoses are those of diagnosing the records one by one, in
    /// the order of `records`. When the records lie in ascending order
    /// without overlapping (the lines of a log, read into one buffer), one
    /// prefilter pass covers them all: the way to diagnose many short
    /// records fast. A range outside `buffer` is a programming error.
    public mutating func diagnose(_ buffer: UnsafeBufferPointer<UInt8>, records: [Range<Int>]) -> [Diagnosis] {
        var diagnoses: [Diagnosis] = []
        diagnoses.reserveCapacity(records.count)
        forEachDiagnosis(buffer, records: records, includingEmpty: true) { diagnoses.append($1) }
        return diagnoses
    }

    /// `diagnose(_:records:)` for a log reader that looks only at what
    /// matched: calls `body` with the index (in `records`) and diagnosis of
    /// each record some rule matches, in order, and skips the others.
    package mutating func forEachMatchedRecord(
        _ buffer: UnsafeBufferPointer<UInt8>, records: [Range<Int>], _ body: (Int, Diagnosis) -> Void
    ) {
        forEachDiagnosis(buffer, records: records, includingEmpty: false, body)
    }

    private mutating func forEachDiagnosis(
        _ buffer: UnsafeBufferPointer<UInt8>, records: [Range<Int>], includingEmpty: Bool, _ body: (Int, Diagnosis) -> Void
    ) {
        precondition(records.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= buffer.count }, "a record lies outside the buffer")
        let total = records.reduce(0) { $0 + $1.count }
        let ascending = zip(records, records.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound }
        guard options.usesPrefilter, ascending, !knowledge.matcher.prefersDirectSearch(over: total, marks: marks) else {
            for (index, range) in records.enumerated() {
                let diagnosis = diagnose(UnsafeBufferPointer(rebasing: buffer[range]))
                if includingEmpty || !diagnosis.findings.isEmpty { body(index, diagnosis) }
            }
            return
        }
        let limit = options.maximumInputBytes
        knowledge.matcher.candidates(inRecords: records, of: buffer, limit: limit, marks: &marks, into: &recordCandidates)
        let table = knowledge.table
        var next = 0
        var touchedUpTo = 0
        for (record, range) in records.enumerated() {
            let examined = min(range.count, limit)
            var findings: [Finding] = []
            if next < recordCandidates.count && recordCandidates[next].record == record {
                if next >= touchedUpTo {
                    touchedUpTo = min(next + Self.touchedAhead, recordCandidates.count)
                    touch(recordCandidates[next..<touchedUpTo], table: table)
                }
                let text = UnsafeBufferPointer(rebasing: buffer[range.lowerBound..<(range.lowerBound + examined)])
                while next < recordCandidates.count && recordCandidates[next].record == record {
                    if let finding = Self.finding(recordCandidates[next].rule, in: text, table: table, rules: &rules, evaluator: &evaluator) {
                        findings.append(finding)
                    }
                    next += 1
                }
                if findings.count > 1 { findings.sort(by: Finding.ranksBefore) }
            }
            if includingEmpty || !findings.isEmpty {
                body(record, Diagnosis(findings: findings, inputByteCount: range.count, examinedByteCount: examined))
            }
        }
    }

    /// How many candidates of a batch are touched (see `Evaluator.touch(_:)`)
    /// before they are verified: enough for their cache misses to overlap,
    /// few enough for what they read to stay in cache until it is used.
    private static let touchedAhead = 32

    /// Fetches the condition plans of `pairs`' rules and touches what
    /// verifying them will read first.
    private mutating func touch(_ pairs: ArraySlice<RecordCandidate>, table: RuleTable) {
        touchedPlans.removeAll(keepingCapacity: true)
        for pair in pairs { touchedPlans.append(Self.handle(pair.rule, table: table, rules: &rules).plan) }
        touchSum &+= touchedPlans.withUnsafeBufferPointer { evaluator.touch($0) }
    }

    /// Rule `index`, fetched from the table on first use.
    @inline(__always)
    private static func handle(_ index: Int, table: RuleTable, rules: inout [Rule.Handle?]) -> Rule.Handle {
        if let known = rules[index] { return known }
        let handle = table.rule(at: index).handle
        rules[index] = handle
        return handle
    }

    private static func finding(
        _ index: Int, in text: UnsafeBufferPointer<UInt8>, table: RuleTable,
        rules: inout [Rule.Handle?], evaluator: inout Evaluator
    ) -> Finding? {
        let handle = handle(index, table: table, rules: &rules)
        return handle.plan._withUnsafeGuaranteedRef { evaluator.finding(of: $0, in: text) { handle.rule } }
    }
}
