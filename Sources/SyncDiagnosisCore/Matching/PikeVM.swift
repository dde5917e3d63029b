/// Runs a `Program` over bytes in time proportional to input × program size,
/// with leftmost-first (Perl-like) match and capture semantics.
///
/// Thread lists hold only the threads that wait on a byte (or have matched);
/// the states passed through on the way there are marked per step with a
/// generation number, so nothing is cleared between steps. A machine holds
/// only its program; the thread lists and other scratch space of a search
/// come from a `SearchSpace`, which every machine of one evaluator shares
/// (one search runs at a time), so memory does not grow with the number of
/// patterns in use. A machine belongs to one thread at a time.
final class PikeVM {
    /// The program's own instructions, which it keeps alive.
    private let instructions: UnsafeBufferPointer<Program.Instruction>
    private let sets: UnsafeBufferPointer<ByteSet>
    private let program: Program
    /// Rules out most texts without a match at a table lookup per byte.
    /// Made once the machine has searched in vain `filterAfterMisses` times:
    /// it pays off for patterns often tried on texts they do not match.
    private var filter: MatchFilter?
    private var misses = 0
    private static let filterAfterMisses = 8
    private let firstBytes: ByteSet?
    /// `Program.literalPrefix`, when it is long enough to search for.
    private let literalPrefix: [UInt8]
    /// Capture slots per thread.
    private let width: Int
    /// Space for searches made without a shared one.
    private lazy var ownSpace = SearchSpace()

    init(_ program: Program) {
        instructions = program.instructions
        sets = program.sets
        firstBytes = program.firstBytes
        literalPrefix = program.literalPrefix.count >= 2 ? program.literalPrefix : []
        self.program = program
        width = program.slotCount
    }

    /// Reads the machine's own fields, so that they are in cache when it
    /// runs: see `Evaluator.touch(_:)`. Its instructions are its pattern's
    /// program's, which `TextPattern.touch()` reads.
    @inline(__always)
    func touch() -> UInt {
        UInt(width) &+ UInt(literalPrefix.count) &+ UInt(misses)
    }

    /// False when the machine has a filter and it rules out a match in
    /// `text`: a check far cheaper than a search.
    func mayMatch(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        filter?.mayMatch(text) ?? true
    }

    /// The first match at or after `start`, using the machine's own scratch space.
    func firstMatch(in text: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> [Int]? {
        firstMatch(in: text, from: start, space: ownSpace)
    }

    /// The first match at or after `start`: its capture slots (byte offsets, -1 when unset).
    /// `screened`: `mayMatch(text)` already said yes (`start` is then 0).
    func firstMatch(in text: UnsafeBufferPointer<UInt8>, from start: Int = 0, space: SearchSpace, screened: Bool = false) -> [Int]? {
        if !screened, let filter, !filter.mayMatch(text, from: start) { return nil }
        // The state lives in locals during the search: no exclusivity checks on the hot path.
        let buffers = space.reserve(size: instructions.count, width: width)
        let (marks, scratch) = (buffers.marks, buffers.scratch)
        var generation = space.generation
        defer { space.generation = generation }
        var (current, next) = buffers.lists
        current.count = 0
        current.generation = space.newGeneration(after: &generation)
        var matched: [Int]?
        var position = start
        let end = text.count
        let width = self.width
        while position <= end {
            if matched == nil {
                if current.count == 0 {
                    // No thread alive: the marks of the last step belong to another position.
                    current.generation = space.newGeneration(after: &generation)
                    if !literalPrefix.isEmpty {
                        // Jump to the next place the literal every match begins with occurs.
                        guard let found = Prefilter.firstOccurrence(of: literalPrefix, in: text, from: position) else { break }
                        position = found
                    } else if let first = firstBytes {
                        // Jump to the next byte that can begin a match.
                        while position < end && !first.contains(text[position]) { position += 1 }
                        if position == end { break }
                    }
                }
                // A thread started on a byte that cannot begin a match would die at once.
                let canBegin = firstBytes.map { position < end && $0.contains(text[position]) } ?? true
                if canBegin {
                    scratch.update(repeating: -1, count: width)
                    // Threads already alive outrank the new one: it goes last.
                    addThread(to: &current, pc: 0, at: position, in: text, buffers: buffers)
                }
            }
            if current.count == 0 {
                // The start thread died at once (a failed assertion): try the next position.
                if matched != nil || position == end { break }
                position += 1
                continue
            }
            next.count = 0
            next.generation = space.newGeneration(after: &generation)
            // The byte read at this step; -1 past the end, where no instruction reads.
            let byte = position < end ? Int(text[position]) : -1
            var index = 0
            while index < current.count {
                let pc = current.pcs[index]
                let reads: Bool
                switch instructions[pc] {
                case .bytes(let a, let b): reads = byte == Int(a) || byte == Int(b)
                case .set(let set): reads = byte >= 0 && sets[Int(set)].contains(UInt8(truncatingIfNeeded: byte))
                case .match:
                    matched = Array(UnsafeBufferPointer(start: current.slots + index * width, count: width))
                    index = current.count   // lower-priority threads are cut off
                    reads = false
                default:
                    reads = false
                }
                if reads {
                    let target = pc + 1
                    if marks[target] != next.generation, instructions[target].readsByte {
                        // The usual step, from one byte to the next: no closure to follow.
                        marks[target] = next.generation
                        (next.slots + next.count * width).update(from: current.slots + index * width, count: width)
                        next.pcs[next.count] = target
                        next.count += 1
                    } else {
                        scratch.update(from: current.slots + index * width, count: width)
                        addThread(to: &next, pc: target, at: position + 1, in: text, buffers: buffers)
                    }
                }
                index += 1
            }
            swap(&current, &next)
            if position == end { break }
            position += 1
        }
        if matched == nil && filter == nil {
            misses += 1
            if misses >= Self.filterAfterMisses { filter = MatchFilter(program) }
        }
        return matched
    }

    private func addThread(
        to list: inout SearchSpace.ThreadList, pc start: Int, at position: Int, in text: UnsafeBufferPointer<UInt8>,
        buffers: SearchSpace.Buffers
    ) {
        let (stack, scratch, marks) = (buffers.stack, buffers.scratch, buffers.marks)
        let generation = list.generation
        stack[0] = .explore(start)
        var depth = 1
        while depth > 0 {
            depth -= 1
            switch stack[depth] {
            case .restore(let slot, let value):
                scratch[slot] = value
            case .explore(let pc):
                guard marks[pc] != generation else { continue }
                marks[pc] = generation
                switch instructions[pc] {
                case .jump(let target):
                    stack[depth] = .explore(Int(target))
                    depth += 1
                case .split(let first, let second):
                    stack[depth] = .explore(Int(second))
                    stack[depth + 1] = .explore(Int(first))
                    depth += 2
                case .save(let index):
                    let slot = Int(index)
                    stack[depth] = .restore(slot: slot, value: scratch[slot])
                    stack[depth + 1] = .explore(pc + 1)
                    depth += 2
                    scratch[slot] = position
                case .assertion(let kind):
                    if Self.holds(kind, at: position, in: text) {
                        stack[depth] = .explore(pc + 1)
                        depth += 1
                    }
                case .bytes, .set, .match:
                    (list.slots + list.count * width).update(from: scratch, count: width)
                    list.pcs[list.count] = pc
                    list.count += 1
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

/// The scratch space of Pike VM searches: thread lists, the closure stack,
/// capture scratch and state marks. Grows to the largest program searched
/// with it; shared by the machines of one evaluator, one search at a time.
final class SearchSpace {
    enum Frame {
        case explore(Int)
        case restore(slot: Int, value: Int)
    }

    struct ThreadList {
        let pcs: UnsafeMutablePointer<Int>
        let slots: UnsafeMutablePointer<Int>
        var count = 0
        var generation: UInt32 = 0
    }

    /// Pointers into the block, valid until the next `reserve`.
    struct Buffers {
        let lists: (ThreadList, ThreadList)
        /// Each state is explored at most once per step and pushes at most two frames.
        let stack: UnsafeMutablePointer<Frame>
        let scratch: UnsafeMutablePointer<Int>
        let marks: UnsafeMutablePointer<UInt32>
    }

    private var block: UnsafeMutableRawPointer?
    private var buffers: Buffers?
    private var size = 0
    private var width = 0
    /// Marks older than this generation are stale; all marks are cleared when it wraps.
    var generation: UInt32 = 0

    deinit { block?.deallocate() }

    /// Buffers for a program of `size` instructions and `width` capture slots.
    func reserve(size: Int, width: Int) -> Buffers {
        if let buffers, size <= self.size, width <= self.width { return buffers }
        let size = max(size, self.size), width = max(width, self.width)
        var layout = (size: 0, alignment: 1)
        func reserve<T>(_ type: T.Type, _ count: Int) -> Int {
            let align = MemoryLayout<T>.alignment
            let offset = (layout.size + align - 1) / align * align
            layout.size = offset + MemoryLayout<T>.stride * count
            layout.alignment = max(layout.alignment, align)
            return offset
        }
        let stackAt = reserve(Frame.self, 2 * size + 2)
        let pcsAt = (reserve(Int.self, size), reserve(Int.self, size))
        let slotsAt = (reserve(Int.self, size * width), reserve(Int.self, size * width))
        let scratchAt = reserve(Int.self, max(1, width))
        let marksAt = reserve(UInt32.self, size)
        block?.deallocate()
        let block = UnsafeMutableRawPointer.allocate(byteCount: max(1, layout.size), alignment: layout.alignment)
        let marks = (block + marksAt).bindMemory(to: UInt32.self, capacity: size)
        marks.initialize(repeating: 0, count: size)
        generation = 0
        let made = Buffers(
            lists: (
                ThreadList(pcs: (block + pcsAt.0).bindMemory(to: Int.self, capacity: size),
                           slots: (block + slotsAt.0).bindMemory(to: Int.self, capacity: size * width)),
                ThreadList(pcs: (block + pcsAt.1).bindMemory(to: Int.self, capacity: size),
                           slots: (block + slotsAt.1).bindMemory(to: Int.self, capacity: size * width))),
            stack: (block + stackAt).bindMemory(to: Frame.self, capacity: 2 * size + 2),
            scratch: (block + scratchAt).bindMemory(to: Int.self, capacity: max(1, width)),
            marks: marks)
        self.block = block
        self.buffers = made
        self.size = size
        self.width = width
        return made
    }

    /// A fresh mark for a step; marks are cleared when the counter wraps.
    func newGeneration(after generation: inout UInt32) -> UInt32 {
        generation &+= 1
        if generation == 0 {
            buffers?.marks.update(repeating: 0, count: size)
            generation = 1
        }
        return generation
    }
}
