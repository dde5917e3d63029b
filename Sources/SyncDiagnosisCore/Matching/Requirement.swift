/// The literals a condition needs. Each option is a set of lowercased,
/// whitespace-free literals at least one of which occurs in every text the
/// condition matches; the prefilter may use any one option. No option means
/// the condition must always be evaluated. Every derivation here must be
/// sound: when unsure, offer no option.
package struct Requirement: Sendable, Equatable {
    var options: [Set<[UInt8]>]
    /// For each literal of the options, the sides on which every place it
    /// was derived from sits at a word boundary: there the text cannot have
    /// a word byte next to it. Lets a search reject "404" inside "140412".
    var edges: [[UInt8]: Edges] = [:]

    /// Sides of a literal where the pattern guarantees a word boundary.
    struct Edges: OptionSet, Hashable, Sendable {
        let rawValue: UInt8
        static let before = Edges(rawValue: 1)
        static let after = Edges(rawValue: 2)
    }

    static let unconstrained = Requirement(options: [])

    /// Literals shorter than this filter too little to be worth scanning for.
    static let minimumLength = 3

    /// Words so frequent in logs that a literal made of one filters little.
    static let commonWords: Set<[UInt8]> = Set([
        "error", "the", "failed", "failure", "exception", "request", "server", "and", "for",
        "with", "was", "not", "http", "https", "message", "status", "code", "from", "this", "that",
        "info", "debug", "warn", "warning", "trace", "entity", "record", "records", "batch", "processed",
        "worker", "user", "value", "field", "type", "data", "time", "name", "object", "response",
        "connection", "service", "true", "false", "null", "sync", "run", "job", "task", "thread",
        // Names of the things sync jobs move: every log of such a job mentions them.
        "account", "contact", "calendar", "mailbox", "invoice", "product", "order", "lead", "student",
        "teacher", "group", "item", "folder", "file", "document", "event", "customer", "entry", "table",
        // How sync jobs report progress: positions, pages, attempts, timings.
        "cursor", "offset", "page", "attempt", "retry", "retrying", "duration", "started", "completed", "finished",
        // Dynamics 365 tables every sales sync logs.
        "salesorder", "opportunity",
    ].map { Array($0.utf8) })

    /// The substrings of common words long enough to be literals, the words themselves excluded.
    static let piecesOfCommonWords: Set<[UInt8]> = {
        var pieces = Set<[UInt8]>()
        for word in commonWords where word.count > minimumLength {
            for start in 0...(word.count - minimumLength) {
                for end in (start + minimumLength)...word.count where end - start < word.count {
                    pieces.insert(Array(word[start..<end]))
                }
            }
        }
        return pieces.subtracting(commonWords)
    }()

    var isUnconstrained: Bool { options.isEmpty }

    /// The options, with the edges of just their literals: what the
    /// prefilter needs, in a form that compares equal however it was derived.
    var forPrefilter: Requirement {
        var sides: [[UInt8]: Edges] = [:]
        for literal in options.joined() { sides[literal] = edges[literal] ?? [] }
        return Requirement(options: options, edges: sides)
    }

    /// The sides of `literal` that sit at a word boundary.
    func edges(of literal: [UInt8]) -> Edges { edges[literal] ?? [] }

    /// The literals of `option`, in a fixed order, each with its sides.
    func anchors(of option: Set<[UInt8]>) -> [Anchor] {
        option.sorted { $0.lexicographicallyPrecedes($1) }.map { Anchor(bytes: $0, edges: edges(of: $0)) }
    }

    /// How selective an option is on its own: the score of its weakest
    /// literal. A literal in `avoiding` scores nothing.
    static func quality(of option: Set<[UInt8]>, avoiding: Set<[UInt8]> = []) -> Int {
        option.map { avoiding.contains($0) ? 0 : commonWords.contains(word(of: $0)) ? $0.count / 2 : $0.count }.min() ?? 0
    }

    /// `literal` without the non-word bytes at its ends: "exception:" and
    /// "'result':" occur wherever "exception" and "result" do, with punctuation.
    static func word(of literal: [UInt8]) -> [UInt8] {
        guard let first = literal.firstIndex(where: { ByteSet.word.contains($0) }),
              let last = literal.lastIndex(where: { ByteSet.word.contains($0) }) else { return literal }
        return first == 0 && last == literal.count - 1 ? literal : Array(literal[first...last])
    }

    /// Up to four of the most selective options, for checking a text before
    /// running a pattern's machine: every option holds in every match.
    var anchors: [[Anchor]] {
        strongest(4).map(anchors(of:))
    }

    /// Keeps only the options selective enough to help.
    var pruned: Requirement {
        Requirement(options: options.filter { Self.quality(of: $0) >= Self.minimumLength }, edges: edges)
    }

    /// Both must hold: any option of either is sound.
    ///
    /// A literal both sides derive, one with more guaranteed boundaries
    /// than the other (`\b(521|522)\b` beside `error:? *521`), keeps the
    /// stronger edges: the weaker side's options holding it are dropped,
    /// so every option left that holds it comes from the stronger side.
    /// Dropping an option never makes a requirement unsound.
    func and(_ other: Requirement) -> Requirement {
        var mine = options, theirs = other.options
        var edges = Self.merged(self.edges, other.edges)
        let myLiterals = Set(options.joined()), theirLiterals = Set(other.options.joined())
        for literal in myLiterals.intersection(theirLiterals) {
            let (a, b) = (self.edges(of: literal), other.edges(of: literal))
            if a.isStrictSuperset(of: b) {
                theirs.removeAll { $0.contains(literal) }
                edges[literal] = a
            } else if b.isStrictSuperset(of: a) {
                mine.removeAll { $0.contains(literal) }
                edges[literal] = b
            }
        }
        return Requirement(options: mine + theirs, edges: edges)
    }

    /// Edges of literals derived in several places: only the sides all of them guarantee.
    private static func merged(_ a: [[UInt8]: Edges], _ b: [[UInt8]: Edges]) -> [[UInt8]: Edges] {
        a.merging(b) { $0.intersection($1) }
    }

    /// One of several may hold. Option `i` of the result joins each
    /// alternative's `i`-th strongest option (or its weakest, when it has
    /// fewer): each is sound, and the matcher picks the one fewest rules share.
    static func either(_ alternatives: [Requirement], avoiding: Set<[UInt8]> = []) -> Requirement {
        guard !alternatives.isEmpty, alternatives.allSatisfy({ !$0.isUnconstrained }) else { return .unconstrained }
        let ranked = alternatives.map { $0.strongest(pairingWidth, avoiding: avoiding) }
        let width = ranked.map(\.count).max() ?? 0
        let combined = (0..<width).map { rank in
            ranked.reduce(into: Set<[UInt8]>()) { union, options in union.formUnion(options[min(rank, options.count - 1)]) }
        }
        return Requirement(options: combined, edges: alternatives.reduce(into: [:]) { $0 = merged($0, $1.edges) })
    }

    /// How many alternative options `either` offers.
    private static let pairingWidth = 4

    /// The `count` options that look most selective without knowing the other rules.
    private func strongest(_ count: Int, avoiding: Set<[UInt8]> = []) -> [Set<[UInt8]>] {
        Array(options.map { ($0, Self.quality(of: $0, avoiding: avoiding)) }.sorted { ($0.1, -$0.0.count) > ($1.1, -$1.0.count) }.prefix(count).map(\.0))
    }

    init(options: [Set<[UInt8]>], edges: [[UInt8]: Edges] = [:]) {
        self.options = options
        self.edges = edges
    }

    /// The requirement of a compiled pattern. Where a choice is made (the
    /// options an alternation offers), literals in `avoiding` come last.
    init(_ node: PatternNode, avoiding: Set<[UInt8]> = []) {
        switch node {
        case .empty, .assertion:
            self = .unconstrained
        case .byte(let set):
            self = set.literalByte.map { Requirement(options: [[[$0]]]) } ?? .unconstrained
        case .capture(let inner, _):
            self = Requirement(inner, avoiding: avoiding)
        case .repetition(let inner, let min, _, _):
            self = min >= 1 ? Requirement(inner, avoiding: avoiding) : .unconstrained
        case .alternation(let branches):
            self = Self.either(branches.map { Requirement($0, avoiding: avoiding) }, avoiding: avoiding)
        case .concatenation(let items):
            self = Self.concatenation(items, avoiding: avoiding)
        }
    }

    /// Anchors for a pattern whose sibling patterns in an `all` already
    /// guarantee the literals in `given`: a set holding one of those passes
    /// whenever the siblings do, so the sets here do without them. Common
    /// words are welcome: the rule was woken by a rarer literal already,
    /// and a log line without any of the words still fails at once.
    static func anchors(of node: PatternNode, given: Set<[UInt8]>) -> [[Anchor]] {
        let requirement = Requirement(node, avoiding: given)
        let useful = requirement.options.filter { option in
            option.allSatisfy { !given.contains($0) && $0.count >= minimumLength }
        }
        return Requirement(options: useful, edges: requirement.edges).anchors
    }

    /// Runs of adjacent literal characters form literals; each run and each
    /// other item's requirement is an option. Captures consume nothing, so
    /// their contents join the runs around them. A small choice inside a
    /// run (`[_-]`, a dash or quote of a phrase, `(?:521|522)`) multiplies
    /// it into variants, one of which every match holds: `invalid[_-]client`
    /// requires `invalid_client` or `invalid-client`, not just `client`.
    private static func concatenation(_ items: [PatternNode], avoiding: Set<[UInt8]>) -> Requirement {
        let items = flattened(items)
        var options: [Set<[UInt8]>] = []
        var edges: [[UInt8]: Edges] = [:]
        var runs: [[UInt8]] = []
        var runStart = 0
        func flush(before end: Int) {
            guard !runs.isEmpty else { return }
            for run in runs {
                var sides: Edges = []
                if ByteSet.word.contains(run[0]), runStart > 0, bounds(items[runStart - 1]) { sides.insert(.before) }
                if ByteSet.word.contains(run[run.count - 1]), end < items.count, bounds(items[end]) { sides.insert(.after) }
                edges[run] = edges[run].map { $0.intersection(sides) } ?? sides
            }
            options.append(Set(runs))
            runs = []
        }
        for (index, item) in items.enumerated() {
            if let choices = literalChoices(item) {
                if !runs.isEmpty && runs.count * choices.count > maximumVariants { flush(before: index) }
                if runs.isEmpty {
                    runStart = index
                    runs = choices
                } else {
                    runs = runs.flatMap { run in choices.map { run + $0 } }
                }
                continue
            }
            flush(before: index)
            let inner = Requirement(item, avoiding: avoiding)
            options += inner.options
            edges.merge(inner.edges) { $0.intersection($1) }
        }
        flush(before: items.count)
        return Requirement(options: options, edges: edges)
    }

    /// How many variants of a literal run are kept before the run is cut.
    /// An alternation with more branches still starts a run of its own, so
    /// its literals get the boundaries of its neighbours (`\b(521|522|…)\b`).
    static let maximumVariants = 16

    /// The byte strings (lowercased) `item` matches when they hold no
    /// blank: a literal byte, a small set of bytes, or an alternation of
    /// literal runs. Nil for anything else.
    private static func literalChoices(_ item: PatternNode) -> [[UInt8]]? {
        switch item {
        case .byte(let set):
            if let byte = set.literalByte { return ByteSet.space.contains(byte) ? nil : [[byte]] }
            guard set.count <= 8 else { return nil }
            var folded = Set<UInt8>()
            var blank = false
            set.forEachMember { byte in
                if ByteSet.space.contains(byte) { blank = true }
                folded.insert((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
            }
            return blank || folded.count > 4 ? nil : folded.sorted().map { [$0] }
        case .alternation(let branches):
            let runs = branches.compactMap(literalRun)
            guard runs.count == branches.count, !runs.isEmpty else { return nil }
            var seen = Set<[UInt8]>()
            return runs.filter { seen.insert($0).inserted }
        default:
            return nil
        }
    }

    /// The bytes of `node` when it is a run of literal non-blank bytes, possibly captured.
    private static func literalRun(_ node: PatternNode) -> [UInt8]? {
        switch node {
        case .byte(let set):
            return set.literalByte.flatMap { ByteSet.space.contains($0) ? nil : [$0] }
        case .concatenation(let items):
            var run: [UInt8] = []
            for item in items {
                guard case .byte(let set) = item, let byte = set.literalByte, !ByteSet.space.contains(byte) else { return nil }
                run.append(byte)
            }
            return run.isEmpty ? nil : run
        case .capture(let inner, _):
            return literalRun(inner)
        default:
            return nil
        }
    }

    /// The items with captures opened up, for finding literal runs.
    private static func flattened(_ items: [PatternNode]) -> [PatternNode] {
        items.flatMap { item -> [PatternNode] in
            switch item {
            case .capture(.concatenation(let inner), _): flattened(inner)
            case .capture(let inner, _): flattened([inner])
            default: [item]
            }
        }
    }

    /// Whether a word byte next to `item` must be at a word boundary: `item`
    /// is a `\b` assertion or consumes only non-word bytes.
    private static func bounds(_ item: PatternNode) -> Bool {
        switch item {
        case .assertion(.wordBoundary): true
        case .byte(let set): set.isDisjoint(with: .word)
        case .repetition(.byte(let set), let min, _, _): min >= 1 && set.isDisjoint(with: .word)
        default: false
        }
    }
}

/// A literal a pattern's matches contain, with the sides on which the
/// pattern guarantees a word boundary: what the prefilter and a pattern's
/// anchor check look for.
struct Anchor: Sendable, Hashable {
    var bytes: [UInt8]
    var edges: Requirement.Edges
}
