/// A lazily built DFA that tells, in one pass of a table lookup per byte,
/// when a program cannot match a text, so that the Pike VM (which costs
/// far more per byte) runs only where a match is possible.
///
/// Assertions are treated as always holding, so the DFA accepts a superset
/// of the program's matches: "no" is exact, "maybe" sends the text on to the
/// VM. States are made on first use and kept for later texts; past
/// `maximumStates` the filter gives up and answers "maybe".
final class MatchFilter {
    /// The program's own instructions, which it keeps alive.
    private let instructions: UnsafeBufferPointer<Program.Instruction>
    private let program: Program
    /// Bytes that every set of the program treats alike share a class.
    private let classOf: [UInt8]
    private let classCount: Int
    /// Transitions, at `state + class`: the next state, `unknown`, or
    /// `accept` (a match is possible). A state is its row's offset in the
    /// table (its id times `classCount`), which saves a multiplication per byte.
    private var table: [Int32] = []
    /// The byte-waiting instructions of each DFA state, sorted.
    private var states: [[Int32]] = []
    private var ids: [[Int32]: Int32] = [:]
    /// The closure of the start instruction: added at every position (an unanchored search).
    private var start: [Int32] = []
    private var startMatches = false
    private var gaveUp = false
    /// A new state's row: appended by copying, not value by value.
    private let unknownRow: [Int32]

    private static let unknown: Int32 = -1
    private static let accept: Int32 = -2
    static let maximumStates = 128

    init(_ program: Program) {
        instructions = program.instructions
        self.program = program
        var sets: [ByteSet] = []
        var seen = Set<ByteSet>()
        for pc in program.instructions.indices {
            if let set = program.byteSet(at: pc), seen.insert(set).inserted { sets.append(set) }
        }
        // A byte's signature: which of the sets hold it. Programs with more
        // distinct sets than a word has bits are left to the VM alone.
        var classOf = [UInt8](repeating: 0, count: 256)
        var classes: [UInt64: UInt8] = [:]
        if sets.count <= 64 {
            var signatures = [UInt64](repeating: 0, count: 256)
            for (index, set) in sets.enumerated() {
                set.forEachMember { signatures[Int($0)] |= 1 << UInt64(index) }
            }
            for byte in 0...255 {
                if let known = classes[signatures[byte]] {
                    classOf[byte] = known
                } else {
                    classOf[byte] = UInt8(classes.count)
                    classes[signatures[byte]] = UInt8(classes.count)
                }
            }
        } else {
            gaveUp = true
        }
        self.classOf = classOf
        classCount = max(1, classes.count)
        unknownRow = [Int32](repeating: Self.unknown, count: classCount)
        (start, startMatches) = closure(of: [0])
        _ = state(for: start)
    }

    /// False when the program certainly has no match in `text` at or after `offset`.
    func mayMatch(_ text: UnsafeBufferPointer<UInt8>, from offset: Int = 0) -> Bool {
        if gaveUp || startMatches { return true }
        var current: Int32 = 0
        var index = offset
        while true {
            // Known transitions in a tight loop over the table; it stops at the
            // end, at `accept`, or where a state is still to be made.
            let (stop, state, next) = table.withUnsafeBufferPointer { table in
                classOf.withUnsafeBufferPointer { classOf in
                    var (position, state) = (index, current)
                    while position < text.count {
                        let next = table[Int(state) &+ Int(classOf[Int(text[position])])]
                        if next < 0 { return (position, state, next) }
                        state = next
                        position += 1
                    }
                    return (position, state, Int32(0))
                }
            }
            if stop == text.count { return false }
            if next == Self.accept { return true }
            guard let made = step(from: state, on: text[stop]) else { return true }
            table[Int(state) + Int(classOf[Int(text[stop])])] = made
            if made == Self.accept { return true }
            current = made
            index = stop + 1
        }
    }

    /// The state after reading `byte` in `state`, with a fresh start thread added; nil once over the limit.
    private func step(from state: Int32, on byte: UInt8) -> Int32? {
        var targets: [Int32] = []
        for pc in states[Int(state) / classCount] {
            if let set = program.byteSet(at: Int(pc)), set.contains(byte) { targets.append(pc + 1) }
        }
        let (reached, matches) = closure(of: targets)
        if matches { return Self.accept }
        return self.state(for: Array(Set(reached).union(start)).sorted())
    }

    private func state(for pcs: [Int32]) -> Int32? {
        if let id = ids[pcs] { return id }
        guard states.count < Self.maximumStates else {
            gaveUp = true
            return nil
        }
        let id = Int32(states.count * classCount)
        states.append(pcs)
        ids[pcs] = id
        table.append(contentsOf: unknownRow)
        return id
    }

    /// The byte-waiting instructions reachable from `pcs` without reading,
    /// and whether a match is; assertions count as holding.
    private func closure(of pcs: [Int32]) -> ([Int32], Bool) {
        var seen = Set<Int32>()
        var waiting: [Int32] = []
        var matches = false
        var stack = pcs
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch instructions[Int(pc)] {
            case .bytes, .set: waiting.append(pc)
            case .match: matches = true
            case .jump(let target): stack.append(Int32(target))
            case .split(let first, let second): stack.append(Int32(second)); stack.append(Int32(first))
            case .save, .assertion: stack.append(pc + 1)
            }
        }
        return (waiting.sorted(), matches)
    }
}
