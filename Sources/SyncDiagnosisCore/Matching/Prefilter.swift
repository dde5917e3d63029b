/// An Aho-Corasick automaton over UTF-8 bytes with ASCII case folding: one
/// pass over the text finds every required literal of every rule.
///
/// Literals never hold whitespace, so whitespace tolerance costs nothing
/// here: the verifier handles it.
struct Prefilter: Sendable {
    /// Transitions, `state * classCount + class`, already multiplied by
    /// `classCount`; the high bit marks a state with outputs.
    private let table: [UInt32]
    private let classOf: [UInt8]
    private let classCount: Int
    /// Literal ids ending at each state, flattened: `outputs[outputStart[s]..<outputStart[s+1]]`.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    private static let outputFlag: UInt32 = 0x8000_0000

    /// The literals, lowercased, in id order.
    let literals: [[UInt8]]

    init(literals: [[UInt8]]) {
        self.literals = literals
        // Byte classes: each byte used by a literal (case-folded) gets its own class.
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for literal in literals {
            for byte in literal where classOf[Int(byte)] == 0 {
                guard classCount < 255 else { break }
                classOf[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            classOf[Int(upper)] = classOf[Int(upper | 0x20)]
        }
        // Trie, as a flat table of `classCount` entries per state (-1: no edge yet).
        var goto = [Int32](repeating: -1, count: classCount)
        var ownOutputs: [[Int32]] = [[]]
        for (id, literal) in literals.enumerated() {
            var state = 0
            for byte in literal {
                let slot = state * classCount + Int(classOf[Int(byte)])
                if goto[slot] < 0 {
                    goto[slot] = Int32(ownOutputs.count)
                    goto.append(contentsOf: repeatElement(-1, count: classCount))
                    ownOutputs.append([])
                }
                state = Int(goto[slot])
            }
            ownOutputs[state].append(Int32(id))
        }
        // Failure links by breadth-first search; complete the transition function.
        let stateCount = ownOutputs.count
        var fail = [Int](repeating: 0, count: stateCount)
        var queue: [Int] = []
        queue.reserveCapacity(stateCount)
        for cls in 0..<classCount {
            if goto[cls] < 0 { goto[cls] = 0 } else { queue.append(Int(goto[cls])) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            if !ownOutputs[fail[state]].isEmpty { ownOutputs[state].append(contentsOf: ownOutputs[fail[state]]) }
            let row = state * classCount, failRow = fail[state] * classCount
            for cls in 0..<classCount {
                let target = goto[row + cls]
                if target < 0 {
                    goto[row + cls] = goto[failRow + cls]
                } else {
                    fail[Int(target)] = Int(goto[failRow + cls])
                    queue.append(Int(target))
                }
            }
        }
        var table = [UInt32](repeating: 0, count: stateCount * classCount)
        var outputStart: [Int32] = [0]
        outputStart.reserveCapacity(stateCount + 1)
        var outputs: [Int32] = []
        for state in 0..<stateCount {
            outputs.append(contentsOf: ownOutputs[state])
            outputStart.append(Int32(outputs.count))
            for cls in 0..<classCount {
                let target = Int(goto[state * classCount + cls])
                var entry = UInt32(target * classCount)
                if !ownOutputs[target].isEmpty { entry |= Self.outputFlag }
                table[state * classCount + cls] = entry
            }
        }
        self.table = table
        self.classOf = classOf
        self.classCount = classCount
        self.outputStart = outputStart
        self.outputs = outputs
    }

    /// Calls `found(literalID, endOffset)` for every occurrence of every literal.
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        guard !literals.isEmpty else { return }
        table.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { classOf in
                var state: UInt32 = 0
                for index in 0..<text.count {
                    state = table[Int(state & ~Self.outputFlag) + Int(classOf[Int(text[index])])]
                    if state & Self.outputFlag != 0 {
                        let s = Int(state & ~Self.outputFlag) / classCount
                        for k in Int(outputStart[s])..<Int(outputStart[s + 1]) {
                            found(Int(outputs[k]), index + 1)
                        }
                    }
                }
            }
        }
    }

    /// Whether `literal` (lowercased) occurs in `text`, ASCII case-insensitively:
    /// the direct search used before the automaton pays for itself.
    static func occurs(_ literal: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> Bool {
        firstOccurrence(of: literal, in: text) != nil
    }

    /// Where `literal` (lowercased) first occurs in `text` at or after `start`,
    /// ASCII case-insensitively.
    static func firstOccurrence(of literal: [UInt8], in text: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        guard let first = literal.first else { return start <= text.count ? start : nil }
        guard literal.count <= text.count else { return nil }
        let firstUpper = first >= 0x61 && first <= 0x7A ? first - 0x20 : first
        let last = text.count - literal.count
        var index = start
        while index <= last {
            let byte = text[index]
            if byte == first || byte == firstUpper {
                var offset = 1
                while offset < literal.count {
                    var candidate = text[index + offset]
                    if candidate >= 0x41 && candidate <= 0x5A { candidate |= 0x20 }
                    if candidate != literal[offset] { break }
                    offset += 1
                }
                if offset == literal.count { return index }
            }
            index += 1
        }
        return nil
    }
}
