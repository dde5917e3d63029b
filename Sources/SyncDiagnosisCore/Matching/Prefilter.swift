import Foundation

/// An Aho-Corasick automaton over UTF-8 bytes with ASCII case folding: one
/// pass over the text finds every required literal of every rule.
///
/// Literals never hold whitespace, so whitespace tolerance costs nothing
/// here: the verifier handles it.
///
/// The automaton holds only each literal's beginning: its first bytes up
/// to the first that no other literal shares at that place (at least
/// `shortestBeginning` of them, at most `depth`). The rest of the literal
/// is compared, from one block that holds every rest, where its beginning
/// ends. Past that point the trie would be a chain of states of its own,
/// each one a table row that a scan reaches only on this literal's text and
/// seldom finds in cache.
struct Prefilter: Sendable {
    /// Transitions, `state * classCount + class`, already multiplied by
    /// `classCount`. States with outputs are numbered last, so one
    /// comparison with `firstOutputEntry` tells whether a literal ends.
    private let table: [UInt32]
    private let classOf: [UInt8]
    private let classCount: Int
    private let firstOutputEntry: UInt32
    /// The literals whose beginnings end at each state with outputs
    /// (numbered from the first of them), flattened:
    /// `outputs[outputStart[s]..<outputStart[s+1]]`.
    private let outputStart: [Int32]
    private let outputs: [Output]
    /// The rest of every literal longer than its beginning, one after another.
    private let rests: [UInt8]

    /// A literal whose beginning ends at a state, and where its rest lies in `rests`.
    private struct Output {
        var id: Int32
        var restStart: Int32
        var restCount: Int32
    }

    /// The literals, lowercased, in id order.
    let literals: [[UInt8]]
    /// The most bytes of a literal the automaton holds.
    let depth: Int

    /// The longest beginning of a literal the automaton holds by default.
    static let defaultDepth = 12
    /// The shortest beginning of a literal (when the literal is not
    /// shorter) the automaton holds by default: shorter ones are met on
    /// many words that merely start like a literal, each time a comparison.
    /// With the built-in rules over the bench log, a shortest beginning of
    /// 6 bytes ran 8% more instructions than one of 12, and 10 bytes 1% fewer.
    static let defaultShortestBeginning = 10

    init(literals: [[UInt8]], depth: Int = Prefilter.defaultDepth, shortestBeginning: Int = Prefilter.defaultShortestBeginning) {
        precondition(depth > 0)
        self.literals = literals
        self.depth = depth
        let beginnings = Self.beginningLengths(of: literals, depth: depth, shortest: min(shortestBeginning, depth))
        // Byte classes: each byte used by a literal's beginning (case-folded) gets its own class.
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for (id, literal) in literals.enumerated() {
            for byte in literal.prefix(beginnings[id]) where classOf[Int(byte)] == 0 {
                guard classCount < 255 else { break }
                classOf[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            classOf[Int(upper)] = classOf[Int(upper | 0x20)]
        }
        // Trie, as a flat table of `classCount` entries per state. No edge
        // leads back to the root, so 0 means "no edge yet". A trie has at
        // most one state per literal byte, plus the root.
        let capacity = (beginnings.reduce(1, +)) * classCount
        // Zeroed by the system page by page as the trie reaches it: the
        // bound is often twice the states a knowledge base's literals need.
        guard let zeroed = calloc(capacity, MemoryLayout<Int32>.stride) else { fatalError("out of memory") }
        defer { free(zeroed) }
        let goto = zeroed.bindMemory(to: Int32.self, capacity: capacity)
        var ownOutputs: [[Int32]] = [[]]
        for (id, literal) in literals.enumerated() {
            var state = 0
            for byte in literal.prefix(beginnings[id]) {
                let slot = state * classCount + Int(classOf[Int(byte)])
                if goto[slot] == 0 {
                    goto[slot] = Int32(ownOutputs.count)
                    ownOutputs.append([])
                }
                state = Int(goto[slot])
            }
            ownOutputs[state].append(Int32(id))
        }
        // Failure links by breadth-first search; complete the transition
        // function. The root's missing edges already lead to the root.
        let stateCount = ownOutputs.count
        var fail = [Int32](repeating: 0, count: stateCount)
        var queue: [Int32] = []
        queue.reserveCapacity(stateCount)
        for cls in 0..<classCount where goto[cls] != 0 { queue.append(goto[cls]) }
        var head = 0
        fail.withUnsafeMutableBufferPointer { fail in
            while head < queue.count {
                let state = Int(queue[head])
                head += 1
                let failState = Int(fail[state])
                if !ownOutputs[failState].isEmpty { ownOutputs[state].append(contentsOf: ownOutputs[failState]) }
                let row = goto + state * classCount, failRow = goto + failState * classCount
                for cls in 0..<classCount {
                    let target = row[cls]
                    if target == 0 {
                        row[cls] = failRow[cls]
                    } else {
                        fail[Int(target)] = failRow[cls]
                        queue.append(target)
                    }
                }
            }
        }
        // Number the states without outputs first (breadth-first, so the
        // shallow states every scan visits sit together), then the others.
        var number = [UInt32](repeating: 0, count: stateCount)
        var order = (0..<stateCount).filter { ownOutputs[$0].isEmpty }
        let firstOutput = order.count
        order += (0..<stateCount).filter { !ownOutputs[$0].isEmpty }
        for (new, old) in order.enumerated() { number[old] = UInt32(new * classCount) }
        var restStart = [Int32](repeating: 0, count: literals.count)
        var rests: [UInt8] = []
        for (id, literal) in literals.enumerated() where literal.count > beginnings[id] {
            restStart[id] = Int32(rests.count)
            rests += literal[beginnings[id]...]
        }
        var outputStart: [Int32] = [0]
        outputStart.reserveCapacity(stateCount - firstOutput + 1)
        var outputs: [Output] = []
        for old in order[firstOutput...] {
            for id in ownOutputs[old] {
                outputs.append(Output(id: id, restStart: restStart[Int(id)], restCount: Int32(literals[Int(id)].count - beginnings[Int(id)])))
            }
            outputStart.append(Int32(outputs.count))
        }
        let table = [UInt32](unsafeUninitializedCapacity: stateCount * classCount) { table, initialized in
            number.withUnsafeBufferPointer { number in
                for (new, old) in order.enumerated() {
                    let row = goto + old * classCount, newRow = new * classCount
                    for cls in 0..<classCount {
                        table[newRow + cls] = number[Int(row[cls])]
                    }
                }
            }
            initialized = stateCount * classCount
        }
        self.table = table
        self.classOf = classOf
        self.classCount = classCount
        self.firstOutputEntry = UInt32(firstOutput * classCount)
        self.outputStart = outputStart
        self.outputs = outputs
        self.rests = rests
    }

    /// Calls `found(literalID, beginningEnd, end)` for every occurrence of
    /// every literal, with the offsets just past its beginning (the bytes
    /// the automaton holds) and just past the whole literal, in the order
    /// in which their beginnings end (so a record's occurrences all come
    /// before those of a later line).
    ///
    /// A long text is cut into up to four segments, each starting just
    /// after a byte that no literal holds in its beginning (so
    /// the automaton is at its root there, and no occurrence's beginning
    /// spans a cut), and the segments are stepped
    /// together: the table look-ups of one segment no longer wait for those
    /// of another, which about triples the speed on this automaton's size.
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int, Int) -> Void) {
        guard !literals.isEmpty, let bytes = text.baseAddress else { return }
        table.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { classOf in
                let table = table.baseAddress!, classOf = classOf.baseAddress!
                let cuts = text.count >= Self.interleavingThreshold ? segmentStarts(text, classOf) : []
                guard !cuts.isEmpty else {
                    continueSegment(text, from: 0, to: text.count, state: 0, table, classOf, found)
                    return
                }
                // Segment k is bytes[starts[k]..<starts[k + 1]].
                let starts = [0] + cuts + [text.count]
                var position = (starts[0], starts[1], starts[2], starts[3])
                let end = (starts[1], starts[2], starts[3], starts[4])
                var state: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
                // Occurrences in later segments wait here until the earlier ones are done.
                var later: [[(Int, Int, Int)]] = [[], [], []]
                while true {
                    let steps = min(end.0 - position.0, end.1 - position.1, end.2 - position.2, end.3 - position.3)
                    guard steps > 0 else { break }
                    Self.run4(bytes, &position, steps, table, classOf, until: firstOutputEntry, &state)
                    if state.0 >= firstOutputEntry { report(state.0, end: position.0, text, found) }
                    if state.1 >= firstOutputEntry { report(state.1, end: position.1, text) { later[0].append(($0, $1, $2)) } }
                    if state.2 >= firstOutputEntry { report(state.2, end: position.2, text) { later[1].append(($0, $1, $2)) } }
                    if state.3 >= firstOutputEntry { report(state.3, end: position.3, text) { later[2].append(($0, $1, $2)) } }
                }
                // At least one segment is done; finish the others one by one, in order.
                continueSegment(text, from: position.0, to: end.0, state: state.0, table, classOf, found)
                for (k, (from, to, state)) in [(position.1, end.1, state.1), (position.2, end.2, state.2), (position.3, end.3, state.3)].enumerated() {
                    for (id, beginningEnd, end) in later[k] { found(id, beginningEnd, end) }
                    continueSegment(text, from: from, to: to, state: state, table, classOf, found)
                }
            }
        }
    }

    /// Whether some literal occurs in `text` with no word byte next to it
    /// on the sides its entry in `anchors` (by literal id) names; stops at
    /// the first such occurrence.
    func firstBoundedOccurrence(in text: UnsafeBufferPointer<UInt8>, of anchors: [Anchor]) -> Bool {
        guard !literals.isEmpty, let bytes = text.baseAddress else { return false }
        return table.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { classOf in
                var state: UInt32 = 0
                var index = 0
                while index < text.count {
                    (index, state) = Self.run(bytes, from: index, to: text.count, table.baseAddress!, classOf.baseAddress!, until: firstOutputEntry, state)
                    guard state >= firstOutputEntry else { return false }
                    let row = Int(state - firstOutputEntry) / classCount
                    for k in Int(outputStart[row])..<Int(outputStart[row + 1]) {
                        let output = outputs[k]
                        guard let end = self.end(of: output, beginningAt: index, in: text) else { continue }
                        let anchor = anchors[Int(output.id)]
                        if anchor.edges.isEmpty || Self.isBounded(text, start: end - anchor.bytes.count, end: end, anchor.edges) { return true }
                    }
                }
                return false
            }
        }
    }

    /// Texts shorter than this are scanned as one segment.
    static let interleavingThreshold = 512

    /// Up to three cut points that split `text` into four segments of
    /// about equal length, each just after a byte that no literal holds in
    /// its beginning; empty when there are not three such points.
    private func segmentStarts(_ text: UnsafeBufferPointer<UInt8>, _ classOf: UnsafePointer<UInt8>) -> [Int] {
        var cuts: [Int] = []
        var previous = 0
        for k in 1...3 {
            var index = max(previous + 1, text.count * k / 4)
            while index < text.count && classOf[Int(text[index - 1])] != 0 { index += 1 }
            guard index < text.count else { return [] }
            cuts.append(index)
            previous = index
        }
        return cuts
    }

    /// Steps the automaton from `state` over `text[start..<end]`, reporting every occurrence.
    private func continueSegment(
        _ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, state: UInt32,
        _ table: UnsafePointer<UInt32>, _ classOf: UnsafePointer<UInt8>, _ found: (Int, Int, Int) -> Void
    ) {
        let bytes = text.baseAddress!
        var state = state
        var index = start
        while index < end {
            (index, state) = Self.run(bytes, from: index, to: end, table, classOf, until: firstOutputEntry, state)
            guard state >= firstOutputEntry else { return }
            report(state, end: index, text, found)
        }
    }

    /// Steps the automaton of every one of four segments (at `position`,
    /// in `state`) by one byte at a time, `steps` times at most, stopping
    /// after the first step that leaves any of them in a state with
    /// outputs.
    @inline(never)
    private static func run4(
        _ bytes: UnsafePointer<UInt8>, _ position: inout (Int, Int, Int, Int), _ steps: Int,
        _ table: UnsafePointer<UInt32>, _ classOf: UnsafePointer<UInt8>, until firstOutputEntry: UInt32,
        _ state: inout (UInt32, UInt32, UInt32, UInt32)
    ) {
        var (s0, s1, s2, s3) = state
        let b0 = bytes + position.0, b1 = bytes + position.1, b2 = bytes + position.2, b3 = bytes + position.3
        var index = 0
        while index < steps {
            s0 = table[Int(s0) &+ Int(classOf[Int(b0[index])])]
            s1 = table[Int(s1) &+ Int(classOf[Int(b1[index])])]
            s2 = table[Int(s2) &+ Int(classOf[Int(b2[index])])]
            s3 = table[Int(s3) &+ Int(classOf[Int(b3[index])])]
            index &+= 1
            if max(max(s0, s1), max(s2, s3)) >= firstOutputEntry { break }
        }
        state = (s0, s1, s2, s3)
        position = (position.0 &+ index, position.1 &+ index, position.2 &+ index, position.3 &+ index)
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

    /// Reports the literals whose beginnings end in `entry`'s state at `end`, where they occur in full.
    private func report(_ entry: UInt32, end: Int, _ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int, Int) -> Void) {
        let state = Int(entry - firstOutputEntry) / classCount
        for k in Int(outputStart[state])..<Int(outputStart[state + 1]) {
            let output = outputs[k]
            if let literalEnd = self.end(of: output, beginningAt: end, in: text) { found(Int(output.id), end, literalEnd) }
        }
    }

    /// Where `output`'s literal ends in `text`, given that its beginning
    /// ends at `end`; nil when the rest of it does not follow there.
    @inline(__always)
    private func end(of output: Output, beginningAt end: Int, in text: UnsafeBufferPointer<UInt8>) -> Int? {
        let rest = Int(output.restCount)
        guard rest > 0 else { return end }
        guard rest <= text.count - end else { return nil }
        let follows = rests.withUnsafeBufferPointer {
            Self.foldedEqual(text.baseAddress! + end, UnsafeBufferPointer(rebasing: $0[Int(output.restStart)..<Int(output.restStart) + rest]))
        }
        return follows ? end + rest : nil
    }

    /// How many bytes of each literal the automaton holds: up to and
    /// including the first byte that no other literal has at that place,
    /// the whole literal when it begins another one, and never fewer than
    /// `shortest` (unless the literal is shorter) nor more than `depth`.
    /// The literal that shares the longest beginning with another one is
    /// next to it in sorted order.
    static func beginningLengths(of literals: [[UInt8]], depth: Int, shortest: Int) -> [Int] {
        let order = literals.indices.sorted { literals[$0].lexicographicallyPrecedes(literals[$1]) }
        func sharedLength(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var length = 0
            while length < a.count && length < b.count && a[length] == b[length] { length += 1 }
            return length
        }
        var lengths = [Int](repeating: 0, count: literals.count)
        for (position, id) in order.enumerated() {
            let literal = literals[id]
            // The nearest different literals on either side (equal ones share everything and are skipped).
            var shared = 0
            var before = position - 1
            while before >= 0 && literals[order[before]] == literal { before -= 1 }
            if before >= 0 { shared = sharedLength(literal, literals[order[before]]) }
            var after = position + 1
            while after < order.count && literals[order[after]] == literal { after += 1 }
            if after < order.count { shared = max(shared, sharedLength(literal, literals[order[after]])) }
            lengths[id] = min(literal.count, depth, max(shared + 1, shortest))
        }
        return lengths
    }

    /// Whether the bytes at `bytes` are `literal` (lowercased), ASCII case-insensitively.
    @inline(__always)
    private static func foldedEqual(_ bytes: UnsafePointer<UInt8>, _ literal: UnsafeBufferPointer<UInt8>) -> Bool {
        for offset in 0..<literal.count {
            var byte = bytes[offset]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != literal[offset] { return false }
        }
        return true
    }

    /// Whether `literal` (lowercased) occurs in `text`, ASCII case-insensitively,
    /// with no word byte next to it on the sides in `edges`: the direct
    /// search used before the automaton pays for itself.
    static func occurs(_ literal: [UInt8], bounded edges: Requirement.Edges, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        literal.withUnsafeBufferPointer { occurs($0, bounded: edges, in: text) }
    }

    /// `occurs(_:bounded:in:)` for a literal held elsewhere.
    static func occurs(_ literal: UnsafeBufferPointer<UInt8>, bounded edges: Requirement.Edges, in text: UnsafeBufferPointer<UInt8>) -> Bool {
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
        literal.withUnsafeBufferPointer { firstOccurrence(of: $0, in: text, from: start) }
    }

    /// `firstOccurrence(of:in:from:)` for a literal held elsewhere.
    ///
    /// Eight positions are screened at a time for the literal's first
    /// byte (case-folded when it is a letter), with the usual zero-byte
    /// test on a 64-bit word; each position it flags is then compared in full.
    static func firstOccurrence(of literal: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        guard let first = literal.first else { return start <= text.count ? start : nil }
        guard literal.count <= text.count, start <= text.count - literal.count, let base = text.baseAddress else { return nil }
        let last = text.count - literal.count
        @inline(__always) func matches(at position: Int) -> Bool { foldedEqual(base + position, literal) }
        // A letter matches in either case: setting bit 5 of every byte folds
        // only its upper case onto it. Other bytes are compared as they are.
        let isLetter = first >= 0x61 && first <= 0x7A
        let fold: UInt64 = isLetter ? 0x2020_2020_2020_2020 : 0
        let pattern = UInt64(first) &* 0x0101_0101_0101_0101
        var index = start
        while index + 7 <= last {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let difference = (word | fold) ^ pattern
            // A set high bit marks a zero byte (the lowest one exactly; higher
            // ones may be false alarms, which the full comparison rejects).
            var flagged = (difference &- 0x0101_0101_0101_0101) & ~difference & 0x8080_8080_8080_8080
            while flagged != 0 {
                let position = index + flagged.trailingZeroBitCount >> 3
                if matches(at: position) { return position }
                flagged &= flagged &- 1
            }
            index += 8
        }
        while index <= last {
            if matches(at: index) { return index }
            index += 1
        }
        return nil
    }
}
