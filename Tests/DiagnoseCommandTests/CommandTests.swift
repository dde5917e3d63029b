import DiagnoseCommand
import Foundation
import Testing

/// The command in-process: arguments in, output and exit status out.
struct CommandTests {
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any]
        }

        var findings: [[String: Any]] { json?["findings"] as? [[String: Any]] ?? [] }
    }

    /// Standard input that yields its bytes in one chunk, then ends.
    final class Input: @unchecked Sendable {
        private var bytes: [UInt8]?
        init(_ bytes: [UInt8]?) { self.bytes = bytes }
        func next() -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }

    final class Capture: @unchecked Sendable {
        var output = ""
        var errors = ""
    }

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], terminal: Bool = false) -> Outcome {
        let capture = Capture()
        let input = Input(stdin.map { Array($0.utf8) })
        let io = Command.Terminal(
            readStandardInput: { input.next() },
            write: { capture.output += $0 },
            writeError: { capture.errors += $0 },
            outputIsTerminal: terminal
        )
        let status = Command.run(arguments: arguments, environment: environment, terminal: io)
        return Outcome(status: status, output: capture.output, errors: capture.errors)
    }

    /// The five errors on the project card, the category and facts each must give.
    @Test(arguments: [
        ("The request failed. The remote server returned an error: (404) Not Found – EWS URL – incorrect", "configuration", "status", "404"),
        ("Authentication error – OAuthRefreshToken might have expired", "auth", nil, nil),
        ("Principal user (Id=51c0a1f2-7a3b-4c5d-8e9f-0a1b2c3d4e5f, type=8) is missing prvReadAccount privilege", "permission", "privilege", "prvReadAccount"),
        ("A limit on the number of snapshot records is exceeded (10000/10040/0)", "limit-exceeded", "count", "10040"),
        ("Currency EUR is not coupled.", "dependency", "value", "EUR"),
    ] as [(String, String, String?, String?)])
    func theCardErrorsAreDiagnosed(message: String, category: String, fact: String?, value: String?) throws {
        let outcome = Self.run(["--format", "json", message])
        #expect(outcome.status == 0)
        let best = try #require(outcome.findings.first)
        #expect(best["category"] as? String == category)
        if let fact { #expect((best["facts"] as? [String: String])?[fact] == value) }
        for key in ["rule", "title", "category", "scope", "retryable", "action", "cause", "remediation", "facts", "evidence"] {
            #expect(best[key] != nil, "missing \(key)")
        }
    }

    @Test func snapshotLimitCapturesLimitAndCount() throws {
        let outcome = Self.run(["--format", "json", "A limit on the number of snapshot records is exceeded (10000/10040/0)"])
        let facts = try #require(outcome.findings.first?["facts"] as? [String: String])
        #expect(facts["limit"] == "10000" && facts["count"] == "10040")
        let evidence = try #require((outcome.findings.first?["evidence"] as? [[String: Any]])?.first)
        #expect(evidence["start"] as? Int == 0 && evidence["end"] as? Int == 69)
    }

    @Test func noMatchExitsOneAndSaysSo() {
        let text = Self.run(["nothing is wrong here at all"])
        #expect(text.status == 1 && text.output.contains("No rule matched"))
        let json = Self.run(["--format", "json", "nothing is wrong here at all"])
        #expect(json.status == 1 && json.findings.isEmpty && json.json != nil)
        let markdown = Self.run(["--format", "markdown", "nothing is wrong here at all"])
        #expect(markdown.status == 1 && markdown.output.contains("no rule matched"))
    }

    @Test func standardInputAndFilesAreRead() throws {
        let piped = Self.run(["--format", "json"], stdin: "log line\nA limit on the number of snapshot records is exceeded (10000/10040/0)\n")
        #expect(piped.status == 0 && piped.findings.first?["rule"] as? String == "sap-c4c.snapshot-limit-exceeded")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("diagnose-\(UUID()).log")
        try Data("Authentication error - OAuthRefreshToken might have expired".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let read = Self.run(["--file", file.path, "--format", "json"])
        #expect(read.findings.first?["rule"] as? String == "sap-c4c.oauth-refresh-token-expired")
        let missing = Self.run(["--file", "/nonexistent/x.log"])
        #expect(missing.status == 2 && missing.errors.contains("cannot read '/nonexistent/x.log'"))
    }

    @Test(arguments: [
        (["--format", "yaml", "x"], "unknown format 'yaml'"),
        (["--frmat", "json", "x"], "did you mean '--format'?"),
        (["rules", "lst"], "did you mean 'list'?"),
        (["a", "b"], "expected one message argument"),
        (["--rules"], "needs a value"),
        (["rules", "show", "sap-c4c.snapshot-limit-exeeded"], "did you mean 'sap-c4c.snapshot-limit-exceeded'?"),
    ])
    func usageErrorsExitTwoWithAClearMessage(arguments: [String], message: String) {
        let outcome = Self.run(arguments)
        #expect(outcome.status == 2)
        #expect(outcome.errors.contains(message), "stderr: \(outcome.errors)")
    }

    @Test func emptyInputIsAnError() {
        let outcome = Self.run([], stdin: "  \n")
        #expect(outcome.status == 2 && outcome.errors.contains("no text to diagnose"))
    }

    @Test func textOutputLeadsWithTheBestFindingAndColoursOnlyTerminals() {
        let plain = Self.run(["Authentication error – OAuthRefreshToken might have expired"])
        #expect(plain.output.hasPrefix("Exchange authorization lapsed"))
        #expect(plain.output.contains("next action update-credentials") && plain.output.contains("Retry: a plain retry will not help"))
        #expect(!plain.output.contains("\u{1B}["))
        let coloured = Self.run(["Authentication error – OAuthRefreshToken might have expired"], terminal: true)
        #expect(coloured.output.contains("\u{1B}["))
        let noColor = Self.run(["Authentication error – OAuthRefreshToken might have expired"], environment: ["NO_COLOR": "1"], terminal: true)
        #expect(!noColor.output.contains("\u{1B}["))
    }

    @Test func markdownIsReadyForATicket() {
        let outcome = Self.run(["--format", "markdown", "A limit on the number of snapshot records is exceeded (10000/10040/0)"])
        #expect(outcome.output.hasPrefix("### "))
        #expect(outcome.output.contains("| `limit-exceeded` | `sync` | `reduce-scope` | no |"))
        #expect(outcome.output.contains("1. "))
    }

    @Test func userRulesExtendAndOverrideWithoutRebuilding() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("acme"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sap-c4c"), withIntermediateDirectories: true)
        try Data(Self.userRule(id: "acme.widget-jam", phrase: "widget jammed", category: "transient").utf8)
            .write(to: folder.appendingPathComponent("acme/widget-jam.json"))
        try Data(Self.userRule(id: "sap-c4c.snapshot-limit-exceeded", phrase: "snapshot records", category: "configuration").utf8)
            .write(to: folder.appendingPathComponent("sap-c4c/snapshot-limit-exceeded.json"))

        let added = Self.run(["--rules", folder.path, "--format", "json", "ERROR widget jammed at station 4"])
        #expect(added.findings.first?["rule"] as? String == "acme.widget-jam")
        let overridden = Self.run(["--format", "json", "A limit on the number of snapshot records is exceeded (10000/10040/0)"], environment: ["SYNCDIAGNOSIS_RULES": folder.path])
        #expect(overridden.findings.first?["category"] as? String == "configuration")
        let disabled = Self.run(["--rules", folder.path, "--disable", "acme.widget-jam", "ERROR widget jammed"])
        #expect(disabled.status == 1)
        let onlyMine = Self.run(["--no-builtin", "--rules", folder.path, "rules", "list"])
        #expect(onlyMine.output.contains("2 rules"))
    }

    @Test func brokenUserRulesExitTwoNamingFileAndRule() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("acme"), withIntermediateDirectories: true)
        let broken = Self.userRule(id: "acme.bad", phrase: "x", category: "auth-failure")
        try Data(broken.utf8).write(to: folder.appendingPathComponent("acme/bad.json"))
        let outcome = Self.run(["--rules", folder.path, "anything"])
        #expect(outcome.status == 2)
        #expect(outcome.errors.contains("\(folder.path)/acme/bad.json:"))
        #expect(outcome.errors.contains("rule 'acme.bad': category: unknown category 'auth-failure'; did you mean 'auth'?"))
        let missing = Self.run(["--rules", "/nonexistent/rules", "anything"])
        #expect(missing.status == 2 && missing.errors.contains("no such rules folder"))
    }

    @Test func rulesShowExplainAndTest() {
        let show = Self.run(["rules", "show", "dataverse.missing-privilege"])
        #expect(show.status == 0 && show.output.contains("Matches when:") && show.output.contains("template \"Principal user"))
        let explain = Self.run(["rules", "explain", "sap-c4c.snapshot-limit-exceeded", "A limit on the number of snapshot records is exceeded (10000/9000/0)"])
        #expect(explain.status == 1)
        #expect(explain.output.contains("does NOT match") && explain.output.contains("[FAIL] where count > limit"))
        #expect(explain.output.contains("captured limit=10000, count=9000"))
        let test = Self.run(["rules", "test"])
        #expect(test.output.contains(" passed, "))
    }

    static func userRule(id: String, phrase: String, category: String) -> String {
        """
        {"id": "\(id)", "title": "User rule", "status": "experimental", "system": "\(id.split(separator: ".")[0])",
         "category": "\(category)", "scope": "record", "retryable": true, "action": "wait-and-replay",
         "match": {"phrase": "\(phrase)"}, "cause": "c", "remediation": ["r"], "references": ["local"],
         "examples": {"match": ["\(phrase)"]}}
        """
    }
}

/// Secrets in the input never reach any output, unless asked for.
struct RedactionTests {
    static let secret = "Hunter22Secret"
    static let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzeW5jIn0.c2lnbmF0dXJlLXZhbHVl"
    static let message = "2024-05-14T08:30:01Z ERROR Authentication error - OAuthRefreshToken might have expired (Authorization: Bearer \(token); Password=\(secret))"

    @Test(arguments: [["--format", "json"], ["--format", "text"], ["--format", "markdown"],
                      ["--each-line", "--format", "json"], ["--each-line", "--format", "text"], ["--each-line", "--format", "markdown"]])
    func plantedSecretsNeverAppear(arguments: [String]) {
        let outcome = CommandTests.run(arguments, stdin: Self.message + "\nsomething unmatched with token=\(Self.token)\n")
        #expect(outcome.status == 0)
        #expect(!outcome.output.contains(Self.secret) && !outcome.output.contains(Self.token), "\(outcome.output)")
    }

    @Test func noRedactShowsThem() {
        let outcome = CommandTests.run(["--no-redact", "--each-line", "--format", "json"], stdin: Self.message)
        #expect(outcome.output.contains(Self.secret))
    }
}
