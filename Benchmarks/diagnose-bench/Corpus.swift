/// Deterministic synthetic rule sets and logs in the real rule format.
struct Corpus {
    /// A small linear congruential generator: the same seed, the same corpus.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let syllables = ["ka", "lo", "mi", "ren", "tus", "vor", "qua", "zel", "nix", "bra", "dok", "fen", "gil", "hul", "jar",
                            "mok", "pel", "ryn", "sab", "tor", "ulm", "vek", "wex", "yor", "zan", "cri", "dru", "fla", "gro", "ple"]

    /// A made-up word, unique for each index.
    static func word(_ index: Int) -> String {
        var value = index
        var out = ""
        repeat {
            out += syllables[value % syllables.count]
            value /= syllables.count
        } while value > 0
        return out + "ion"
    }

    /// Rule `i` as a JSON rule file, cycling through every kind of condition.
    static func rule(_ i: Int) -> (path: String, json: String) {
        let a = word(2 * i), b = word(2 * i + 1)
        let match: String
        switch i % 4 {
        case 0: match = #"{"phrase": "\#(a) \#(b) rejected the request"}"#
        case 1: match = #"{"template": "\#(a) error {code:int}: \#(b) failed for record {id:guid}"}"#
        case 2: match = #"{"any": [{"phrase": "\#(a) service unavailable"}, {"template": "\#(b) timeout after {ms:int} ms"}]}"#
        default: match = #"{"all": [{"phrase": "\#(a) quota"}, {"regex": "\#(b)-(?<n>\\d+)"}, {"not": {"phrase": "ignored"}}]}"#
        }
        var random = Random(state: UInt64(i))
        let json = """
        {"id": "bench.rule-\(i)", "title": "Synthetic rule \(i)", "status": "experimental", "system": "bench",
         "category": "transient", "scope": "record", "retryable": true, "action": "wait-and-replay",
         "match": \(match), "cause": "Synthetic.", "remediation": ["Nothing."], "references": ["synthetic"],
         "examples": {"match": [\(quoted(message(for: i, random: &random)))]}}
        """
        return ("Rules/bench/rule-\(i).json", json)
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// An error message that rule `i` diagnoses.
    static func message(for i: Int, random: inout Random) -> String {
        let a = word(2 * i), b = word(2 * i + 1)
        switch i % 4 {
        case 0: return "\(a) \(b) rejected the request from worker \(random.below(64))"
        case 1: return "\(a) error \(random.below(90_000) + 10_000): \(b) failed for record \(guid(&random))"
        case 2: return random.below(2) == 0 ? "\(a) service unavailable, retrying" : "\(b) timeout after \(random.below(30_000)) ms"
        default: return "\(a) quota hit (\(b)-\(random.below(999)))"
        }
    }

    static func guid(_ random: inout Random) -> String {
        let hex = Array("0123456789abcdef")
        let groups = [8, 4, 4, 4, 12]
        return groups.map { length in String((0..<length).map { _ in hex[random.below(16)] }) }.joined(separator: "-")
    }

    static let levels = ["INFO ", "DEBUG", "INFO ", "WARN "]
    static let entities = ["account", "contact", "salesorder", "invoice", "product", "mailbox", "calendar", "student"]

    /// A log of `lines` lines: mostly routine lines, and one in ten an error
    /// (most of them diagnosed by one of `ruleCount` rules).
    static func log(lines: Int, ruleCount: Int, seed: UInt64 = 42) -> [UInt8] {
        var random = Random(state: seed)
        var out: [UInt8] = []
        out.reserveCapacity(lines * 150)
        for n in 0..<lines {
            let stamp = "2024-05-14T\(pad(n / 3_600_000 % 24)):\(pad(n / 60_000 % 60)):\(pad(n / 1000 % 60)).\(n % 1000)Z"
            let text: String
            if random.below(10) == 0 {
                let rule = random.below(ruleCount)
                text = random.below(8) == 0
                    ? "\(stamp) ERROR [worker-\(random.below(16))] Unexpected response from upstream (code \(random.below(600)))"
                    : "\(stamp) ERROR [worker-\(random.below(16))] " + message(for: rule, random: &random)
            } else {
                let entity = entities[random.below(entities.count)]
                text = "\(stamp) \(levels[random.below(levels.count)]) [worker-\(random.below(16))] Processed batch \(random.below(100_000)) of entity \(entity) in \(random.below(900)) ms (records=\(random.below(1000)), cursor=\(random.below(1 << 30)))"
            }
            out += Array(text.utf8)
            out.append(0x0A)
        }
        return out
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
