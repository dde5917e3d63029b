import Foundation
@testable import DiagnoseCommand
import SyncDiagnosis
import Testing

/// Whole logs, School Data Sync error pages and run summaries, as the seed guides work through them.
struct InputShapeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func run(_ arguments: [String], fixture: String) -> CommandTests.Outcome {
        CommandTests.run(arguments + ["--file", fixtures.appendingPathComponent(fixture).path])
    }

    static func groups(_ outcome: CommandTests.Outcome) -> [[String: Any]] {
        outcome.json?["groups"] as? [[String: Any]] ?? []
    }

    @Test func aMixedLogIsGroupedByRuleLargestFirst() throws {
        let outcome = Self.run(["--each-line", "--format", "json"], fixture: "mixed.log")
        #expect(outcome.status == 0)
        let json = try #require(outcome.json)
        #expect(json["records"] as? Int == 3000)   // stack-trace lines stay with their record
        let groups = Self.groups(outcome)
        #expect(groups.map { $0["rule"] as? String } == [
            "dataverse.missing-privilege", "sap-c4c.snapshot-limit-exceeded", "sap-c4c.oauth-refresh-token-expired",
        ])
        #expect(groups.map { $0["count"] as? Int } == [128, 39, 28])
        #expect(json["diagnosed"] as? Int == 195)
        let unmatched = try #require(json["unmatched"] as? [String: Any])
        #expect(unmatched["count"] as? Int == 2805)
        let shapes = try #require(unmatched["shapes"] as? [[String: Any]])
        #expect(shapes.contains { ($0["shape"] as? String)?.contains("Unclassified failure in step # for batch #") == true })
        let first = try #require(groups.first)
        #expect((first["identifiers"] as? [String: Any])?["total"] as? Int ?? 0 > 50)
        #expect((first["firstSeen"] as? String)?.hasPrefix("2024-05-14T08:") == true)
    }

    /// A log of many batches (read while the one before is diagnosed in
    /// the background) adds up to the same groups as its parts, in order.
    @Test func aLogOfManyBatchesIsSummarisedInOrder() throws {
        let part = try String(contentsOf: Self.fixtures.appendingPathComponent("mixed.log"), encoding: .utf8)
        let copies = 14
        let whole = String(repeating: part.hasSuffix("\n") ? part : part + "\n", count: copies)
        let outcome = CommandTests.run(["--each-line", "--format", "json"], stdin: whole)
        let json = try #require(outcome.json)
        #expect(json["records"] as? Int == 3000 * copies)
        #expect(json["records"] as? Int ?? 0 > 2 * RecordBatch.maximumRecords, "more than two batches")
        #expect(json["diagnosed"] as? Int == 195 * copies)
        let groups = Self.groups(outcome)
        #expect(groups.map { $0["count"] as? Int } == [128 * copies, 39 * copies, 28 * copies])
        let lines = part.split(separator: "\n", omittingEmptySubsequences: false).count - (part.hasSuffix("\n") ? 1 : 0)
        let first = try #require(groups.first)
        #expect(first["firstLine"] as? Int ?? .max <= lines, "the first occurrence is in the first copy")
        #expect(first["lastLine"] as? Int ?? 0 > lines * (copies - 1), "the last occurrence is in the last copy")
    }

    /// A batch split among workers gives each record the diagnosis one diagnoser gives it alone, in order.
    @Test func recordsDiagnosedOnSeveralCoresMatchOneByOne() throws {
        let knowledge = try KnowledgeBase.builtIn()
        let lines = try String(contentsOf: Self.fixtures.appendingPathComponent("mixed.log"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var batch = RecordBatch()
        for index in 0..<2_000 {
            let line = lines[index % lines.count] + " #\(index)"
            Array(line.utf8).withUnsafeBufferPointer { batch.append(line: index + 1, record: $0, truncated: false) }
        }
        let matched = Workers([Diagnoser(knowledge), Diagnoser(knowledge), Diagnoser(knowledge)]).diagnoseMatched(batch)
        var parallel = [String?](repeating: nil, count: batch.count)
        for (index, diagnosis) in matched { parallel[index] = diagnosis.best?.rule.id }
        var alone = Diagnoser(knowledge)
        var expected: [String?] = []
        batch.forEach { _, _, record, _ in expected.append(alone.diagnose(record).best?.rule.id) }
        #expect(matched.map(\.index) == matched.map(\.index).sorted(), "in record order")
        #expect(matched.allSatisfy { !$0.diagnosis.findings.isEmpty }, "only matched records")
        #expect(parallel == expected)
        #expect(expected.contains { $0 != nil } && expected.contains { $0 == nil })
    }

    @Test func theMixedLogReadsTheSameInTextAndMarkdown() {
        let text = Self.run(["--each-line"], fixture: "mixed.log")
        #expect(text.output.hasPrefix("Diagnosed 195 of 3000 records"))
        #expect(text.output.contains("128 × The integration user is missing a Dataverse privilege"))
        #expect(text.output.contains("No rule matched 2805 records"))
        let markdown = Self.run(["--each-line", "--format", "markdown"], fixture: "mixed.log")
        #expect(markdown.output.contains("| 128 | 4.3% | `permission` | `grant-permission` | `dataverse.missing-privilege` |"))
    }

    @Test func aSchoolDataSyncErrorsPageIsSummarisedWithTheNextPageNotice() throws {
        let outcome = Self.run(["--format", "json"], fixture: "sds-errors-page.json")
        let json = try #require(outcome.json)
        let source = try #require(json["source"] as? [String: Any])
        #expect(source["kind"] as? String == "sds-errors")
        #expect(source["reportedCount"] as? Int == 220 && source["seen"] as? Int == 2 && source["morePages"] as? Bool == true)
        let group = try #require(Self.groups(outcome).first)
        #expect(group["rule"] as? String == "school-data-sync.no-matching-entry-in-active-directory")
        #expect((group["codes"] as? [String: Int])?["UnsynchronizableChange"] == 2)
        #expect((group["identifiers"] as? [String: Any])?["values"] as? [String] == ["Tyler.Smith", "Colby.Garner"])
        let text = Self.run([], fixture: "sds-errors-page.json")
        #expect(text.output.contains("More pages remain: follow @odata.nextLink"))
    }

    @Test func severalConcatenatedPagesAreReadTogether() throws {
        let outcome = Self.run(["--format", "json"], fixture: "sds-errors-pages.json")
        let source = try #require(outcome.json?["source"] as? [String: Any])
        #expect(source["pages"] as? Int == 2 && source["seen"] as? Int == 9 && source["morePages"] as? Bool == false)
        let groups = Self.groups(outcome)
        #expect(groups.first?["count"] as? Int == 8)
        #expect(groups.first?["rule"] as? String == "school-data-sync.no-matching-entry-in-active-directory")
    }

    @Test func aProfileStatusGivesItsNextStep() throws {
        let outcome = CommandTests.run(["--format", "json", #"{"@odata.context":"https://graph.microsoft.com/testEduApi/$metadata#education/synchronizationProfiles('1')/profileStatus/$entity","status":"validationError","lastSynchronizationDateTime":"2017-06-14T01:13:21.2495183Z"}"#])
        let best = try #require(outcome.findings.first)
        #expect(best["rule"] as? String == "school-data-sync.profile-status-validation-error")
        #expect((best["remediation"] as? [String])?.joined().contains("Get Errors") == true)
    }

    @Test func aRunSummaryNamesTheFirstFailingStageAndTheDecision() throws {
        let text = Self.run([], fixture: "run-summary.json")
        #expect(text.output.contains("The problem started in the transform stage"))
        #expect(text.output.contains("Checklist (pipeline.first-failing-stage-transform)"))
        let outcome = Self.run(["--format", "json"], fixture: "run-summary.json")
        #expect((outcome.json?["source"] as? [String: Any])?["firstFailingStage"] as? String == "transform")
        let actions = Self.groups(outcome).map { "\($0["rule"] ?? "")=\($0["action"] ?? "")" }
        #expect(actions.contains("pipeline.validation-error=fix-mapping"))
        #expect(actions.contains("pipeline.dependency-not-ready=sync-dependency-first"))
    }

    @Test func missingRecordsWithAnEmptyDLQPointAtTheSource() throws {
        let summary = #"{"run": "run-9", "stages": {"ingest": {"errors": 0}, "transform": {"errors": 0}, "execute": {"errors": 0}}, "failedRecords": [], "dlqCount": 0, "missingRecords": 70}"#
        let outcome = CommandTests.run(["--format", "json", summary])
        #expect(Self.groups(outcome).first?["action"] as? String == "check-source")
    }

    @Test func aPastedLogTailIsGroupedWithoutFlagsAndAShortMessageIsNot() throws {
        let tail = (1...6).map { "2024-05-14T08:3\($0):00Z ERROR A limit on the number of snapshot records is exceeded (10000/1004\($0)/0)" }
            .joined(separator: "\n")
        let grouped = CommandTests.run(["--format", "json"], stdin: tail)
        #expect(grouped.json?["records"] as? Int == 6)
        #expect(Self.groups(grouped).first?["count"] as? Int == 6)
        let single = CommandTests.run(["--format", "json"], stdin: "header line\nA limit on the number of snapshot records is exceeded (10000/10040/0)\n")
        #expect(single.findings.first?["rule"] as? String == "sap-c4c.snapshot-limit-exceeded")
    }

    /// A message pasted over several lines, none of which starts like a log line, is read as
    /// one message: its lines together name the failure that no line names alone.
    @Test func aMessagePastedOverSeveralLinesStaysOneMessage() throws {
        let pasted = "Synchronization failed for user 12345\nUnexpected Exchange error\nDetails:\nThe request failed.\nThe remote server returned an error: (404) Not Found.\n"
        let outcome = CommandTests.run(["--format", "json"], stdin: pasted)
        #expect(outcome.json?["records"] == nil)
        #expect(outcome.findings.first?["rule"] as? String == "sap-c4c.ews-url-not-found")
        #expect(Command.startsLikeLogLine(ArraySlice("2024-05-14T08:31:07Z ERROR x".utf8)))
        #expect(Command.startsLikeLogLine(ArraySlice("[14/05/2024 08:31] sync stopped".utf8)))
        #expect(Command.startsLikeLogLine(ArraySlice("WARN  [worker-3] retrying".utf8)))
        #expect(!Command.startsLikeLogLine(ArraySlice("The remote server returned an error: (404) Not Found.".utf8)))
        let many = (1...25).map { "row \($0), contact, The remote server returned an error: (403) Forbidden." }.joined(separator: "\n")
        #expect(CommandTests.run(["--format", "json"], stdin: many).json?["records"] as? Int == 25)
    }
}

/// The shapes unmatched records are grouped by.
struct ShapeTests {
    static func shape(_ text: String) -> String {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { String(decoding: Shape.of($0), as: UTF8.self) }
    }

    @Test func variablePartsAreMasked() {
        #expect(Self.shape("2024-05-14T00:00:01Z  user anna@contoso.com failed 3 times, id 9775db6f-e71b-dfd7-4cb7-5a53b0c93485 code 0x8004F51A")
            == "#-#-#T#:#:#Z user <email> failed # times, id <guid> code <hex>")
    }

    /// Words that grow the most ("@." becomes "<email>"), as many as a shape takes, and more.
    @Test func theLongestShapesFit() {
        let text = Array(repeating: "@.", count: 45).joined(separator: " ")
        #expect(Self.shape(text) == Array(repeating: "<email>", count: 40).joined(separator: " "))
    }
}

/// The record reader: lines, continuations, chunk boundaries, the last line.
struct RecordReaderTests {
    /// Every record the reader gives for `chunks`, as "line:text", and whether each was cut.
    static func records(of chunks: [[UInt8]], maximumRecordBytes: Int) -> [(String, Bool)] {
        var reader = RecordReader(maximumRecordBytes: maximumRecordBytes)
        var seen: [(String, Bool)] = []
        let take = { (batch: RecordBatch) in
            batch.forEach { _, line, record, truncated in seen.append(("\(line):" + String(decoding: record, as: UTF8.self), truncated)) }
        }
        for chunk in chunks {
            if let full = reader.feed(chunk) { take(full) }
        }
        take(reader.finish())
        return seen
    }

    static func chunks(_ text: String, size: Int) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
    }

    @Test func recordsSurviveAnyChunking() {
        let text = "a first\n  at x()\n  at y()\nb second\n\nc third\n\tcontinued\nd last without newline"
        let expected = ["1:a first\n  at x()\n  at y()", "4:b second", "6:c third\n\tcontinued", "8:d last without newline"]
        for chunkSize in [1, 2, 3, 7, 100] {
            let seen = Self.records(of: Self.chunks(text, size: chunkSize), maximumRecordBytes: 1000)
            #expect(seen.map(\.0) == expected, "chunk size \(chunkSize)")
        }
    }

    @Test func anOverlongRecordIsCutAndSaysSo() {
        let text = String(repeating: "x", count: 25) + "\nnext\n"
        for chunkSize in [1, 4, 11, 100] {
            let seen = Self.records(of: Self.chunks(text, size: chunkSize), maximumRecordBytes: 10)
            #expect(seen.map(\.0) == ["1:xxxxxxxxxx", "2:next"], "chunk size \(chunkSize)")
            #expect(seen.map(\.1) == [true, false], "chunk size \(chunkSize)")
        }
    }

    /// Many full batches: every record comes out once, in order, with its line number.
    @Test func recordsSpanningBatchesComeOutWhole() {
        let lines = (0..<40_000).map { "record \($0):" + String(repeating: "y", count: $0 % 300) }
        let text = lines.joined(separator: "\n") + "\n"
        let seen = Self.records(of: Self.chunks(text, size: 65_537), maximumRecordBytes: 4096)
        #expect(seen.count == lines.count)
        let expected = lines.enumerated().map { "\($0.offset + 1):\($0.element)" }
        let firstDifference = zip(seen.map(\.0), expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "first difference at record \(firstDifference ?? -1)")
    }

    /// The facts a summary lists as the affected ids, users and records.
    @Test(arguments: [
        ("recordId", true), ("ID", true), ("userPrincipalName", true), ("UPN", true), ("objectGUID", true),
        ("mailboxAddress", true), ("eMail", true), ("targetAccount", true), ("identifier", true),
        ("status", false), ("limit", false), ("d", false), ("", false), ("idle", false), ("endpoint", false),
    ])
    func identifierFactsAreRecognized(name: String, isIdentifier: Bool) {
        #expect(LogSummary.isIdentifier(name) == isIdentifier)
    }
}
