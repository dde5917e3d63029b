import Dispatch
import Testing
import SyncDiagnosis
@testable import SyncDiagnosisCore

/// Ranking, evidence, facts, and inputs no one should have to think about.
struct DiagnosisTests {
    private static let rules: [(String, String)] = [
        ("t.generic-auth", Fixtures.rule("t.generic-auth", match: #"{"phrase": "Authentication error"}"#)),
        ("t.refresh-token", Fixtures.rule("t.refresh-token", match: #"{"all": [{"phrase": "Authentication error"}, {"phrase": "OAuthRefreshToken might have expired"}]}"#)),
        ("t.bare-404", Fixtures.rule("t.bare-404", match: #"{"template": "({status:int}) Not Found"}"#, category: "not-found", priority: -10)),
        ("t.ews-404", Fixtures.rule("t.ews-404", match: #"{"all": [{"template": "({status:int}) Not Found"}, {"phrase": "EWS"}]}"#, category: "configuration")),
        ("t.boosted", Fixtures.rule("t.boosted", match: #"{"phrase": "boost"}"#, priority: 5)),
        ("t.aaa", Fixtures.rule("t.aaa", match: #"{"phrase": "same words"}"#)),
        ("t.bbb", Fixtures.rule("t.bbb", match: #"{"phrase": "same words"}"#)),
        ("t.snapshot", Fixtures.rule("t.snapshot", match: #"{"all": [{"template": "exceeded ({limit:int}/{count:int}/{other:int})"}, {"where": "count > limit"}]}"#, cause: "Over by {count - limit} of {limit}.")),
    ]

    private let knowledge: KnowledgeBase

    init() throws {
        knowledge = try Fixtures.knowledge(Self.rules)
    }

    @Test func nestedConditionsKeepOnlyTheFactsOfWhatHeld() throws {
        let nested = #"{"any": [{"all": [{"template": "code {first:int}"}, {"phrase": "never here"}]}, {"all": [{"template": "user {second:text}."}, {"not": {"phrase": "ignore me"}}]}]}"#
        let knowledge = try Fixtures.knowledge([("t.nested", Fixtures.rule("t.nested", match: nested))])
        // The first `all` fails after its template captured `first`: the capture is dropped.
        let finding = try #require(knowledge.diagnose("code 42 for user alice.").best)
        #expect(finding.fact("first") == nil)
        #expect(finding.fact("second") == "alice")
        #expect(finding.evidence.map(\.text) == ["user alice."])
        // The `not` inside the second `all` rules the text out; nothing else holds.
        #expect(knowledge.diagnose("code 42 for user alice. ignore me").best == nil)
        // The plan lays the condition out depth first, its root at node 0.
        let plan = try #require(knowledge.rule(withID: "t.nested")).plan
        #expect(plan.nodes.count == 8)
        guard case .any(let start, let count) = plan.nodes[0] else { Issue.record("the root is not the any"); return }
        #expect(Array(plan.children[Int(start)..<Int(start + count)]) == [1, 4])
    }

    @Test func specificRulesOutrankGenericOnes() {
        #expect(knowledge.diagnose("Authentication error – OAuthRefreshToken might have expired").findings.map(\.rule.id) == ["t.refresh-token", "t.generic-auth"])
        #expect(knowledge.diagnose("EWS: The remote server returned an error: (404) Not Found").findings.map(\.rule.id) == ["t.ews-404", "t.bare-404"])
    }

    @Test func priorityComesFirstThenSpecificityThenID() {
        #expect(knowledge.diagnose("boost! Authentication error - OAuthRefreshToken might have expired").best?.rule.id == "t.boosted")
        #expect(knowledge.diagnose("same words").findings.map(\.rule.id) == ["t.aaa", "t.bbb"])
    }

    @Test func factsFillTheCauseAndEvidenceLocatesTheMatch() throws {
        let text = "engine: exceeded (10000/10040/0) today"
        let finding = try #require(knowledge.diagnose(text).best)
        #expect(finding.cause == "Over by 40 of 10000.")
        #expect(finding.fact("count") == "10040")
        let evidence = try #require(finding.evidence.first)
        #expect(evidence.text == "exceeded (10000/10040/0)")
        #expect(Array(text.utf8)[evidence.start..<evidence.end].elementsEqual(evidence.text.utf8))
    }

    @Test func comparisonsOnCapturedNumbersDecide() {
        #expect(knowledge.diagnose("exceeded (10000/9000/0)").findings.isEmpty)
    }

    @Test func noMatchIsAnEmptyResultNotAnError() {
        let diagnosis = knowledge.diagnose("everything synced fine")
        #expect(diagnosis.findings.isEmpty && diagnosis.best == nil)
    }

    @Test func invalidUTF8AndBinaryInputAreDiagnosedWithoutCrashing() throws {
        var bytes: [UInt8] = [0xFF, 0xFE, 0x00, 0xC3]
        bytes += Array("Authentication error".utf8) + [0x80, 0x00, 0xF0, 0x9F]
        let finding = try #require(knowledge.diagnose(bytes: bytes).best)
        #expect(finding.rule.id == "t.generic-auth")
        #expect(finding.evidence.first?.start == 4)
        let noise = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        _ = knowledge.diagnose(bytes: noise)
    }

    @Test func inputsOverTheLimitAreCutAndSaySo() throws {
        let line = String(repeating: "x", count: 3_000_000) + " Authentication error"
        let cut = knowledge.diagnose(line, options: DiagnosisOptions(maximumInputBytes: 1_000_000))
        #expect(cut.isTruncated && cut.examinedByteCount == 1_000_000 && cut.findings.isEmpty)
        let whole = knowledge.diagnose(line)
        #expect(!whole.isTruncated && whole.best?.rule.id == "t.generic-auth")
    }

    @Test func oneKnowledgeBaseServesManyThreads() {
        let texts = ["Authentication error", "EWS (404) Not Found", "exceeded (1/2/3)", "nothing"]
        let expected = texts.map { knowledge.diagnose($0).findings.map(\.rule.id) }
        let results = Results(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let text = texts[index % texts.count]
            results.set(index, knowledge.diagnose(text).findings.map(\.rule.id))
        }
        for index in 0..<64 { #expect(results.get(index) == expected[index % texts.count]) }
    }

    /// Built-in rules are decoded on first use: threads that race to use them
    /// first get the same answers as one thread on a knowledge base already warm.
    @Test func builtInRulesDecodedOnFirstUseServeManyThreads() throws {
        let texts = [
            "Principal user (Id=6a1f1e2b-0c9d-4f55-8a7e-1b2c3d4e5f60, type=8) is missing prvReadAccount privilege",
            "A limit on the number of snapshot records is exceeded (10000/10040/0)",
            "The remote server returned an error: (429) Too Many Requests.",
            "AADSTS700082: The refresh token has expired due to inactivity.",
        ]
        let warm = try KnowledgeBase.builtIn()
        let expected = texts.map { warm.diagnose($0).findings.map(\.rule.id) }
        #expect(expected.allSatisfy { !$0.isEmpty })
        let cold = try KnowledgeBase.builtIn()
        let results = Results(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            results.set(index, cold.diagnose(texts[index % texts.count]).findings.map(\.rule.id))
        }
        for index in 0..<64 { #expect(results.get(index) == expected[index % texts.count]) }
    }

    /// Threads that fetch every built-in rule at once, each in its own
    /// order, decode different rules side by side and wait for one another
    /// on the same rule: each gets every rule whole, as a single thread does.
    @Test func builtInRulesDecodedSideBySideAreWhole() throws {
        let warm = try KnowledgeBase.builtIn()
        let ids = warm.rules.map(\.id)
        @Sendable func describe(_ rule: Rule?) -> String {
            guard let rule else { return "missing" }
            return "\(rule.id) \(rule.category) \(rule.scope) \(rule.action) \(rule.priority) \(rule.matchExamples.count) \(rule.cause)"
        }
        let expected = ids.map { describe(warm.rule(withID: $0)) }
        let cold = try KnowledgeBase.builtIn()
        let threads = 8
        let results = Results(count: threads)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            // Thread k starts k/8 of the way through the list and wraps around.
            let start = ids.count * thread / threads
            let order = Array(ids.indices[start...]) + Array(ids.indices[..<start])
            var described = Array(repeating: "", count: ids.count)
            for index in order { described[index] = describe(cold.rule(withID: ids[index])) }
            results.set(thread, described)
        }
        for thread in 0..<threads { #expect(results.get(thread) == expected, "thread \(thread)") }
    }

    /// Many records in one buffer, diagnosed in one pass, get exactly what
    /// each gets alone: every rule example of the built-in knowledge base,
    /// laid out one per line, back to back with nothing between them (so
    /// literals straddle records), under a size limit that cuts many of
    /// them, and in an order that is not ascending.
    @Test func recordsInOneBufferAreDiagnosedAsOneByOne() throws {
        let knowledge = try KnowledgeBase.builtIn()
        let texts = knowledge.rules.flatMap { $0.matchExamples.map(\.text) + $0.noMatchExamples }
        #expect(texts.count > 3_000)
        func summary(_ diagnosis: Diagnosis) -> String {
            let findings = diagnosis.findings.map { finding in
                "\(finding.rule.id) \(finding.facts.map { "\($0.name)=\($0.value)" }) \(finding.evidence.map { "\($0.start)-\($0.end)" })"
            }
            return "\(diagnosis.inputByteCount)/\(diagnosis.examinedByteCount): \(findings)"
        }
        for (separator, limit, shuffled) in [("\n", DiagnosisOptions.defaultMaximumInputBytes, false), ("", DiagnosisOptions.defaultMaximumInputBytes, false),
                                             ("\n", 40, false), ("", 40, false), ("\n", DiagnosisOptions.defaultMaximumInputBytes, true)] {
            var buffer: [UInt8] = []
            var records: [Range<Int>] = []
            for text in texts + [""] {
                let start = buffer.count
                buffer += Array(text.utf8)
                records.append(start..<buffer.count)
                buffer += Array(separator.utf8)
            }
            if shuffled { records.reverse() }
            let options = DiagnosisOptions(maximumInputBytes: limit)
            var together = Diagnoser(knowledge, options: options)
            var alone = Diagnoser(knowledge, options: options)
            let (batch, expected) = buffer.withUnsafeBufferPointer { buffer in
                (together.diagnose(buffer, records: records).map(summary),
                 records.map { summary(alone.diagnose(UnsafeBufferPointer(rebasing: buffer[$0]))) })
            }
            #expect(batch.count == records.count)
            let differing = zip(batch, expected).enumerated().filter { $1.0 != $1.1 }.prefix(3).map { "\($1.0)\n  vs alone: \($1.1)" }
            #expect(differing.isEmpty, "separator \(separator.debugDescription), limit \(limit): \(differing.joined(separator: "\n"))")
            #expect(expected.filter { !$0.hasSuffix("[]") }.count > records.count / 10, "many records have findings")
        }
    }
}

/// A lock-protected array for collecting results from concurrent work.
private final class Results: @unchecked Sendable {
    private var values: [[String]]
    private let lock = NSLockShim()

    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [String]) { lock.locked { values[index] = value } }
    func get(_ index: Int) -> [String] { lock.locked { values[index] } }
}

import Foundation
private struct NSLockShim: Sendable {
    private let lock = NSLock()
    func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }
}
