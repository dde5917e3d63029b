import Testing
import SyncDiagnosis
@testable import SyncDiagnosisCore

/// The Aho-Corasick prefilter, and its soundness: the compiled path finds
/// exactly what evaluating every rule finds.
struct PrefilterTests {
    @Test func findsEveryOccurrenceOfEveryLiteralCaseInsensitively() {
        let prefilter = Prefilter(literals: [Array("he".utf8), Array("she".utf8), Array("hers".utf8), Array("his".utf8)])
        let text = Array("USHERS and his".utf8)
        var found: [(String, Int)] = []
        text.withUnsafeBufferPointer { buffer in
            prefilter.scan(buffer) { id, _, end in found.append((String(decoding: prefilter.literals[id], as: UTF8.self), end)) }
        }
        let summary = found.map { "\($0.0)@\($0.1)" }.sorted()
        #expect(summary == ["he@4", "hers@6", "his@14", "she@4"].sorted())
    }

    /// Random texts over a small alphabet, so that literals overlap, repeat,
    /// share prefixes and sit at both ends: the automaton finds what a plain
    /// search finds, in the order in which their beginnings (the bytes the
    /// automaton holds: at most 1 to 6 here, and at least 1 to 3, so that
    /// many literals are longer) end.
    /// Long texts are scanned in interleaved segments cut after bytes no
    /// literal holds ("." and line breaks here), short ones and texts
    /// without such bytes in one piece.
    @Test func findsWhatAPlainSearchFinds() {
        var random = SplitMix(seed: 7)
        let literalAlphabet = Array("abAB0_ -".utf8)
        let textAlphabet = literalAlphabet + Array(".\n".utf8)
        func word(_ length: Int, _ alphabet: [UInt8]) -> [UInt8] { (0..<length).map { _ in alphabet[random.below(alphabet.count)] } }
        func folded(_ bytes: some Sequence<UInt8>) -> [UInt8] { bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
        for round in 0..<600 {
            let literals = Array(Set((0..<(1 + random.below(12))).map { _ in folded(word(1 + random.below(5), literalAlphabet)) }))
            let depth = 1 + round % 6
            let prefilter = Prefilter(literals: literals, depth: depth, shortestBeginning: 1 + round % 3)
            let long = round % 3 == 0
            let text = word(long ? random.below(4 * Prefilter.interleavingThreshold) : random.below(60), round % 2 == 0 ? textAlphabet : literalAlphabet)
            var found: [[Int]] = []
            var beginningEnds: [Int] = []
            text.withUnsafeBufferPointer { buffer in
                prefilter.scan(buffer) { id, beginningEnd, end in
                    found.append([id, end])
                    beginningEnds.append(beginningEnd)
                    #expect(beginningEnd <= end && beginningEnd > end - literals[id].count)
                }
            }
            var expected = Set<[Int]>()
            for (id, literal) in literals.enumerated() where literal.count <= text.count {
                for start in 0...(text.count - literal.count) where folded(text[start..<start + literal.count]) == literal {
                    expected.insert([id, start + literal.count])
                }
            }
            #expect(Set(found) == expected && found.count == expected.count, "text: \(String(decoding: text, as: UTF8.self))")
            #expect(beginningEnds == beginningEnds.sorted(), "occurrences out of order")
        }
    }

    /// An anchor set searched with an automaton (one that holds only each
    /// literal's first bytes) answers as searching each literal directly
    /// does, with the word boundaries each anchor asks for.
    @Test func boundedOccurrenceAnswersAsTheDirectSearch() {
        var random = SplitMix(seed: 5)
        let alphabet = Array("abAB0_ -.".utf8)
        func word(_ length: Int) -> [UInt8] { (0..<length).map { _ in alphabet[random.below(alphabet.count)] } }
        func folded(_ bytes: [UInt8]) -> [UInt8] { bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
        let sides: [Requirement.Edges] = [[], [.before], [.after], [.before, .after]]
        var found = 0
        for round in 0..<2_000 {
            let literals = Array(Set((0..<(1 + random.below(6))).map { _ in folded(word(1 + random.below(6))) }))
            let anchors = literals.map { Anchor(bytes: $0, edges: sides[random.below(sides.count)]) }
            let prefilter = Prefilter(literals: literals, depth: 1 + round % 5, shortestBeginning: 1 + round % 2)
            let text = word(random.below(50))
            let expected = anchors.contains { anchor in text.withUnsafeBufferPointer { Prefilter.occurs(anchor.bytes, bounded: anchor.edges, in: $0) } }
            let answer = text.withUnsafeBufferPointer { prefilter.firstBoundedOccurrence(in: $0, of: anchors) }
            #expect(answer == expected, "text: \(String(decoding: text, as: UTF8.self)), literals: \(literals.map { String(decoding: $0, as: UTF8.self) })")
            if expected { found += 1 }
        }
        #expect(found > 200 && found < 1_800)
    }

    /// The direct search screens eight positions at a time: on random texts
    /// with letters of both cases, digits, bytes that differ from a letter
    /// only in bit 5 ("@", "`", "\u{01}", "!") and non-ASCII bytes, at every
    /// start offset, it finds the first occurrence a plain search finds.
    @Test func directSearchFindsWhatAPlainSearchFinds() {
        var random = SplitMix(seed: 11)
        let alphabet: [UInt8] = Array("aAbB0@`!".utf8) + [0x01, 0x21, 0xC3, 0xA9]
        let literalAlphabet: [UInt8] = Array("ab0@`!".utf8) + [0x01, 0xC3]
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        for _ in 0..<3_000 {
            let text = (0..<random.below(40)).map { _ in alphabet[random.below(alphabet.count)] }
            let literal = (0..<(1 + random.below(3))).map { _ in literalAlphabet[random.below(literalAlphabet.count)] }
            let start = random.below(text.count + 1)
            let expected = stride(from: start, through: text.count - literal.count, by: 1).first { position in
                literal.indices.allSatisfy { folded(text[position + $0]) == literal[$0] }
            }
            let found = text.withUnsafeBufferPointer { Prefilter.firstOccurrence(of: literal, in: $0, from: start) }
            #expect(found == expected, "\(literal) in \(text) from \(start)")
        }
    }

    @Test func requirementsAreDerivedSoundly() throws {
        func requirement(_ pattern: String) throws -> Set<String> {
            Set(try Requirement(RegexParser.parse(pattern).0).pruned.options.map { option in
                option.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: "|")
            })
        }
        #expect(try requirement("Principal user \\(Id=") == ["principal", "(id="])   // "user" is too common in logs to filter on
        #expect(try requirement("(?:quota|throttl)ed") == ["quotaed|throttled"])
        // A small choice multiplies the run around it into variants, one of which every match holds.
        #expect(try requirement("invalid[_-]client") == ["invalid-client|invalid_client"])
        #expect(try requirement("\\bHTTP/1\\.[01] (?:502|504)\\b") == ["http/1.0|http/1.1", "502|504"])
        #expect(try requirement("[a-z]+_client") == ["_client"])   // a large class cuts the run
        #expect(try requirement("(?:abc)?xyz\\d+") == ["xyz"])
        #expect(try requirement("a|bcd").isEmpty)
        #expect(try requirement("\\d+ms").isEmpty)
    }

    /// A number the pattern bounds with `\b` (or with non-word bytes) is looked for as a whole
    /// number: "404" inside "cursor=140412" no longer wakes the pattern's machine.
    @Test func anchorsRespectTheBoundariesThePatternGuarantees() throws {
        func pattern(_ regex: String) throws -> TextPattern {
            let (node, names) = try RegexParser.parse(regex)
            let requirement = Requirement(node).pruned
            return TextPattern(program: try Program(node, captureCount: names.count), captureNames: names, guaranteedFacts: [],
                               requirement: requirement, anchors: requirement.anchors, slot: 0)
        }
        func occurs(_ pattern: TextPattern, _ text: String) -> Bool {
            Array(text.utf8).withUnsafeBufferPointer { pattern.anchorOccurs(in: $0) }
        }
        let bounded = try pattern(#"\b(?<status>404)\b"#)
        #expect(bounded.anchors.flatMap { $0 }.map(\.edges) == [[.before, .after]])
        #expect(!occurs(bounded, "batch done (records=140412, cursor=4041)"))
        #expect(occurs(bounded, "request failed: 404"))
        #expect(occurs(bounded, "(404) Not Found"))
        let phrase = try pattern(#"HTTP\s+404"#)
        #expect(!occurs(phrase, "HTTP 1404 bytes"))
        #expect(occurs(phrase, "http 404 not found"))
        let prefix = try pattern(#"AADSTS50"#)   // a prefix of a longer code: no boundary after it
        #expect(occurs(prefix, "AADSTS50011: The reply URL does not match"))
    }

    /// The DFA that screens texts before the Pike VM never turns away a text the VM matches.
    @Test(arguments: [
        #"\b(?<status>404)\b"#, #"(?:\(404\)|\bHTTP\s*[:=]?\s*404\b|\b404\s+Not Found\b)"#, #"a(b|c)*d"#,
        #"^error:\s+(?<code>\d+)$"#, #"(?:x|y)+z?"#, #"[0-9a-f]{8}-[0-9a-f]{4}"#, #"\bcat\b"#,
    ])
    func matchFilterNeverRejectsAMatch(regex: String) throws {
        let (node, names) = try RegexParser.parse(regex)
        let program = try Program(node, captureCount: names.count)
        let filter = MatchFilter(program), machine = PikeVM(program)
        var random = SplitMix(seed: UInt64(regex.utf8.count))
        let alphabet = Array("abcdxyz04 ():=-HTTPNot Found\nerror".utf8)
        var rejected = 0
        for _ in 0..<3_000 {
            let text = (0..<random.below(24)).map { _ in alphabet[random.below(alphabet.count)] }
            text.withUnsafeBufferPointer { buffer in
                let matched = machine.firstMatch(in: buffer) != nil
                let maybe = filter.mayMatch(buffer)
                #expect(maybe || !matched, "\(String(decoding: text, as: UTF8.self))")
                if !maybe { rejected += 1 }
            }
        }
        #expect(rejected > 0, "the filter should rule some texts out")
    }

    /// Rules with every shape of condition, including ones built only from `any` and `not`.
    private static let shapes: [(String, String)] = [
        ("t.phrase", #"{"phrase": "snapshot records"}"#),
        ("t.any", #"{"any": [{"phrase": "throttled"}, {"regex": "too\\s+many\\s+requests"}]}"#),
        ("t.not-only", #"{"not": {"phrase": "success"}}"#),
        ("t.any-not", #"{"any": [{"not": {"phrase": "ok"}}, {"phrase": "denied"}]}"#),
        ("t.all-not", #"{"all": [{"phrase": "access"}, {"not": {"phrase": "granted"}}]}"#),
        ("t.short", #"{"regex": "\\bid\\b"}"#),
        ("t.where", #"{"all": [{"template": "limit {limit:int} count {count:int}"}, {"where": "count > limit"}]}"#),
        ("t.unicode", #"{"phrase": "Zugriff verweigert – Straße"}"#),
    ]

    private static let texts = [
        "A limit on the number of snapshot records is exceeded", "Request was THROTTLED", "too  many\nrequests",
        "success", "all ok", "access denied", "access granted", "the id is 4", "identity", "limit 10 count 12",
        "limit 10 count 9", "Zugriff verweigert — Straße", "", "\u{FFFD}\u{00}binary\u{01}",
    ]

    /// A diagnoser past its direct-search budget, so that it scans with the automaton.
    private static func warmDiagnoser(_ knowledge: KnowledgeBase) -> Diagnoser {
        var diagnoser = Diagnoser(knowledge)
        let filler = [UInt8](repeating: UInt8(ascii: "x"), count: Matcher.directSearchBudget)
        _ = filler.withUnsafeBufferPointer { diagnoser.diagnose($0) }
        return diagnoser
    }

    /// The rule ids found for `text` by direct literal search, by the automaton, and by evaluating every rule.
    private static func bothPaths(_ text: String, _ knowledge: KnowledgeBase, warm: inout Diagnoser) -> (direct: [String], automaton: [String], naive: [String]) {
        let direct = knowledge.diagnose(text).findings.map(\.rule.id)
        let automaton = Array(text.utf8).withUnsafeBufferPointer { warm.diagnose($0) }.findings.map(\.rule.id)
        let naive = knowledge.diagnose(text, options: DiagnosisOptions(usesPrefilter: false)).findings.map(\.rule.id)
        return (direct, automaton, naive)
    }

    @Test func compiledPathFindsExactlyWhatTheNaiveEvaluatorFinds() throws {
        let knowledge = try Fixtures.knowledge(Self.shapes.map { ($0.0, Fixtures.rule($0.0, match: $0.1)) })
        var warm = Self.warmDiagnoser(knowledge)
        for text in Self.texts {
            let found = Self.bothPaths(text, knowledge, warm: &warm)
            #expect(found.direct == found.naive && found.automaton == found.naive, "text: \(text)")
        }
        #expect(knowledge.diagnose("success").findings.map(\.rule.id) == ["t.any-not"])
        #expect(knowledge.diagnose("access denied").best?.rule.id == "t.all-not")
    }

    @Test func repositoryRulesMatchTheSameThroughBothPaths() throws {
        let knowledge = try Fixtures.repositoryRules.get()
        var warm = Self.warmDiagnoser(knowledge)
        for rule in knowledge.rules {
            for text in rule.matchExamples.map(\.text) + rule.noMatchExamples {
                let found = Self.bothPaths(text, knowledge, warm: &warm)
                #expect(found.direct == found.naive && found.automaton == found.naive, "rule \(rule.id), text: \(text)")
            }
        }
    }

    /// In a batch of records, a rule with two selective requirements is
    /// verified only on the records where a literal of each occurs; the
    /// records are still diagnosed exactly as one by one.
    @Test func aSecondRequirementKeepsRecordsWithoutItFromVerification() throws {
        let knowledge = try Fixtures.knowledge([("t.two", Fixtures.rule("t.two", match: #"{"all": [{"phrase": "zorblatquota"}, {"phrase": "frobnicated"}]}"#))])
        let lines = ["zorblatquota only", "frobnicated only", "zorblatquota then frobnicated", "neither", "frobnicated before zorblatquota"]
        var buffer: [UInt8] = []
        var records: [Range<Int>] = []
        for line in lines {
            records.append(buffer.count..<(buffer.count + line.utf8.count))
            buffer += Array(line.utf8) + [0x0A]
        }
        var marks = CandidateMarks(ruleCount: 1)
        var pairs: [RecordCandidate] = []
        buffer.withUnsafeBufferPointer { knowledge.matcher.candidates(inRecords: records, of: $0, limit: .max, marks: &marks, into: &pairs) }
        #expect(pairs.map(\.record) == [2, 4], "\(pairs)")
        var diagnoser = Diagnoser(knowledge)
        let matched = buffer.withUnsafeBufferPointer { diagnoser.diagnose($0, records: records) }.map { $0.best?.rule.id }
        #expect(matched == [nil, nil, "t.two", nil, "t.two"])
    }

    /// Records may adjoin. A literal that starts in one record and runs on
    /// into the next is found first when its beginning ends first, even
    /// though it ends after a literal that lies wholly in the first record:
    /// that one is still offered for the first record, and the straddling
    /// one for neither.
    @Test func adjoiningRecordsKeepTheirOwnCandidates() throws {
        let knowledge = try Fixtures.knowledge([
            ("t.long", Fixtures.rule("t.long", match: #"{"regex": "zorblatfrobnix"}"#)),
            ("t.short", Fixtures.rule("t.short", match: #"{"regex": "atfrob"}"#)),
        ])
        let texts = ["say zorblatfrob", "nix and more", "zorblatfrobnix whole"]
        var buffer: [UInt8] = []
        var records: [Range<Int>] = []
        for text in texts {
            records.append(buffer.count..<(buffer.count + text.utf8.count))
            buffer += Array(text.utf8)
        }
        var diagnoser = Diagnoser(knowledge)
        var marks = CandidateMarks(ruleCount: 2)
        var pairs: [RecordCandidate] = []
        buffer.withUnsafeBufferPointer { knowledge.matcher.candidates(inRecords: records, of: $0, limit: .max, marks: &marks, into: &pairs) }
        #expect(pairs.map { "\($0.record):\(knowledge.rules[$0.rule].id)" }.sorted() == ["0:t.short", "2:t.long", "2:t.short"])
        let matched = buffer.withUnsafeBufferPointer { diagnoser.diagnose($0, records: records) }.map { $0.findings.map(\.rule.id).sorted() }
        #expect(matched == [["t.short"], [], ["t.long", "t.short"]])
    }

    /// A number one item of an `all` bounds (`\b(?<status>520)\b`) while
    /// another item derives it without bounds (`error:?\s*520`), or that an
    /// alternation of numbers between `\b`s offers: the prefilter looks for
    /// it as a whole number, and still finds every text the rules match.
    @Test func boundsOfOneItemOrOfAnAlternationStaySound() throws {
        let rules = [
            ("t.pair", #"{"all": [{"regex": "\\b(?<status>520)\\b"}, {"regex": "(?:\\((?:520)\\)|\\berror:?\\s*(?:520)\\b|x520y)"}]}"#),
            ("t.set", #"{"all": [{"regex": "\\b(?<status>521|522)\\b"}, {"regex": "(?:HTTP\\s*52[12]|code5210|x(?:521))"}]}"#),
            ("t.alone", #"{"regex": "\\b(?:code|status)=(?<status>520|521)\\b"}"#),
        ]
        // The weaker side's options holding the number are dropped: none is checked with edges it does not guarantee.
        let strong = Requirement(try RegexParser.parse(#"\b(521|522)\b"#).0), weak = Requirement(try RegexParser.parse(#"x(?:521)"#).0)
        let both = strong.and(weak)
        #expect(both.options.filter { $0.contains(Array("521".utf8)) } == [Set(["521", "522"].map { Array($0.utf8) })], "\(both.options)")
        #expect(both.edges(of: Array("521".utf8)) == [.before, .after])
        let knowledge = try Fixtures.knowledge(rules.map { ($0.0, Fixtures.rule($0.0, match: $0.1)) })
        let literals = knowledge.matcher.prefilterLiterals
        #expect(literals.filter { ["520", "521", "522"].contains(String(decoding: $0.bytes, as: UTF8.self)) }.allSatisfy { $0.edges == [.before, .after] },
                "\(literals)")
        var warm = Self.warmDiagnoser(knowledge)
        var random = SplitMix(seed: 520)
        let pieces = ["520", "521", "522", "5210", "1", "x", "y", "(", ")", ":", " ", "error", "HTTP", "code", "status", "=", "15203",
                      " 520 ", "(521)", "error:520", "x520y", "HTTP 522", "status=521", "code=520", "cursor=15220", "x521"]
        var matched = 0
        for _ in 0..<4_000 {
            let text = (0..<random.below(9)).map { _ in pieces[random.below(pieces.count)] }.joined()
            let found = Self.bothPaths(text, knowledge, warm: &warm)
            #expect(found.direct == found.naive && found.automaton == found.naive, "text: \(text)")
            if !found.naive.isEmpty { matched += 1 }
        }
        #expect(matched > 50, "the random texts should match the rules often enough to test them")
    }

    /// Numbers the rules bound with `\b` are looked for as whole numbers by the
    /// prefilter too, through direct search and through the automaton.
    @Test func prefilterRespectsWordBoundaries() throws {
        let knowledge = try Fixtures.knowledge([("t.status", Fixtures.rule("t.status", match: #"{"regex": "\\b(?<status>404)\\b"}"#))])
        for warm in [false, true] {
            var marks = CandidateMarks(ruleCount: 1)
            if warm { marks.prefilter = Prefilter(literals: [Array("404".utf8)]) }
            var candidates: [Int] = []
            for text in ["cursor=140412", "code 4041", "HTTP 404", "404"] {
                Array(text.utf8).withUnsafeBufferPointer { buffer in
                    knowledge.matcher.forEachCandidate(in: buffer, marks: &marks) { candidates.append($0) }
                }
                candidates.append(-1)
            }
            #expect(candidates == [-1, -1, 0, -1, 0, -1], "warm: \(warm)")
        }
    }
}

/// A small deterministic generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
