/// A pattern compiled to instructions for the Pike VM: a Thompson NFA whose
/// threads run in lock-step, so matching time is linear in the input.
struct Program: Sendable {
    enum Instruction: Sendable {
        case byte(ByteSet)
        case split(Int, Int)
        case jump(Int)
        case save(Int)
        case assertion(PatternNode.Assertion)
        case match
    }

    static let maximumSize = 20_000

    /// The instructions, held once for every thread that runs them.
    private let code: Code
    var instructions: UnsafeBufferPointer<Instruction> { code.instructions }
    /// Two slots per capture, slot 0 and 1 for the whole match.
    var slotCount: Int
    /// The bytes that can begin a match, or nil when a match can be empty.
    var firstBytes: ByteSet?

    /// Compiles `node`, whose captures are numbered 1...captureCount.
    init(_ node: PatternNode, captureCount: Int) throws(PatternError) {
        var compiler = Compiler()
        compiler.emit(.save(0))
        try compiler.compile(node)
        compiler.emit(.save(1))
        compiler.emit(.match)
        code = Code(compiler.instructions)
        slotCount = 2 * (captureCount + 1)
        firstBytes = nil
        firstBytes = computeFirstBytes()
    }

    /// Immutable instructions in one allocation that machines on any
    /// thread read without copying them.
    private final class Code: @unchecked Sendable {
        let instructions: UnsafeBufferPointer<Instruction>

        init(_ instructions: [Instruction]) {
            let storage = UnsafeMutableBufferPointer<Instruction>.allocate(capacity: instructions.count)
            _ = storage.initialize(from: instructions)
            self.instructions = UnsafeBufferPointer(storage)
        }

        deinit {
            UnsafeMutableBufferPointer(mutating: instructions).deinitialize().deallocate()
        }
    }

    private func computeFirstBytes() -> ByteSet? {
        var set = ByteSet()
        var seen = Set<Int>()
        var stack = [0]
        while let pc = stack.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch instructions[pc] {
            case .byte(let bytes): set.formUnion(bytes)
            case .split(let a, let b): stack.append(a); stack.append(b)
            case .jump(let target): stack.append(target)
            case .save, .assertion: stack.append(pc + 1)
            case .match: return nil
            }
        }
        return set
    }

    private struct Compiler {
        var instructions: [Instruction] = []

        mutating func emit(_ instruction: Instruction) {
            instructions.append(instruction)
        }

        mutating func compile(_ node: PatternNode) throws(PatternError) {
            if instructions.count > Program.maximumSize {
                throw PatternError(offset: nil, message: "the pattern is too large once its repetitions are expanded (over \(Program.maximumSize) steps)")
            }
            switch node {
            case .empty: break
            case .byte(let set): emit(.byte(set))
            case .assertion(let kind): emit(.assertion(kind))
            case .concatenation(let items):
                for item in items { try compile(item) }
            case .capture(let inner, let index):
                emit(.save(2 * index))
                try compile(inner)
                emit(.save(2 * index + 1))
            case .alternation(let branches):
                try compileAlternation(branches[...])
            case .repetition(let inner, let min, let max, let greedy):
                try compileRepetition(inner, min: min, max: max, greedy: greedy)
            }
        }

        private mutating func compileAlternation(_ branches: ArraySlice<PatternNode>) throws(PatternError) {
            guard let first = branches.first else { return }
            if branches.count == 1 { try compile(first); return }
            let split = instructions.count
            emit(.split(split + 1, 0))
            try compile(first)
            let jump = instructions.count
            emit(.jump(0))
            instructions[split] = .split(split + 1, instructions.count)
            try compileAlternation(branches.dropFirst())
            instructions[jump] = .jump(instructions.count)
        }

        private mutating func compileRepetition(_ inner: PatternNode, min: Int, max: Int?, greedy: Bool) throws(PatternError) {
            for _ in 0..<min { try compile(inner) }
            if let max {
                // Each optional copy may be skipped, which also skips the rest.
                var exits: [Int] = []
                for _ in min..<max {
                    exits.append(instructions.count)
                    emit(.split(0, 0))
                    try compile(inner)
                }
                let end = instructions.count
                for split in exits {
                    instructions[split] = greedy ? .split(split + 1, end) : .split(end, split + 1)
                }
            } else {
                let loop = instructions.count
                emit(.split(0, 0))
                try compile(inner)
                emit(.jump(loop))
                let end = instructions.count
                instructions[loop] = greedy ? .split(loop + 1, end) : .split(end, loop + 1)
            }
        }
    }
}
