import Testing
import SyncDiagnosis
@testable import SyncDiagnosisCore

/// Every kind of broken rule file is reported with its file, rule, field,
/// position and what was expected; nothing is skipped silently.
struct RuleLoadingTests {
    private let path = "Rules/test/broken.json"

    private func problems(_ json: String) -> [RuleLoadError.Problem] {
        Fixtures.problems(loading: json, at: path)
    }

    private func rule(match: String = #"{"phrase": "boom"}"#, examples: String? = nil, category: String = "auth", cause: String = "Something failed.") -> String {
        Fixtures.rule("test.broken", match: match, examples: examples ?? #"{"match": ["boom"]}"#, category: category, cause: cause)
    }

    @Test func aValidRuleLoads() {
        #expect(problems(rule()).isEmpty)
    }

    @Test func malformedJSONNamesTheLineAndColumn() throws {
        let found = problems("{\n  \"id\": \"test.broken\",\n  \"title\": oops\n}")
        let problem = try #require(found.first)
        #expect(found.count == 1)
        #expect(problem.file == path)
        #expect(problem.ruleID == "test.broken")
        #expect(problem.line == 3 && problem.column == 12)
        #expect(problem.message.contains("malformed JSON") && problem.message.contains("'o'"))
        #expect(problem.description.hasPrefix("Rules/test/broken.json:3:12: error: rule 'test.broken': malformed JSON"))
    }

    @Test func unknownKeysAreReportedWithASuggestion() {
        let json = rule().replacingOccurrences(of: "\"priority\"", with: "\"priorty\"")
        #expect(problems(json).contains { $0.field == "priorty" && $0.message.contains("did you mean 'priority'?") })
    }

    @Test(arguments: [("category", "auth-failure", "did you mean 'auth'?"), ("category", "ratelimit", "did you mean 'rate-limit'?")])
    func vocabularyWordsOutsideTheTaxonomyAreRejected(field: String, word: String, hint: String) throws {
        let found = problems(rule(category: word))
        let problem = try #require(found.first { $0.field == field })
        #expect(problem.message == "unknown category '\(word)'; \(hint)")
        #expect(problem.line != nil)
    }

    @Test func scopeAndActionOutsideTheVocabularyAreRejected() {
        let json = rule().replacingOccurrences(of: "\"record\"", with: "\"records\"")
            .replacingOccurrences(of: "\"update-credentials\"", with: "\"update-creds\"")
        let found = problems(json)
        #expect(found.contains { $0.field == "scope" && $0.message.contains("did you mean 'record'?") })
        #expect(found.contains { $0.field == "action" && $0.message.contains("did you mean 'update-credentials'?") })
    }

    @Test func duplicateIDsInOneLayerAreRejected() {
        do {
            _ = try KnowledgeBase(layers: [[
                RuleSource(path: "Rules/test/broken.json", contents: rule()),
                RuleSource(path: "Rules/test/broken.json", contents: rule()),
            ]])
            Issue.record("a duplicate id loaded")
        } catch {
            #expect(error.problems.contains { $0.field == "id" && $0.message.contains("duplicate id") })
        }
    }

    @Test func anIDThatDoesNotMatchItsPathIsRejected() {
        let found = Fixtures.problems(loading: rule(), at: "Rules/test/other-name.json")
        #expect(found.contains { $0.field == "id" && $0.message.contains("expected 'test.other-name'") })
    }

    @Test func aSystemThatDoesNotMatchItsFolderIsRejected() {
        let found = Fixtures.problems(loading: rule(), at: "Rules/elsewhere/broken.json")
        #expect(found.contains { $0.field == "system" && $0.message.contains("folder 'elsewhere'") })
    }

    @Test(arguments: [
        (#"{"template": "missing {privilege:wrd} privilege"}"#, "match.template", "unknown capture type 'wrd'"),
        (#"{"regex": "(a)\\1"}"#, "match.regex", "backreferences are not supported"),
        (#"{"regex": "(?=x)abc"}"#, "match.regex", "lookahead is not supported"),
        (#"{"regex": "x*"}"#, "match.regex", "can match empty text"),
        (#"{}"#, "match", "expected exactly one of"),
        (#"{"all": []}"#, "match.all", "expected at least one condition"),
        (#"{"phrase": ""}"#, "match.phrase", "expected a non-empty string"),
        (#"{"phrse": "x"}"#, "match.phrse", "did you mean 'phrase'?"),
        (#"{"where": "count >> limit"}"#, "match.where", "expected a comparison"),
        (#"{"all": [{"phrase": "x"}, {"where": "count > limit"}]}"#, "match.all[1].where", "no condition of the rule captures"),
        (#"{"not": {"template": "user {u:word}"}}"#, "match.not", "cannot capture"),
    ])
    func invalidMatchConditionsAreRejected(match: String, field: String, message: String) throws {
        let found = problems(rule(match: match))
        let problem = try #require(found.first { $0.field == field }, "problems: \(found)")
        #expect(problem.message.contains(message))
        #expect(problem.file == path && problem.ruleID == "test.broken")
    }

    @Test func aPlaceholderWithoutACaptureIsRejected() {
        let found = problems(rule(match: #"{"template": "missing {privilege:word} privilege"}"#, cause: "Grant {privilge} to {user}."))
        #expect(found.contains { $0.field == "cause" && $0.message.contains("'{privilge}'") && $0.message.contains("did you mean '{privilege}'?") })
        #expect(found.contains { $0.field == "cause" && $0.message.contains("'{user}'") })
    }

    /// A placeholder must name a fact every match captures, or the text would show `{code}` itself.
    @Test func aPlaceholderForAFactSomeMatchesLackIsRejected() {
        let oneBranch = problems(rule(match: #"{"any": [{"template": "error {code:int}"}, {"phrase": "failed"}]}"#, cause: "Code {code}."))
        #expect(oneBranch.contains { $0.field == "cause" && $0.message.contains("'{code}'") && $0.message.contains("not every match captures") })
        let optional = problems(rule(match: #"{"regex": "error(?: (?<code>\\d+))?"}"#, cause: "Code {code}."))
        #expect(optional.contains { $0.field == "cause" && $0.message.contains("not every match captures") })
        let everyBranch = problems(rule(match: #"{"any": [{"template": "error {code:int}"}, {"regex": "failed \\((?<code>\\d+)\\)"}]}"#, cause: "Code {code}."))
        #expect(everyBranch.isEmpty, "\(everyBranch)")
        let alternation = problems(rule(match: #"{"all": [{"phrase": "failed"}, {"regex": "(?:code|status) (?<code>\\d+)"}]}"#, cause: "Code {code}."))
        #expect(alternation.isEmpty, "\(alternation)")
    }

    @Test func aRuleWithoutExamplesIsRejected() {
        let found = problems(rule(examples: #"{"noMatch": ["x"]}"#))
        #expect(found.contains { $0.field == "examples.match" && $0.message.contains("no match example") })
        let missing = problems(rule().replacingOccurrences(of: #""examples": {"match": ["boom"]}"#, with: #""notes": "none""#))
        #expect(missing.contains { $0.field == "examples" && $0.message.contains("missing required field") })
    }

    @Test func exampleFactsMustNameACapture() {
        let found = problems(rule(examples: #"{"match": [{"text": "boom", "facts": {"status": 404}}]}"#))
        #expect(found.contains { $0.field == "examples.match[0].facts.status" })
    }

    @Test func everyProblemInEveryFileIsReportedAtOnce() {
        do {
            _ = try KnowledgeBase(layers: [[
                RuleSource(path: "Rules/test/a.json", contents: "{"),
                RuleSource(path: "Rules/test/b.json", contents: Fixtures.rule("test.b", match: #"{"phrase": "x"}"#, category: "nope")),
            ]])
            Issue.record("broken files loaded")
        } catch {
            #expect(Set(error.problems.map(\.file)) == ["Rules/test/a.json", "Rules/test/b.json"])
        }
    }

    @Test func invalidUTF8AndBinaryRuleFilesAreReportedNotCrashed() {
        let source = RuleSource(path: "Rules/test/bin.json", contents: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x00, 0x7D])
        do {
            _ = try KnowledgeBase(layers: [[source]])
            Issue.record("binary loaded")
        } catch {
            #expect(error.problems.first?.message.contains("malformed JSON") == true)
        }
    }

    @Test func disablingAnUnknownRuleIsAnError() {
        do {
            _ = try KnowledgeBase(layers: [[RuleSource(path: path, contents: rule())]], disabling: ["test.brokn"])
            Issue.record("unknown id accepted")
        } catch {
            #expect(error.problems.first?.message.contains("did you mean 'test.broken'?") == true)
        }
    }

    @Test func aLaterLayerReplacesARuleWithTheSameID() throws {
        let first = RuleSource(path: path, contents: rule(match: #"{"phrase": "old"}"#, examples: #"{"match": ["old"]}"#))
        let second = RuleSource(path: "/tmp/mine/test/broken.json", contents: rule(match: #"{"phrase": "new"}"#, examples: #"{"match": ["new"]}"#))
        let knowledge = try KnowledgeBase(layers: [[first], [second]])
        #expect(knowledge.rules.count == 1)
        #expect(knowledge.diagnose("new").best?.rule.file == "/tmp/mine/test/broken.json")
        #expect(knowledge.diagnose("old").findings.isEmpty)
    }
}
