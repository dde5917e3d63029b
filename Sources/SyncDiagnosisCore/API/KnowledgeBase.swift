import Dispatch
import Foundation

/// The loaded, compiled rules: immutable, and safe to share across threads.
///
/// Load it once, then diagnose any number of inputs:
///
/// ```swift
/// let knowledge = try KnowledgeBase.builtIn()
/// let diagnosis = knowledge.diagnose("A limit on the number of snapshot records is exceeded (10000/10040/0)")
/// if let best = diagnosis.best {
///     print(best.rule.category, best.cause)
///     best.remediation.forEach { print("-", $0) }
/// }
/// ```
///
/// Loading throws ``RuleLoadError`` with every problem in every file;
/// diagnosing never throws.
public struct KnowledgeBase: Sendable {
    let table: RuleTable
    let matcher: Matcher

    /// Every rule, sorted by id.
    public var rules: [Rule] { table.all }

    /// Compiles rule files given in layers: within a layer ids must be unique;
    /// a later layer's rule replaces an earlier layer's rule with the same id.
    /// Rules whose ids are in `disabled` are left out.
    public init(layers: [[RuleSource]], disabling disabled: Set<String> = []) throws(RuleLoadError) {
        try self.init(precompiled: [], layers: layers, disabling: disabled)
    }

    /// Like `init(layers:disabling:)`, with a first layer of rule files that
    /// were checked when the program was built: they are decoded only when a
    /// diagnosis first needs them.
    package init(precompiled: [PrecompiledRule], layers: [[RuleSource]], disabling disabled: Set<String> = []) throws(RuleLoadError) {
        var problems: [RuleLoadError.Problem] = []
        /// Each rule's table entry, and what the prefilter needs of it.
        var byID: [String: (entry: RuleTable.Entry, prefilter: PrefilterInput)] = [:]
        // The built-in rules alone come with their prefilter literals chosen
        // when the program was built; with rule files of the user's, the
        // choice weighs every rule's literals, so it is made here.
        let choices = layers.allSatisfy(\.isEmpty) ? Self.prefilterChoices(of: precompiled) : nil
        let requirements = choices == nil ? Self.requirements(of: precompiled) : []
        for (index, file) in precompiled.enumerated() {
            let prefilter: PrefilterInput
            if let choices {
                prefilter = .chosen(choices[index])
            } else if let requirement = requirements[index] {
                prefilter = .requirement(requirement)
            } else {
                problems.append(.init(file: file.source.path, ruleID: file.id, field: "match", message: "the compiled-in requirement cannot be read"))
                continue
            }
            let entry = RuleTable.Entry.deferred(file.source, slotBase: Self.slotBase(layer: 0, file: index), requirement: file.requirement, anchors: file.anchors)
            byID[file.id] = (entry, prefilter)
        }
        let firstLayer = precompiled.isEmpty ? 0 : 1
        for (offset, layer) in layers.enumerated() {
            var seen: [String: String] = [:]
            for (source, decoded) in zip(layer, Self.decode(layer, layerIndex: firstLayer + offset)) {
                problems += decoded.problems
                guard let rule = decoded.rule else { continue }
                if let first = seen[rule.id] {
                    problems.append(.init(file: source.path, ruleID: rule.id, field: "id", message: "duplicate id: '\(first)' already defines it"))
                    continue
                }
                seen[rule.id] = source.path
                byID[rule.id] = (.decoded(rule), .requirement(rule.requirementTree))
            }
        }
        for id in disabled.sorted() where byID.removeValue(forKey: id) == nil {
            let hint = Suggestion.closest(to: id, in: byID.keys).map { "; did you mean '\($0)'?" } ?? ""
            problems.append(.init(file: "--disable", ruleID: id, field: "", message: "no rule has this id\(hint)"))
        }
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        let rows = byID.sorted { $0.key < $1.key }
        table = RuleTable(rows.map { ($0.key, $0.value.entry) })
        if choices != nil {
            matcher = Matcher(chosen: rows.map { if case .chosen(let chosen) = $0.value.prefilter { chosen } else { nil } })
        } else {
            matcher = Matcher(requirements: rows.map { if case .requirement(let tree) = $0.value.prefilter { tree } else { .unconstrained } })
        }
    }

    /// What the matcher is built from for one rule: its requirement tree,
    /// or the literals already chosen for it when the program was built.
    private enum PrefilterInput {
        case requirement(RequirementTree)
        case chosen(Matcher.ChosenLiterals?)
    }

    /// The literals the prefilter scans for on behalf of each of `rules`,
    /// chosen among them all, in the form compiled into the program with
    /// the built-in rules (`PrecompiledRule.prefilter`).
    package static func encodedPrefilterChoices(for rules: [Rule]) -> [String] {
        Matcher.chosenLiterals(for: rules.map(\.requirementTree)).map(Matcher.ChosenLiterals.encode)
    }

    /// The prefilter literals compiled in with `files`, by file; nil when
    /// any file lacks them or they cannot be read (they are then chosen anew).
    private static func prefilterChoices(of files: [PrecompiledRule]) -> [Matcher.ChosenLiterals?]? {
        var choices: [Matcher.ChosenLiterals?] = []
        choices.reserveCapacity(files.count)
        for decoded in readInRuns(files, { Matcher.ChosenLiterals.decode($0.prefilter) }) {
            guard let chosen = decoded else { return nil }
            choices.append(chosen)
        }
        return choices
    }

    /// The first pattern slot of a file's rule: every pattern of the
    /// knowledge base has a slot of its own, so that the evaluator can tell them apart.
    private static func slotBase(layer: Int, file: Int) -> Int {
        (layer << 40) | (file << RuleDecoder.slotBits)
    }

    /// The compiled-in requirement of each file.
    private static func requirements(of files: [PrecompiledRule]) -> [RequirementTree?] {
        readInRuns(files) { RequirementTree(encoded: $0.requirement) }
    }

    /// What `read` makes of each file, by file, read on every core in runs
    /// of files (one file is too little work to hand out alone).
    private static func readInRuns<Value>(_ files: [PrecompiledRule], _ read: @escaping @Sendable (PrecompiledRule) -> Value) -> [Value] {
        let run = 64
        let results = ResultSlots<Value>(count: files.count)
        DispatchQueue.concurrentPerform(iterations: (files.count + run - 1) / run) { part in
            for index in (part * run)..<min(files.count, (part + 1) * run) {
                results.set(index, read(files[index]))
            }
        }
        return results.collect()
    }

    /// Decodes a layer's files on every core.
    private static func decode(_ layer: [RuleSource], layerIndex: Int) -> [(rule: Rule?, problems: [RuleLoadError.Problem])] {
        let results = ResultSlots<(rule: Rule?, problems: [RuleLoadError.Problem])>(count: layer.count)
        DispatchQueue.concurrentPerform(iterations: layer.count) { index in
            var decoder = RuleDecoder(source: layer[index], slotBase: slotBase(layer: layerIndex, file: index))
            let rule = decoder.decode()
            results.set(index, (rule, decoder.problems))
        }
        return results.collect()
    }

    /// Starts building the prefilter's automaton on another thread, for a
    /// caller about to diagnose a long input: its first records then wait
    /// less for it, or not at all. Diagnosing works the same without it.
    package func prepareForLongInput() {
        let matcher = self.matcher
        DispatchQueue.global().async { matcher.prepareAutomaton() }
    }

    /// The rule with this id, if loaded.
    public func rule(withID id: String) -> Rule? {
        table.index(of: id).map(table.rule(at:))
    }

    /// Diagnoses one message (a pasted error, a log excerpt): every matching
    /// rule as a finding, best first. Never throws; no match is an empty result.
    public func diagnose(_ text: String, options: DiagnosisOptions = DiagnosisOptions()) -> Diagnosis {
        diagnose(bytes: Array(text.utf8), options: options)
    }

    /// Diagnoses raw bytes, which need not be valid UTF-8.
    public func diagnose(bytes: [UInt8], options: DiagnosisOptions = DiagnosisOptions()) -> Diagnosis {
        var diagnoser = Diagnoser(self, options: options)
        return bytes.withUnsafeBufferPointer { diagnoser.diagnose($0) }
    }
}

/// Fixed slots that concurrent workers fill, each its own index, once.
private final class ResultSlots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Value>
    private var filled: Int

    init(count: Int) {
        storage = .allocate(capacity: count)
        filled = count
    }

    /// Called exactly once per index, from any thread; no two calls share an index.
    func set(_ index: Int, _ value: Value) {
        storage.initializeElement(at: index, to: value)
    }

    /// The values, once every index was set; the slots are then released.
    func collect() -> [Value] {
        let values = Array(storage)
        _ = storage.deinitialize()
        storage.deallocate()
        filled = 0
        return values
    }
}
