import Testing
import SyncDiagnosis
@testable import SyncDiagnosisCore

/// Templates: literal text as a phrase, typed captures as facts.
struct TemplateTests {
    private func facts(_ template: String, _ text: String) throws -> [String: String]? {
        let knowledge = try Fixtures.knowledge([("test.t", Fixtures.rule("test.t", match: #"{"template": "\#(template.replacingOccurrences(of: "\"", with: "\\\""))"}"#))])
        return knowledge.diagnose(text).best.map { Dictionary($0.facts.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }) }
    }

    @Test(arguments: [
        ("code {n:int} end", "code -2147220891 end", "-2147220891"),
        ("took {n:number} s", "took 3.25 s", "3.25"),
        ("hr {n:hex}.", "hr 0x80040220.", "0x80040220"),
        ("user {n:guid})", "user {E5D1B0A4-6B1E-4C36-9D5B-0A1C2F3E4D5B})", "{E5D1B0A4-6B1E-4C36-9D5B-0A1C2F3E4D5B}"),
        ("missing {n:word} privilege", "missing prvReadAccount privilege", "prvReadAccount"),
        ("key {n:token} failed", "key a/b:c=d failed", "a/b:c=d"),
        ("mailbox {n:email} not", "mailbox Ann.Lee@contoso.onmicrosoft.com not found", "Ann.Lee@contoso.onmicrosoft.com"),
        ("calling {n:url} failed", "calling https://outlook.office365.com/EWS/Exchange.asmx failed", "https://outlook.office365.com/EWS/Exchange.asmx"),
        ("host {n:ip}:", "host 10.0.12.7:443", "10.0.12.7"),
        ("Organization \"{n:text}\" is marked", "Organization \"EUR01/Hosted/x.onmicrosoft.com\" is marked for removal", "EUR01/Hosted/x.onmicrosoft.com"),
        ("Reason: {n:text}", "Reason: the token was revoked by an admin\nnext line", "the token was revoked by an admin"),
    ])
    func capturesEachType(template: String, text: String, expected: String) throws {
        #expect(try facts(template, text)?["n"] == expected)
    }

    @Test func literalTextIsCaseAndWhitespaceTolerantAndDashesAreInterchangeable() throws {
        let template = "Authentication error - OAuthRefreshToken might have expired"
        #expect(try facts(template, "authentication ERROR –  OAuthRefreshToken\tmight have\r\nexpired") != nil)
        #expect(try facts(template, "Authentication error: OAuthRefreshToken might have expired") == nil)
    }

    @Test func quotesMatchTheirTypographicAndJSONEscapedForms() throws {
        let template = "Organization \"{org:text}\" is marked for removal"
        #expect(try facts(template, "Organization “contoso” is marked for removal")?["org"] == "contoso")
        #expect(try facts(template, #"{"m":"Organization \"contoso\" is marked for removal"}"#)?["org"] == "contoso")
    }

    @Test func doubledBracesAreLiteral() throws {
        #expect(try facts("value {{{n:int}}}", "value {42}")?["n"] == "42")
    }

    @Test(arguments: [
        ("missing {privilege:wrd} privilege", "unknown capture type 'wrd'"),
        ("missing {privilege} privilege", "expected '{name:type}'"),
        ("missing {privilege:word privilege", "unbalanced '{'"),
        ("a {x:int} b {x:int}", "used twice"),
        ("a } b", "lone '}'"),
    ])
    func rejectsInvalidTemplates(template: String, message: String) {
        #expect {
            _ = try TemplateParser.parse(template)
        } throws: { error in
            (error as? PatternError)?.description.contains(message) == true
        }
    }
}

/// Field conditions: a record field with a value, in JSON, key=value and "key: value" form.
struct FieldConditionTests {
    private let knowledge: KnowledgeBase

    init() throws {
        knowledge = try Fixtures.knowledge([
            ("t.field", Fixtures.rule("t.field", match: #"{"all": [{"field": {"errorCode": "{code:word}"}}, {"field": {"entryType": "Student"}}]}"#)),
        ])
    }

    @Test(arguments: [
        #"{"entryType":"Student","errorCode":"UnsynchronizableChange","errorMessage":"x"}"#,
        "entryType=Student errorCode=UnsynchronizableChange",
        "2017-06-12T21:50:00Z; entryType: Student; errorCode: UnsynchronizableChange; errorMessage: x",
        #"{\"entryType\": \"Student\", \"errorCode\": \"UnsynchronizableChange\"}"#,
    ])
    func fieldsMatchInEveryCommonForm(text: String) {
        #expect(knowledge.diagnose(text).best?.fact("code") == "UnsynchronizableChange", "\(text)")
    }

    @Test(arguments: [
        #"{"entryType":"Teacher","errorCode":"UnsynchronizableChange"}"#,
        "myentryType=Student errorCode=X",
        "entryTypes: Student; errorCode: X",
        "Student UnsynchronizableChange",
    ])
    func otherFieldsOrValuesDoNotMatch(text: String) {
        #expect(knowledge.diagnose(text).findings.isEmpty, "\(text)")
    }

    @Test func aFieldConditionNeedsOneNameAndAValue() {
        let found = Fixtures.problems(loading: Fixtures.rule("test.broken", match: #"{"field": {"a": "1", "b": "2"}}"#), at: "Rules/test/broken.json")
        #expect(found.contains { $0.field == "match.field" && $0.message.contains("expected one field name") })
    }
}
