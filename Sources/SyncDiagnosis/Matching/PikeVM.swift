/// Runs a `Program` over bytes in time proportional to input × program size,
/// with leftmost-first (Perl-like) match and capture semantics.
struct PikeVM {
    private let program: Program
    private var current: ThreadList
    private var next: ThreadList
    private var stack: [Frame] = []
    private var scratch: [Int]

    private enum Frame {
        case explore(Int)
        case restore(slot: Int, value: Int)
    }

    private struct ThreadList {
        var dense: [Int]
        var sparse: [Int]
        var count = 0
        var slots: [Int]
        let slotCount: Int

        init(size: Int, slotCount: Int) {
            dense = [Int](repeating: 0, count: size)
            sparse = [Int](repeating: 0, count: size)
            slots = [Int](repeating: -1, count: size * slotCount)
            self.slotCount = slotCount
        }

        @inline(__always)
        func contains(_ pc: Int) -> Bool {
            let i = sparse[pc]
            return i < count && dense[i] == pc
        }

        @inline(__always)
        mutating func insert(_ pc: Int) -> Int {
            sparse[pc] = count
            dense[count] = pc
            count += 1
            return count - 1
        }
    }

    init(_ program: Program) {
        self.program = program
        let size = program.instructions.count
        current = ThreadList(size: size, slotCount: program.slotCount)
        next = ThreadList(size: size, slotCount: program.slotCount)
        scratch = [Int](repeating: -1, count: program.slotCount)
    }

    /// The first match at or after `start`: its capture slots (byte offsets, -1 when unset).
    mutating func firstMatch(in text: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> [Int]? {
        current.count = 0
        next.count = 0
        var matched: [Int]?
        var position = start
        let end = text.count
        while position <= end {
            if matched == nil {
                if current.count == 0, let first = program.firstBytes {
                    // No thread alive: jump to the next byte that can begin a match.
                    while position < end && !first.contains(text[position]) { position += 1 }
                    if position == end { break }
                }
                for slot in 0..<scratch.count { scratch[slot] = -1 }
                Self.addThread(to: &next, pc: 0, at: position, in: text, program: program, stack: &stack, scratch: &scratch)
                // Threads already alive outrank the new one: append it after them.
                merge()
            }
            if current.count == 0 { break }
            next.count = 0
            let byte: UInt8? = position < end ? text[position] : nil
            var index = 0
            while index < current.count {
                let pc = current.dense[index]
                switch program.instructions[pc] {
                case .byte(let set):
                    if let byte, set.contains(byte) {
                        let base = index * program.slotCount
                        for slot in 0..<program.slotCount { scratch[slot] = current.slots[base + slot] }
                        Self.addThread(to: &next, pc: pc + 1, at: position + 1, in: text, program: program, stack: &stack, scratch: &scratch)
                    }
                case .match:
                    let base = index * program.slotCount
                    matched = Array(current.slots[base..<base + program.slotCount])
                    index = current.count   // lower-priority threads are cut off
                default:
                    break
                }
                index += 1
            }
            swap(&current, &next)
            next.count = 0
            if position == end { break }
            position += 1
        }
        return matched
    }

    /// Moves the start thread (built in `next`) behind the threads in `current`.
    private mutating func merge() {
        for index in 0..<next.count {
            let pc = next.dense[index]
            guard !current.contains(pc) else { continue }
            let target = current.insert(pc)
            let width = program.slotCount
            for slot in 0..<width {
                current.slots[target * width + slot] = next.slots[index * width + slot]
            }
        }
        next.count = 0
    }

    private static func addThread(
        to list: inout ThreadList, pc start: Int, at position: Int, in text: UnsafeBufferPointer<UInt8>,
        program: Program, stack: inout [Frame], scratch: inout [Int]
    ) {
        stack.append(.explore(start))
        while let frame = stack.popLast() {
            switch frame {
            case .restore(let slot, let value):
                scratch[slot] = value
            case .explore(let pc):
                guard !list.contains(pc) else { continue }
                let index = list.insert(pc)
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
