/// An Aho-Corasick automaton over UTF-8 bytes with ASCII case folding: one
/// pass over the text finds every required literal of every rule.
///
/// Literals never hold whitespace, so whitespace tolerance costs nothing
/// here: the verifier handles it.
struct Prefilter: Sendable {
    /// Transitions, `state * classCount + class`, already multiplied by
    /// `classCount`. States with outputs are numbered last, so one
    /// comparison with `firstOutputEntry` tells whether a literal ends.
    private let table: [UInt32]
    private let classOf: [UInt8]
    private let classCount: Int
    private let firstOutputEntry: UInt32
    /// Literal ids ending at each state with outputs (numbered from the
    /// first of them), flattened: `outputs[outputStart[s]..<outputStart[s+1]]`.
    private let outputStart: [Int32]
    private let outputs: [Int32]

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
        // Number the states without outputs first (breadth-first, so the
        // shallow states every scan visits sit together), then the others.
        var number = [Int](repeating: 0, count: stateCount)
        var order = (0..<stateCount).filter { ownOutputs[$0].isEmpty }
        let firstOutput = order.count
        order += (0..<stateCount).filter { !ownOutputs[$0].isEmpty }
        for (new, old) in order.enumerated() { number[old] = new }
        var table = [UInt32](repeating: 0, count: stateCount * classCount)
        var outputStart: [Int32] = [0]
        outputStart.reserveCapacity(stateCount - firstOutput + 1)
        var outputs: [Int32] = []
        for (new, old) in order.enumerated() {
            if new >= firstOutput {
                outputs.append(contentsOf: ownOutputs[old])
                outputStart.append(Int32(outputs.count))
            }
            for cls in 0..<classCount {
                table[new * classCount + cls] = UInt32(number[Int(goto[old * classCount + cls])] * classCount)
            }
        }
        self.table = table
        self.classOf = classOf
        self.classCount = classCount
        self.firstOutputEntry = UInt32(firstOutput * classCount)
        self.outputStart = outputStart
        self.outputs = outputs
    }

    /// Calls `found(literalID, endOffset)` for every occurrence of every literal.
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        guard !literals.isEmpty, let bytes = text.baseAddress else { return }
        table.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { classOf in
                var state: UInt32 = 0
                var index = 0
                while true {
                    (index, state) = Self.run(bytes, from: index, to: text.count, table.baseAddress!, classOf.baseAddress!, until: firstOutputEntry, state)
                    guard state >= firstOutputEntry else { return }
                    report(state, end: index, found)
                }
            }
        }
    }

    /// Steps the automaton from `state` over `bytes[start..<end]`, up to
    /// and including the first byte that reaches a state with outputs;
    /// returns where it stopped and the state there. Kept apart from the
    /// reporting so that its few values stay in registers.
    @inline(never)
    private static func run(
        _ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int,
        _ table: UnsafePointer<UInt32>, _ classOf: UnsafePointer<UInt8>, until firstOutputEntry: UInt32, _ state: UInt32
    ) -> (Int, UInt32) {
        var state = state
        var index = start
        while index < end {
            state = table[Int(state) &+ Int(classOf[Int(bytes[index])])]
            index &+= 1
            if state >= firstOutputEntry { return (index, state) }
        }
        return (end, 0)
    }

    private func report(_ entry: UInt32, end: Int, _ found: (Int, Int) -> Void) {
        let state = Int(entry - firstOutputEntry) / classCount
        for k in Int(outputStart[state])..<Int(outputStart[state + 1]) {
            found(Int(outputs[k]), end)
        }
    }

    /// Whether `literal` (lowercased) occurs in `text`, ASCII case-insensitively,
    /// with no word byte next to it on the sides in `edges`: the direct
    /// search used before the automaton pays for itself.
    static func occurs(_ literal: [UInt8], bounded edges: Requirement.Edges, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        var from = 0
        while let start = firstOccurrence(of: literal, in: text, from: from) {
            if edges.isEmpty || isBounded(text, start: start, end: start + literal.count, edges) { return true }
            from = start + 1
        }
        return false
    }

    /// Whether `text[start..<end]` has no word byte next to it on the sides in `edges`.
    @inline(__always)
    static func isBounded(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int, _ edges: Requirement.Edges) -> Bool {
        (!edges.contains(.before) || start == 0 || !ByteSet.word.contains(text[start - 1]))
            && (!edges.contains(.after) || end == text.count || !ByteSet.word.contains(text[end]))
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
