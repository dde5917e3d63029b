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
            prefilter.scan(buffer) { id, end in found.append((String(decoding: prefilter.literals[id], as: UTF8.self), end)) }
        }
        let summary = found.map { "\($0.0)@\($0.1)" }.sorted()
        #expect(summary == ["he@4", "hers@6", "his@14", "she@4"].sorted())
    }

    @Test func requirementsAreDerivedSoundly() throws {
        func requirement(_ pattern: String) throws -> Set<String> {
            Set(try Requirement(RegexParser.parse(pattern).0).pruned.options.map { option in
                option.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: "|")
            })
        }
        #expect(try requirement("Principal user \\(Id=") == ["principal", "(id="])   // "user" is too common in logs to filter on
        #expect(try requirement("(?:quota|throttl)ed") == ["quota|throttl"])
        #expect(try requirement("(?:abc)?xyz\\d+") == ["xyz"])
        #expect(try requirement("a|bcd").isEmpty)
        #expect(try requirement("\\d+ms").isEmpty)
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

    @Test func compiledPathFindsExactlyWhatTheNaiveEvaluatorFinds() throws {
        let knowledge = try Fixtures.knowledge(Self.shapes.map { ($0.0, Fixtures.rule($0.0, match: $0.1)) })
        for text in Self.texts {
            let compiled = knowledge.diagnose(text).findings.map(\.rule.id)
            let naive = knowledge.diagnose(text, options: DiagnosisOptions(usesPrefilter: false)).findings.map(\.rule.id)
            #expect(compiled == naive, "text: \(text)")
        }
        #expect(knowledge.diagnose("success").findings.map(\.rule.id) == ["t.any-not"])
        #expect(knowledge.diagnose("access denied").best?.rule.id == "t.all-not")
    }

    @Test func repositoryRulesMatchTheSameThroughBothPaths() throws {
        let knowledge = try Fixtures.repositoryRules.get()
        for rule in knowledge.rules {
            for text in rule.matchExamples.map(\.text) + rule.noMatchExamples {
                let compiled = knowledge.diagnose(text).findings.map(\.rule.id)
                let naive = knowledge.diagnose(text, options: DiagnosisOptions(usesPrefilter: false)).findings.map(\.rule.id)
                #expect(compiled == naive, "rule \(rule.id), text: \(text)")
            }
        }
    }
}
