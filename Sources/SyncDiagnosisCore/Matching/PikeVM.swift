/// Runs a `Program` over bytes in time proportional to input × program size,
/// with leftmost-first (Perl-like) match and capture semantics.
///
/// Thread lists hold only the threads that wait on a byte (or have matched);
/// the states passed through on the way there are marked per step with a
/// generation number, so nothing is cleared between steps.
struct PikeVM {
    private let program: Program
    private var current: ThreadList
    private var next: ThreadList
    private var stack: [Frame] = []
    private var scratch: [Int]
    private var marks: [UInt32]
    private var generation: UInt32 = 0

    private enum Frame {
        case explore(Int)
        case restore(slot: Int, value: Int)
    }

    private struct ThreadList {
        var pcs: [Int]
        var count = 0
        var slots: [Int]
        var generation: UInt32 = 0

        init(size: Int, slotCount: Int) {
            pcs = [Int](repeating: 0, count: size)
            slots = [Int](repeating: -1, count: size * slotCount)
        }
    }

    init(_ program: Program) {
        self.program = program
        let size = program.instructions.count
        current = ThreadList(size: size, slotCount: program.slotCount)
        next = ThreadList(size: size, slotCount: program.slotCount)
        scratch = [Int](repeating: -1, count: program.slotCount)
        marks = [UInt32](repeating: 0, count: size)
    }

    private mutating func newGeneration() -> UInt32 {
        generation &+= 1
        if generation == 0 {
            for index in marks.indices { marks[index] = 0 }
            generation = 1
        }
        return generation
    }

    /// The first match at or after `start`: its capture slots (byte offsets, -1 when unset).
    mutating func firstMatch(in text: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> [Int]? {
        current.count = 0
        current.generation = newGeneration()
        var matched: [Int]?
        var position = start
        let end = text.count
        let width = program.slotCount
        while position <= end {
            if matched == nil {
                if current.count == 0 {
                    // No thread alive: the marks of the last step belong to another position.
                    current.generation = newGeneration()
                    if let first = program.firstBytes {
                        // Jump to the next byte that can begin a match.
                        while position < end && !first.contains(text[position]) { position += 1 }
                        if position == end { break }
                    }
                }
                for slot in 0..<width { scratch[slot] = -1 }
                // Threads already alive outrank the new one: it goes last.
                Self.addThread(to: &current, pc: 0, at: position, in: text, program: program,
                               stack: &stack, scratch: &scratch, marks: &marks)
            }
            if current.count == 0 {
                // The start thread died at once (a failed assertion): try the next position.
                if matched != nil || position == end { break }
                position += 1
                continue
            }
            next.count = 0
            next.generation = newGeneration()
            let byte: UInt8? = position < end ? text[position] : nil
            var index = 0
            while index < current.count {
                let pc = current.pcs[index]
                switch program.instructions[pc] {
                case .byte(let set):
                    if let byte, set.contains(byte) {
                        let base = index * width
                        for slot in 0..<width { scratch[slot] = current.slots[base + slot] }
                        Self.addThread(to: &next, pc: pc + 1, at: position + 1, in: text, program: program,
                                       stack: &stack, scratch: &scratch, marks: &marks)
                    }
                case .match:
                    let base = index * width
                    matched = Array(current.slots[base..<base + width])
                    index = current.count   // lower-priority threads are cut off
                default:
                    break
                }
                index += 1
            }
            swap(&current, &next)
            if position == end { break }
            position += 1
        }
        return matched
    }

    private static func addThread(
        to list: inout ThreadList, pc start: Int, at position: Int, in text: UnsafeBufferPointer<UInt8>,
        program: Program, stack: inout [Frame], scratch: inout [Int], marks: inout [UInt32]
    ) {
        let generation = list.generation
        // Fast path: the usual next state waits on a byte; no closure to follow.
        if marks[start] != generation, case .byte = program.instructions[start] {
            marks[start] = generation
            let index = list.count
            list.pcs[index] = start
            list.count += 1
            let base = index * program.slotCount
            for slot in 0..<program.slotCount { list.slots[base + slot] = scratch[slot] }
            return
        }
        stack.append(.explore(start))
        while let frame = stack.popLast() {
            switch frame {
            case .restore(let slot, let value):
                scratch[slot] = value
            case .explore(let pc):
                guard marks[pc] != generation else { continue }
                marks[pc] = generation
                switch program.instructions[pc] {
                case .jump(let target):
                    stack.append(.explore(target))
                case .split(let first, let second):
                    stack.append(.explore(second))
                    stack.append(.explore(first))
                case .save(let slot):
                    stack.append(.restore(slot: slot, value: scratch[slot]))
                    scratch[slot] = position
                    stack.append(.explore(pc + 1))
                case .assertion(let kind):
                    if holds(kind, at: position, in: text) { stack.append(.explore(pc + 1)) }
                case .byte, .match:
                    let index = list.count
                    list.pcs[index] = pc
                    list.count += 1
                    let base = index * program.slotCount
                    for slot in 0..<program.slotCount { list.slots[base + slot] = scratch[slot] }
                }
            }
        }
    }

    private static func holds(_ kind: PatternNode.Assertion, at position: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        let before: UInt8? = position > 0 ? text[position - 1] : nil
        let after: UInt8? = position < text.count ? text[position] : nil
        switch kind {
        case .lineStart: return before == nil || before == 0x0A
        case .lineEnd: return after == nil || after == 0x0A || after == 0x0D
        case .wordBoundary, .notWordBoundary:
            let a = before.map(ByteSet.word.contains) ?? false
            let b = after.map(ByteSet.word.contains) ?? false
            return (a != b) == (kind == .wordBoundary)
        }
    }
}
