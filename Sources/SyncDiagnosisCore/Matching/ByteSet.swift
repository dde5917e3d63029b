/// A set of byte values, 256 bits wide, used by the pattern engine.
struct ByteSet: Sendable, Hashable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static let empty = ByteSet()
    static let digits = ByteSet(ranges: [0x30...0x39])
    /// Letters, digits, `_`, and every byte of a non-ASCII character.
    static let word = ByteSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A, 0x80...0xFF])
    static let space = ByteSet(ranges: [0x09...0x0D, 0x20...0x20])
    static let notLineBreak = ByteSet(ranges: [0x0A...0x0A]).inverted

    init() {}

    init(ranges: [ClosedRange<UInt8>]) {
        for range in ranges {
            for byte in range { insert(byte) }
        }
    }

    init(_ byte: UInt8) {
        insert(byte)
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func formUnion(_ other: ByteSet) {
        words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
    }

    /// Calls `body` with each byte of the set, in increasing order.
    func forEachMember(_ body: (UInt8) -> Void) {
        for (offset, word) in [words.0, words.1, words.2, words.3].enumerated() {
            var bits = word
            while bits != 0 {
                body(UInt8(offset * 64 + bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
    }

    func isDisjoint(with other: ByteSet) -> Bool {
        words.0 & other.words.0 == 0 && words.1 & other.words.1 == 0 && words.2 & other.words.2 == 0 && words.3 & other.words.3 == 0
    }

    var inverted: ByteSet {
        var copy = self
        copy.words = (~words.0, ~words.1, ~words.2, ~words.3)
        return copy
    }

    /// For each byte, the set of it and its other ASCII case.
    static let foldedSingles: [ByteSet] = (0...255).map { ByteSet(UInt8($0)).computeCaseFolded() }

    /// The byte and its other ASCII case.
    static func folded(_ byte: UInt8) -> ByteSet { foldedSingles[Int(byte)] }

    /// The same set closed under ASCII case folding: matching is case-insensitive.
    var caseFolded: ByteSet { computeCaseFolded() }

    private func computeCaseFolded() -> ByteSet {
        var copy = self
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") where contains(byte) || contains(byte | 0x20) {
            copy.insert(byte)
            copy.insert(byte | 0x20)
        }
        return copy
    }

    var isEmpty: Bool { words == (0, 0, 0, 0) }

    var count: Int {
        words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount + words.3.nonzeroBitCount
    }

    /// The single byte (lowercased) this set stands for when it is one
    /// literal character under case folding, e.g. `{a, A}` or `{-}`.
    var literalByte: UInt8? {
        switch count {
        case 1:
            return firstByte
        case 2:
            // Two members are one letter in both cases: 'A'...'Z' sort first.
            guard let upper = firstByte, (0x41...0x5A).contains(upper), contains(upper | 0x20) else { return nil }
            return upper | 0x20
        default:
            return nil
        }
    }

    /// The lowest and highest member when the set has one or two members.
    var oneOrTwoMembers: (UInt8, UInt8)? {
        guard count == 1 || count == 2, let first = firstByte, let last = lastByte else { return nil }
        return (first, last)
    }

    private var lastByte: UInt8? {
        if words.3 != 0 { return UInt8(255 - words.3.leadingZeroBitCount) }
        if words.2 != 0 { return UInt8(191 - words.2.leadingZeroBitCount) }
        if words.1 != 0 { return UInt8(127 - words.1.leadingZeroBitCount) }
        if words.0 != 0 { return UInt8(63 - words.0.leadingZeroBitCount) }
        return nil
    }

    private var firstByte: UInt8? {
        if words.0 != 0 { return UInt8(words.0.trailingZeroBitCount) }
        if words.1 != 0 { return UInt8(64 + words.1.trailingZeroBitCount) }
        if words.2 != 0 { return UInt8(128 + words.2.trailingZeroBitCount) }
        if words.3 != 0 { return UInt8(192 + words.3.trailingZeroBitCount) }
        return nil
    }

    static func == (lhs: ByteSet, rhs: ByteSet) -> Bool { lhs.words == rhs.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
