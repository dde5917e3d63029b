import Foundation

/// Turns one rule file into a `Rule`, collecting every problem on the way
/// instead of stopping at the first.
struct RuleDecoder {
    static let requiredKeys = [
        "id", "title", "status", "system", "category", "scope", "retryable", "action",
        "cause", "remediation", "references", "match", "examples",
    ]
    static let optionalKeys = ["priority", "notes"]

    private let source: RuleSource
    private(set) var problems: [RuleLoadError.Problem] = []
    private var ruleID: String?
    /// The next free pattern slot: this file's slots start at `slotBase`.
    var nextPatternSlot: Int
    private let slotBase: Int
    /// The pattern each slot of this file was compiled from, while the file is decoded.
    var nodes: [Int: PatternNode] = [:]
    /// A rule may hold at most `1 << slotBits` text conditions.
    static let slotBits = 12

    /// What the file's text patterns outside `not` require, in the order
    /// they are met, when that was worked out before (a built-in rule's
    /// compiled-in requirement tree): working it out again costs more than
    /// the rest of decoding together.
    private let knownRequirements: [Requirement]
    private var nextKnownRequirement = 0
    /// How many `not` conditions enclose the condition being decoded.
    var negationDepth = 0

    /// The final anchors of the file's text patterns, in slot order, when
    /// they were worked out before (a built-in rule's compiled-in anchors):
    /// the patterns of an `all` are then not checked against their siblings again.
    let knownAnchors: [[[Anchor]]]?

    init(source: RuleSource, slotBase: Int, knownRequirements: [Requirement] = [], knownAnchors: [[[Anchor]]]? = nil) {
        self.source = source
        self.slotBase = slotBase
        self.nextPatternSlot = slotBase
        self.knownRequirements = knownRequirements
        self.knownAnchors = knownAnchors
    }

    /// The known final anchors of the pattern in the next slot, if any.
    var nextKnownAnchors: [[Anchor]]? {
        guard let knownAnchors else { return nil }
        let index = nextPatternSlot - slotBase
        return index < knownAnchors.count ? knownAnchors[index] : nil
    }

    /// The requirement of the next text pattern: the known one when there is one.
    mutating func requirement(of node: PatternNode) -> Requirement {
        guard negationDepth == 0, nextKnownRequirement < knownRequirements.count else { return Requirement(node).pruned }
        nextKnownRequirement += 1
        return knownRequirements[nextKnownRequirement - 1]
    }

    var patternSlotsLeft: Bool { nextPatternSlot - slotBase < 1 << Self.slotBits }

    mutating func report(_ field: String, _ position: JSONValue.Position?, _ message: String) {
        problems.append(.init(file: source.path, ruleID: ruleID ?? source.expectedID, field: field,
                              line: position?.line, column: position?.column, message: message))
    }

    mutating func decode() -> Rule? {
        let root: JSONValue
        do {
            root = try JSONParser.parse(source.contents)
        } catch {
            report("", error.position, "malformed JSON: \(error.message)")
            return nil
        }
        guard let members = root.members else {
            report("", root.position, "expected an object holding one rule, found \(root.typeName)")
            return nil
        }
        if let id = root["id"]?.string { ruleID = id }
        checkKeys(members)

        let id = identity(root)
        let title = string(root, "title")
        let status: RuleStatus? = vocabulary(root, "status")
        let category: Category? = vocabulary(root, "category")
        let scope: Scope? = vocabulary(root, "scope")
        let action: NextAction? = vocabulary(root, "action")
        let retryable = boolean(root, "retryable")
        let priority = integer(root, "priority", default: 0, range: -100...100)
        let references = strings(root, "references")
        let causeText = string(root, "cause")
        let remediationText = strings(root, "remediation")

        var captures: [String] = []
        var comparisons: [(String, JSONValue.Position, [String])] = []
        var matched: (Rule.Condition, CompiledCondition)?
        if let match = root["match"] {
            matched = condition(match, field: "match", captures: &captures, comparisons: &comparisons)
        } else {
            report("match", root.position, "missing required field 'match'")
        }
        for (field, position, names) in comparisons {
            for name in names where !captures.contains(name) {
                report(field, position, "the comparison names '\(name)', which no condition of the rule captures")
            }
        }
        let guaranteed = matched?.1.guaranteedFacts ?? []
        let cause = placeholders(causeText, field: "cause", at: root["cause"]?.position, captures: captures, guaranteed: guaranteed)
        let remediation = remediationText.enumerated().compactMap { index, step in
            placeholders(step, field: "remediation[\(index)]", at: root["remediation"]?.elements?[index].position,
                         captures: captures, guaranteed: guaranteed)
        }
        let (matchExamples, noMatchExamples) = examples(root, captures: captures)

        guard problems.isEmpty, let id, let title, let status, let category, let scope, let action,
              let retryable, let priority, let cause, let matched
        else { return nil }
        return Rule(Rule.Fields(
            id: id, title: title, status: status, system: root["system"]?.string ?? "", category: category,
            scope: scope, retryable: retryable, action: action, cause: causeText ?? "",
            remediation: remediationText, references: references, priority: priority,
            condition: matched.0, matchExamples: matchExamples, noMatchExamples: noMatchExamples,
            file: source.path, compiled: matched.1,
            causeTemplate: cause, remediationTemplates: remediation
        ))
    }

    private mutating func checkKeys(_ members: [JSONValue.Member]) {
        let known = Self.requiredKeys + Self.optionalKeys
        var seen = Set<String>()
        for member in members {
            if !seen.insert(member.key).inserted {
                report(member.key, member.keyPosition, "the key '\(member.key)' appears twice")
            }
            guard !known.contains(member.key) else { continue }
            let hint = Suggestion.closest(to: member.key, in: known).map { "; did you mean '\($0)'?" } ?? ""
            report(member.key, member.keyPosition, "unknown key '\(member.key)'\(hint)")
        }
        for key in Self.requiredKeys where !seen.contains(key) && key != "match" {
            report(key, nil, "missing required field '\(key)'")
        }
    }

    private mutating func identity(_ root: JSONValue) -> String? {
        let id = string(root, "id")
        let system = string(root, "system")
        if let id, id != source.expectedID {
            report("id", root["id"]?.position, "the id '\(id)' does not match the file's path: expected '\(source.expectedID)' (files live at <system>/<slug>.json)")
        }
        if let id, !Self.isKebab(id.split(separator: ".", maxSplits: 1).joined(separator: "-")) || !id.contains(".") {
            report("id", root["id"]?.position, "expected '<system>.<slug>' in kebab-case, found '\(id)'")
        }
        if let system, let folder = source.folder, system != folder {
            report("system", root["system"]?.position, "the system '\(system)' does not match the rule's folder '\(folder)'")
        }
        return id
    }

    static func isKebab(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("-") && !text.hasSuffix("-") && !zip(text.utf8, text.utf8.dropFirst()).contains { $0 == 0x2D && $1 == 0x2D }
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
