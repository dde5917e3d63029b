/// The literals a condition needs: at least one of them must occur in the
/// text for the condition to match. The prefilter relies on this, so every
/// derivation here must be sound: when unsure, say `.unconstrained`.
enum Requirement: Sendable, Equatable {
    /// Nothing is known; the condition must always be evaluated.
    case unconstrained
    /// At least one of these lowercased, whitespace-free literals occurs in any matching text.
    case anyOf(Set<[UInt8]>)

    /// Literals shorter than this filter too little to be worth scanning for.
    static let minimumLength = 3

    private static let commonWords: Set<[UInt8]> = Set([
        "error", "the", "failed", "failure", "exception", "request", "server", "and", "for",
        "with", "was", "not", "http", "https", "message", "status", "code", "from", "this", "that",
    ].map { Array($0.utf8) })

    /// How selective a requirement is: the score of its weakest literal.
    var quality: Int {
        switch self {
        case .unconstrained: return 0
        case .anyOf(let literals):
            return literals.map { literal in
                Self.commonWords.contains(literal) ? literal.count / 2 : literal.count
            }.min() ?? 0
        }
    }

    /// Keeps the requirement only when it is selective enough to help.
    var pruned: Requirement {
        quality >= Self.minimumLength ? self : .unconstrained
    }

    /// Both must hold: either one alone is a sound requirement, so keep the better.
    func and(_ other: Requirement) -> Requirement {
        other.quality > quality ? other : self
    }

    /// Either may hold: the text needs a literal of one or the other.
    func or(_ other: Requirement) -> Requirement {
        guard case .anyOf(let a) = self, case .anyOf(let b) = other else { return .unconstrained }
        return .anyOf(a.union(b))
    }

    /// The requirement of a compiled pattern.
    init(_ node: PatternNode) {
        switch node {
        case .empty, .assertion:
            self = .unconstrained
        case .byte(let set):
            self = set.literalByte.map { .anyOf([[$0]]) } ?? .unconstrained
        case .capture(let inner, _):
            self = Requirement(inner)
        case .repetition(let inner, let min, _, _):
            self = min >= 1 ? Requirement(inner) : .unconstrained
        case .alternation(let branches):
            self = branches.dropFirst().reduce(Requirement(branches[0])) { $0.or(Requirement($1)) }
        case .concatenation(let items):
            self = Self.concatenation(items)
        }
    }

    /// Runs of adjacent literal characters form literals; the best run or
    /// sub-requirement wins.
    private static func concatenation(_ items: [PatternNode]) -> Requirement {
        var best = Requirement.unconstrained
        var run: [UInt8] = []
        func closeRun() {
            if !run.isEmpty { best = best.and(.anyOf([run])) }
            run = []
        }
        for item in items {
            if case .byte(let set) = item, let byte = set.literalByte, !ByteSet.space.contains(byte) {
                run.append(byte)
            } else {
                closeRun()
                best = best.and(Requirement(item))
            }
        }
        closeRun()
        return best
    }
}
