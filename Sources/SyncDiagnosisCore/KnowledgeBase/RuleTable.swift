import Foundation

/// A rule file compiled into the program, with what its rule requires of a
/// text: checked and worked out when the program was built, so that loading
/// it costs no decoding until the rule is needed.
package struct PrecompiledRule: Sendable {
    /// The rule file.
    package var source: RuleSource
    /// The id its rule declares.
    package var id: String
    /// The rule's `RequirementTree`, encoded.
    package var requirement: String
    /// The anchors of its text patterns, encoded (see `CompiledAnchors`);
    /// empty when they are to be worked out on decoding.
    package var anchors: String
    /// The literals the prefilter scans for on the rule's behalf, chosen
    /// among all the built-in rules (see `Matcher.ChosenLiterals.encode`);
    /// empty when they are to be chosen on loading.
    package var prefilter: String

    /// A checked rule file with its rule's id, encoded requirement tree, anchors and prefilter literals.
    package init(source: RuleSource, id: String, requirement: String, anchors: String = "", prefilter: String = "") {
        self.source = source
        self.id = id
        self.requirement = requirement
        self.anchors = anchors
        self.prefilter = prefilter
    }
}

/// The knowledge base's rules, sorted by id. A rule compiled into the
/// program is decoded the first time a diagnosis needs it, once for all
/// threads; every other rule is decoded when the knowledge base is loaded.
final class RuleTable: @unchecked Sendable {
    enum Entry {
        case decoded(Rule)
        /// A rule file that was checked when the program was built, with
        /// its encoded requirement tree and anchors.
        case deferred(RuleSource, slotBase: Int, requirement: String, anchors: String)
    }

    let ids: [String]
    private var entries: [Entry]
    /// Rules a thread is decoding now.
    private var decoding = Set<Int>()
    private let lock = NSCondition()

    /// `entries` sorted by id, with their ids.
    init(_ rows: [(id: String, entry: Entry)]) {
        ids = rows.map(\.id)
        entries = rows.map(\.entry)
    }

    var count: Int { ids.count }

    /// The rule at `index`, decoding it if this is its first use.
    ///
    /// Decoding runs outside the lock, so threads that need different
    /// rules decode them at the same time; a thread that needs a rule
    /// another thread is decoding waits for it instead of decoding it again.
    func rule(at index: Int) -> Rule {
        lock.lock()
        defer { lock.unlock() }
        while true {
            switch entries[index] {
            case .decoded(let rule):
                return rule
            case .deferred where decoding.contains(index):
                lock.wait()
            case .deferred(let source, let slotBase, let requirement, let anchors):
                decoding.insert(index)
                lock.unlock()
                let known = RequirementTree(encoded: requirement)
                var decoder = RuleDecoder(source: source, slotBase: slotBase, knownRequirements: known?.textRequirements ?? [],
                                          knownAnchors: anchors.isEmpty ? nil : CompiledAnchors.decode(anchors))
                let rule = decoder.decode()
                lock.lock()
                guard let rule, known != nil, decoder.problems.isEmpty else {
                    // The build checks every built-in rule file; reaching this means the program was built wrongly.
                    preconditionFailure("built-in rule file \(source.path) no longer decodes: \(decoder.problems)")
                }
                decoding.remove(index)
                entries[index] = .decoded(rule)
                lock.broadcast()
                return rule
            }
        }
    }

    /// Every rule, decoding those not yet decoded.
    var all: [Rule] { (0..<count).map(rule(at:)) }

    /// The index of the rule with this id.
    func index(of id: String) -> Int? {
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? low : nil
    }
}
