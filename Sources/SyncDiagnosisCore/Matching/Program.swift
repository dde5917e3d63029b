/// A pattern compiled to instructions for the Pike VM: a Thompson NFA whose
/// threads run in lock-step, so matching time is linear in the input.
struct Program: Sendable {
    /// One step, in 12 bytes: a rule is verified seldom, so its program is
    /// usually out of cache, and the fewer lines it spans the sooner it runs.
    enum Instruction: Sendable {
        /// A byte equal to either value (a letter in both cases, or the same byte twice).
        case bytes(UInt8, UInt8)
        /// A byte of the program's set at this index (`Program.sets`).
        case set(Int32)
        case split(Int32, Int32)
        case jump(Int32)
        case save(Int32)
        case assertion(PatternNode.Assertion)
        case match

        /// Whether the instruction reads a byte (a thread waits on it).
        @inline(__always)
        var readsByte: Bool {
            switch self {
            case .bytes, .set: true
            default: false
            }
        }
    }

    static let maximumSize = 20_000

    /// The instructions, held once for every thread that runs them.
    private let code: Code
    var instructions: UnsafeBufferPointer<Instruction> { code.instructions }
    /// The byte sets of `.set` instructions, each once.
    var sets: UnsafeBufferPointer<ByteSet> { code.sets }
    /// Two slots per capture, slot 0 and 1 for the whole match.
    var slotCount: Int
    /// The bytes that can begin a match, or nil when a match can be empty.
    var firstBytes: ByteSet?
    /// The literal every match begins with (lowercased; its letters match
    /// in either case), when the program starts with one: a search can
    /// skip to its next occurrence instead of starting a thread at every
    /// byte that can begin a match.
    var literalPrefix: [UInt8] = []

    /// Compiles `node`, whose captures are numbered 1...captureCount.
    init(_ node: PatternNode, captureCount: Int) throws(PatternError) {
        var compiler = Compiler()
        compiler.emit(.save(0))
        try compiler.compile(node)
        compiler.emit(.save(1))
        compiler.emit(.match)
        code = Code(compiler.instructions, sets: compiler.sets)
        slotCount = 2 * (captureCount + 1)
        firstBytes = nil
        firstBytes = computeFirstBytes()
        literalPrefix = computeLiteralPrefix()
    }

    /// The bytes every path from the start reads first, one after the
    /// other: a letter counts only when both its cases are accepted, other
    /// bytes only alone. Captures and assertions read nothing and are passed.
    private func computeLiteralPrefix() -> [UInt8] {
        var prefix: [UInt8] = []
        var pc = 0
        while pc < instructions.count {
            switch instructions[pc] {
            case .save, .assertion:
                pc += 1
            case .bytes(let low, let high):
                let isLetterPair = low >= 0x41 && low <= 0x5A && high == low | 0x20
                let isOtherByte = low == high && !(low >= 0x41 && low <= 0x5A) && !(low >= 0x61 && low <= 0x7A)
                guard isLetterPair || isOtherByte else { return prefix }
                prefix.append(high)
                pc += 1
            default:
                return prefix
            }
        }
        return prefix
    }

    /// Immutable instructions in one allocation that machines on any
    /// thread read without copying them.
    private final class Code: @unchecked Sendable {
        let instructions: UnsafeBufferPointer<Instruction>
        let sets: UnsafeBufferPointer<ByteSet>

        init(_ instructions: [Instruction], sets: [ByteSet]) {
            let storage = UnsafeMutableBufferPointer<Instruction>.allocate(capacity: instructions.count)
            _ = storage.initialize(from: instructions)
            self.instructions = UnsafeBufferPointer(storage)
            let setStorage = UnsafeMutableBufferPointer<ByteSet>.allocate(capacity: sets.count)
            _ = setStorage.initialize(from: sets)
            self.sets = UnsafeBufferPointer(setStorage)
        }

        deinit {
            UnsafeMutableBufferPointer(mutating: instructions).deinitialize().deallocate()
            UnsafeMutableBufferPointer(mutating: sets).deinitialize().deallocate()
        }
    }

    /// The bytes the instruction at `pc` reads, or nil when it reads none.
    func byteSet(at pc: Int) -> ByteSet? {
        switch instructions[pc] {
        case .bytes(let a, let b):
            var set = ByteSet(a)
            set.insert(b)
            return set
        case .set(let index): return sets[Int(index)]
        default: return nil
        }
    }

    private func computeFirstBytes() -> ByteSet? {
        var set = ByteSet()
        var seen = Set<Int>()
        var stack = [0]
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            if let bytes = byteSet(at: pc) {
                set.formUnion(bytes)
                continue
            }
            switch instructions[pc] {
            case .split(let a, let b): stack.append(Int(a)); stack.append(Int(b))
            case .jump(let target): stack.append(Int(target))
            case .save, .assertion: stack.append(pc + 1)
            case .match: return nil
            case .bytes, .set: break
            }
        }
        return set
    }

    private struct Compiler {
        var instructions: [Instruction] = []
        var sets: [ByteSet] = []
        private var setIndex: [ByteSet: Int32] = [:]

        mutating func emit(_ instruction: Instruction) {
            instructions.append(instruction)
        }

        /// Reads a byte of `set`: inline when it has one or two members.
        mutating func emit(_ set: ByteSet) {
            if let (low, high) = set.oneOrTwoMembers {
                emit(.bytes(low, high))
                return
            }
            // Most programs use a handful of sets (spaces, digits, hex
            // digits): a scan finds them sooner than hashing would.
            if sets.count <= 16 {
                if let known = sets.firstIndex(of: set) {
                    emit(.set(Int32(known)))
                    return
                }
            } else if let known = setIndex[set] {
                emit(.set(known))
                return
            }
            let index = Int32(sets.count)
            sets.append(set)
            if sets.count > 16 {
                if sets.count == 17 { for (known, member) in sets.enumerated() { setIndex[member] = Int32(known) } }
                setIndex[set] = index
            }
            emit(.set(index))
        }

        /// The next instruction's index.
        var next: Int32 { Int32(instructions.count) }

        mutating func compile(_ node: PatternNode) throws(PatternError) {
            if instructions.count > Program.maximumSize {
                throw PatternError(offset: nil, message: "the pattern is too large once its repetitions are expanded (over \(Program.maximumSize) steps)")
            }
            switch node {
            case .empty: break
            case .byte(let set): emit(set)
            case .assertion(let kind): emit(.assertion(kind))
            case .concatenation(let items):
                for item in items { try compile(item) }
            case .capture(let inner, let index):
                emit(.save(Int32(2 * index)))
                try compile(inner)
                emit(.save(Int32(2 * index + 1)))
            case .alternation(let branches):
                try compileAlternation(branches[...])
            case .repetition(let inner, let min, let max, let greedy):
                try compileRepetition(inner, min: min, max: max, greedy: greedy)
            }
        }

        private mutating func compileAlternation(_ branches: ArraySlice<PatternNode>) throws(PatternError) {
            guard let first = branches.first else { return }
            if branches.count == 1 { try compile(first); return }
            let split = next
            emit(.split(split + 1, 0))
            try compile(first)
            let jump = next
            emit(.jump(0))
            instructions[Int(split)] = .split(split + 1, next)
            try compileAlternation(branches.dropFirst())
            instructions[Int(jump)] = .jump(next)
        }

        private mutating func compileRepetition(_ inner: PatternNode, min: Int, max: Int?, greedy: Bool) throws(PatternError) {
            for _ in 0..<min { try compile(inner) }
            if let max {
                // Each optional copy may be skipped, which also skips the rest.
                var exits: [Int32] = []
                for _ in min..<max {
                    exits.append(next)
                    emit(.split(0, 0))
                    try compile(inner)
                }
                let end = next
                for split in exits {
                    instructions[Int(split)] = greedy ? .split(split + 1, end) : .split(end, split + 1)
                }
            } else {
                let loop = next
                emit(.split(0, 0))
                try compile(inner)
                emit(.jump(loop))
                let end = next
                instructions[Int(loop)] = greedy ? .split(loop + 1, end) : .split(end, loop + 1)
            }
        }
    }
}
