import Foundation
import Testing
import SyncDiagnosis
@testable import SyncDiagnosisCore

/// How the knowledge base does on real messages it has never seen.
///
/// `Tests/HeldOut/messages.jsonl` holds real error messages collected from
/// public sources (each with its source), labelled with the taxonomy's
/// category. They were collected apart from rule writing and are never used
/// to write rules. `Tests/HeldOut/messages-2.jsonl` is a second such set,
/// collected later and blind (its collectors neither wrote rules nor ran the
/// knowledge base), from sources no development set or earlier held-out
/// message uses: a fresh sample of what the knowledge base has never seen.
/// `Tests/DevSet/` holds messages collected the same way that rule writers
/// did use. Every figure is printed; the assertions guard against regressions.
struct HeldOutEvaluationTests {
    struct Message {
        var text: String
        var category: String
        var source: String
    }

    struct Score: CustomStringConvertible {
        var total = 0
        var right = 0
        var wrong = 0

        var diagnosed: Int { right + wrong }
        var rightShare: Double { total == 0 ? 0 : Double(right) / Double(total) }
        var wrongShare: Double { diagnosed == 0 ? 0 : Double(wrong) / Double(diagnosed) }

        var description: String {
            String(format: "%d messages: %d right (%.1f%% of all), %d wrong (%.1f%% of those diagnosed), %d unmatched",
                   total, right, rightShare * 100, wrong, wrongShare * 100, total - diagnosed)
        }
    }

    /// The messages of every `.jsonl` file in `folder` whose name `includes` accepts.
    static func messages(in folder: String, only includes: (String) -> Bool = { _ in true }) throws -> [Message] {
        let directory = Fixtures.packageRoot.appendingPathComponent("Tests").appendingPathComponent(folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".jsonl") && includes($0) }.sorted()
        var messages: [Message] = []
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where !line.isBlank {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(file): \(line)")
                let message = Message(
                    text: try #require(object["text"] as? String),
                    category: try #require(object["category"] as? String),
                    source: try #require(object["source"] as? String))
                #expect(Category(rawValue: message.category) != nil, "\(file): unknown category \(message.category)")
                #expect(!message.source.isEmpty, "\(file): every message names its public source")
                messages.append(message)
            }
        }
        return messages
    }

    static func score(_ messages: [Message]) throws -> Score {
        let knowledge = try Fixtures.repositoryRules.get()
        var score = Score()
        for message in messages {
            score.total += 1
            guard let best = knowledge.diagnose(message.text).best else { continue }
            if best.rule.category.rawValue == message.category { score.right += 1 } else { score.wrong += 1 }
        }
        return score
    }

    /// Scores one held-out file, prints the figures under `label`, and
    /// checks them against regression guards.
    static func checkHeldOut(_ file: String, label: String, atLeast count: Int, right: Double, wrongAtMost wrong: Double) throws {
        let messages = try messages(in: "HeldOut", only: { $0 == file })
        #expect(messages.count >= count)
        let score = try score(messages)
        print("\(label): \(score)")
        #expect(score.rightShare >= right, "\(score)")
        #expect(score.wrongShare <= wrong, "\(score)")
    }

    @Test func heldOutMessagesAreDiagnosedWithTheRightCategory() throws {
        // Regression guards just under the level last measured (85.8% right, 2.9% wrong); the goal is 90% right, under 3% wrong.
        try Self.checkHeldOut("messages.jsonl", label: "Held-out evaluation", atLeast: 150, right: 0.85, wrongAtMost: 0.04)
    }

    @Test func secondHeldOutSetIsDiagnosedWithTheRightCategory() throws {
        // Regression guards just under the level first measured (47.7% right, 16.4% wrong):
        // far from the goal of 90% right and under 3% wrong.
        try Self.checkHeldOut("messages-2.jsonl", label: "Second held-out evaluation", atLeast: 100, right: 0.45, wrongAtMost: 0.18)
    }

    /// The development sets in two parts. Most were sampled by the rule
    /// writers themselves; the `blind-*` sets were collected blind, as the
    /// second held-out set was, and keep the lines whose label the text
    /// cannot settle (other sets label the very same text another way), so
    /// they are held to a guard of their own.
    @Test func developmentMessagesAreDiagnosedWithTheRightCategory() throws {
        let sampled = try Self.score(Self.messages(in: "DevSet") { !$0.hasPrefix("blind-") })
        let blind = try Self.score(Self.messages(in: "DevSet") { $0.hasPrefix("blind-") })
        let all = Score(total: sampled.total + blind.total, right: sampled.right + blind.right, wrong: sampled.wrong + blind.wrong)
        print("Development set: \(all)")
        print("Development sets sampled by rule writers: \(sampled)")
        print("Blind development sets: \(blind)")
        // Rule writers tuned rules on these: they are regression tests, held to a higher bar.
        #expect(sampled.rightShare >= 0.95, "\(sampled)")
        #expect(sampled.wrongShare <= 0.02, "\(sampled)")
        // Regression guards just under the level measured when the blind sets were split out (82.9% right, 11.1% wrong, after round 41; 81.1% and 10.6% once round 42 added its 29 unmatched lines).
        #expect(blind.rightShare >= 0.80, "\(blind)")
        #expect(blind.wrongShare <= 0.12, "\(blind)")
    }
}
