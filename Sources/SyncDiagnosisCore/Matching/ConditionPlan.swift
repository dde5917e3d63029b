/// A compiled condition laid out flat for evaluation: its nodes in one
/// block, an `all` or `any` naming its items by index, and its text
/// patterns held without reference counting.
///
/// Walking a `CompiledCondition` retains and releases every node and
/// pattern it passes (the payloads of an indirect enum), which on a log
/// with thousands of candidate rules per second was about a tenth of the
/// time, and more where threads share the same rules' counts. A plan is
/// built once per rule and walked by index. It keeps its patterns alive
/// itself, and is immutable once built: hence the unchecked `Sendable`.
final class ConditionPlan: @unchecked Sendable {
    enum Node {
        /// Pattern `patterns[index]`.
        case text(Int32)
        /// The items `children[start ..< start + count]` (node indices).
        case all(start: Int32, count: Int32)
        case any(start: Int32, count: Int32)
        /// The node at this index.
        case not(Int32)
        /// `comparisons[index]`.
        case comparison(Int32)
    }

    /// The root is node 0.
    let nodes: UnsafeMutableBufferPointer<Node>
    let children: UnsafeMutableBufferPointer<Int32>
    let patterns: UnsafeMutableBufferPointer<Unmanaged<TextPattern>>
    let comparisons: [Comparison]
    /// How many entries `patterns` holds.
    let patternCount: Int
    /// The strong references behind `patterns`.
    private let retained: [TextPattern]

    init(_ condition: CompiledCondition) {
        var builder = Builder()
        _ = builder.add(condition)
        nodes = .allocate(capacity: builder.nodes.count)
        _ = nodes.initialize(from: builder.nodes)
        children = .allocate(capacity: max(1, builder.children.count))
        _ = children.initialize(from: builder.children)
        retained = builder.patterns
        patterns = .allocate(capacity: max(1, builder.patterns.count))
        _ = patterns.initialize(from: builder.patterns.map { Unmanaged.passUnretained($0) })
        comparisons = builder.comparisons
        patternCount = builder.patterns.count
    }

    /// `body` applied to pattern `index`, without retaining it.
    @inline(__always)
    func withPattern<Result>(_ index: Int32, _ body: (TextPattern) -> Result) -> Result {
        patterns[Int(index)]._withUnsafeGuaranteedRef(body)
    }

    /// The item node indices of the `all` or `any` whose items start at `start`.
    @inline(__always)
    func items(_ start: Int32, _ count: Int32) -> UnsafeMutableBufferPointer<Int32> {
        UnsafeMutableBufferPointer(rebasing: children[Int(start)..<Int(start + count)])
    }

    deinit {
        nodes.deallocate()
        children.deallocate()
        patterns.deallocate()
    }

    private struct Builder {
        var nodes: [Node] = []
        var children: [Int32] = []
        var patterns: [TextPattern] = []
        var comparisons: [Comparison] = []

        /// Adds `condition` and everything below it; returns its node index.
        mutating func add(_ condition: CompiledCondition) -> Int32 {
            let index = Int32(nodes.count)
            switch condition {
            case .text(let pattern):
                nodes.append(.text(Int32(patterns.count)))
                patterns.append(pattern)
            case .comparison(let comparison):
                nodes.append(.comparison(Int32(comparisons.count)))
                comparisons.append(comparison)
            case .not(let inner):
                nodes.append(.not(0))
                nodes[Int(index)] = .not(add(inner))
            case .all(let items), .any(let items):
                nodes.append(.not(0))   // a placeholder until the items are in
                let added = items.map { add($0) }
                let start = Int32(children.count)
                children += added
                let isAll = if case .all = condition { true } else { false }
                nodes[Int(index)] = isAll ? .all(start: start, count: Int32(added.count)) : .any(start: start, count: Int32(added.count))
            }
            return index
        }
    }
}
