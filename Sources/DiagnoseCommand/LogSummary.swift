import SyncDiagnosis

/// What many records add up to: findings grouped by rule, largest first,
/// and the shapes of the records no rule matched.
struct LogSummary {
    struct Group {
        let rule: Rule
        var count = 0
        var firstLine = 0
        var lastLine = 0
        var firstSeen: String?
        var lastSeen: String?
        var identifiers: [String] = []
        var identifierSet = Set<String>()
        var example = ""
        /// Vendor error codes seen in the group (for structured inputs), with counts.
        var codes: [String: Int] = [:]
    }

    static let identifierCap = 20
    static let distinctIdentifierCap = 100_000
    /// Unmatched shapes are counted over this many unmatched records.
    static let shapeSampleSize = 20_000

    private(set) var records = 0
    private(set) var diagnosed = 0
    private(set) var truncatedRecords = 0
    private(set) var groups: [String: Group] = [:]
    private(set) var unmatched = 0
    /// Unmatched shapes by their bytes: the count, the shape as text, and an example.
    private var shapes: [BytesKey: (count: Int, shape: String, example: String)] = [:]

    mutating func add(
        line: Int, record: UnsafeBufferPointer<UInt8>, diagnosis: Diagnosis, truncated: Bool,
        identifier: String? = nil, code: String? = nil
    ) {
        guard let best = diagnosis.best else {
            addUnmatched(record: record, truncated: truncated)
            return
        }
        records += 1
        if truncated { truncatedRecords += 1 }
        diagnosed += 1
        // Changed in place: a copy taken out of the dictionary would share
        // the group's identifier set with it, and every insert would copy the set.
        Self.add(
            line: line, record: record, best: best, identifier: identifier, code: code,
            to: &groups[best.rule.id, default: Group(rule: best.rule, firstLine: line, example: Self.text(record, limit: 500))]
        )
    }

    private static func add(
        line: Int, record: UnsafeBufferPointer<UInt8>, best: Finding, identifier: String?, code: String?, to group: inout Group
    ) {
        group.count += 1
        group.lastLine = line
        if let stamp = Timestamp.find(in: record) {
            if group.firstSeen == nil { group.firstSeen = stamp }
            group.lastSeen = stamp
        }
        let identifiers = identifier.map { [$0] } ?? best.facts.filter { isIdentifier($0.name) }.map(\.value)
        for value in identifiers where group.identifierSet.count < distinctIdentifierCap {
            if group.identifierSet.insert(value).inserted && group.identifiers.count < identifierCap {
                group.identifiers.append(value)
            }
        }
        if let code { group.codes[code, default: 0] += 1 }
    }

    /// Whether an unmatched record still adds its shape to the sample.
    var samplesUnmatchedShapes: Bool { unmatched < Self.shapeSampleSize }

    /// Adds a record no rule matched.
    mutating func addUnmatched(record: UnsafeBufferPointer<UInt8>, truncated: Bool) {
        records += 1
        if truncated { truncatedRecords += 1 }
        unmatched += 1
        guard unmatched <= Self.shapeSampleSize else { return }
        let key = BytesKey(Shape.of(UnsafeBufferPointer(rebasing: record[..<min(record.count, 1_600)])))
        if let known = shapes.index(forKey: key) {
            shapes.values[known].count += 1
        } else {
            shapes[key] = (1, String(decoding: key.bytes, as: UTF8.self), Self.text(record, limit: 400))
        }
    }

    /// Adds `count` records no rule matched, `truncated` of them cut at the
    /// size limit, once the sample of unmatched shapes is full.
    mutating func addUnmatched(count: Int, truncated: Int) {
        precondition(!samplesUnmatchedShapes || count == 0, "unmatched records are counted in bulk only once the shape sample is full")
        records += count
        unmatched += count
        truncatedRecords += truncated
    }

    /// Groups, largest first (then by rule id).
    var ranked: [Group] {
        groups.values.sorted { ($0.count, $1.rule.id) > ($1.count, $0.rule.id) }
    }

    /// Unmatched shapes, most frequent first.
    var rankedShapes: [(shape: String, count: Int, example: String)] {
        shapes.values.sorted { ($0.count, $1.shape) > ($1.count, $0.shape) }.map { ($0.shape, $0.count, $0.example) }
    }

    /// Facts that name who or what is affected: ids, users, mailboxes, records.
    ///
    /// Compared as ASCII bytes: this runs for every fact of every diagnosed
    /// record, and a Foundation substring search costs thousands of instructions.
    static func isIdentifier(_ name: String) -> Bool {
        let lowered = name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return lowered.suffix(2).elementsEqual("id".utf8)
            || identifierWords.contains { word in lowered.indices.contains { lowered[$0...].starts(with: word) } }
    }

    private static let identifierWords = ["user", "upn", "email", "mailbox", "identifier", "record", "account", "object"].map { Array($0.utf8) }

    static func text(_ record: UnsafeBufferPointer<UInt8>, limit: Int) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: record[..<min(record.count, limit * 4)]), as: UTF8.self)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

/// A message with its variable parts masked, so that records that differ
/// only in ids, numbers, GUIDs or e-mail addresses share one shape.
enum Shape {
    /// The shape of the first 40 words of `bytes` (UTF-8), as UTF-8.
    ///
    /// One pass: each word is written with its digit runs folded to `#`
    /// while its bytes are counted, and replaced by a token afterwards if
    /// it proves to be an e-mail address, a GUID or a hex number.
    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // A word grows by at most 5 bytes (the 2 of "@." become "<email>"),
        // and words are joined by one space where the input had at least
        // one blank: the output fits this.
        let capacity = bytes.count + 5 * maximumWords
        return kinds.withUnsafeBufferPointer { kinds in [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            guard let input = bytes.baseAddress, let output = out.baseAddress, let kinds = kinds.baseAddress else {
                count = 0
                return
            }
            let end = bytes.count
            var length = 0, words = 0, index = 0
            while words < maximumWords {
                while index < end && kinds[Int(input[index])] == space { index += 1 }
                guard index < end else { break }
                if words > 0 {
                    output[length] = 0x20
                    length += 1
                }
                let wordStart = index, outputStart = length
                var hexDigits = 0, dashes = 0
                var seen: UInt8 = 0
                var inDigits = false
                while index < end {
                    let byte = input[index]
                    let kind = kinds[Int(byte)]
                    if kind == space { break }
                    seen |= kind
                    if kind & (digit | hexLetter) != 0 { hexDigits += 1 }
                    if kind == digit {
                        if !inDigits {
                            output[length] = UInt8(ascii: "#")
                            length += 1
                            inDigits = true
                        }
                    } else {
                        if kind == dash { dashes += 1 }
                        output[length] = byte
                        length += 1
                        inDigits = false
                    }
                    index += 1
                }
                let token: [UInt8]? = if seen & (at | dot) == at | dot {
                    email
                } else if hexDigits >= 32 && dashes >= 4 {
                    guid
                } else if index - wordStart >= 2, input[wordStart] == 0x30, input[wordStart + 1] | 0x20 == 0x78, hexDigits >= 4 {
                    hex
                } else {
                    nil
                }
                if let token {
                    length = outputStart
                    for byte in token {
                        output[length] = byte
                        length += 1
                    }
                }
                words += 1
            }
            count = length
        } }
    }

    private static let maximumWords = 40
    private static let email = Array("<email>".utf8), guid = Array("<guid>".utf8), hex = Array("<hex>".utf8)

    /// What each byte is to a shape: one flag, or none.
    private static let space: UInt8 = 1, digit: UInt8 = 2, hexLetter: UInt8 = 4, dash: UInt8 = 8, at: UInt8 = 16, dot: UInt8 = 32
    private static let kinds: [UInt8] = (0...255).map { value -> UInt8 in
        switch UInt8(value) {
        case 0x20, 0x09, 0x0A, 0x0D: space
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): hexLetter
        case UInt8(ascii: "-"): dash
        case UInt8(ascii: "@"): at
        case UInt8(ascii: "."): dot
        default: 0
        }
    }
}

/// The first ISO-8601-like timestamp near the start of a record.
enum Timestamp {
    static func find(in record: UnsafeBufferPointer<UInt8>) -> String? {
        let limit = min(record.count, 64)
        var index = 0
        while index + 19 <= limit {
            if matches(record, at: index) {
                var end = index + 19
                while end < record.count, end < index + 35,
                      let byte = Optional(record[end]), byte == 0x2E || byte == 0x2B || byte == 0x2D || byte == 0x3A || byte == 0x5A || (0x30...0x39).contains(byte) {
                    end += 1
                }
                return String(decoding: UnsafeBufferPointer(rebasing: record[index..<end]), as: UTF8.self)
            }
            index += 1
        }
        return nil
    }

    /// `dddd-dd-dd[T ]dd:dd:dd`
    private static func matches(_ r: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let digit = { (k: Int) in (0x30...0x39).contains(r[i + k]) }
        return digit(0) && digit(1) && digit(2) && digit(3) && r[i + 4] == 0x2D && digit(5) && digit(6) && r[i + 7] == 0x2D
            && digit(8) && digit(9) && (r[i + 10] == 0x54 || r[i + 10] == 0x20) && digit(11) && digit(12) && r[i + 13] == 0x3A
            && digit(14) && digit(15) && r[i + 16] == 0x3A && digit(17) && digit(18)
    }
}
