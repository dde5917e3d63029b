import Testing
import SyncDiagnosis
@testable import SyncDiagnosisCore

/// The project's own linear-time engine: syntax, semantics, captures.
struct RegexEngineTests {
    private func match(_ pattern: String, _ text: String) throws -> [String?]? {
        let (node, names) = try RegexParser.parse(pattern)
        let program = try Program(node, captureCount: names.count)
        let machine = PikeVM(program)
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            machine.firstMatch(in: buffer).map { slots in
                stride(from: 0, to: slots.count, by: 2).map { index in
                    slots[index] < 0 ? nil : String(decoding: bytes[slots[index]..<slots[index + 1]], as: UTF8.self)
                }
            }
        }
    }

    /// A search skips to the next occurrence of the literal every match
    /// begins with: only where both cases of each letter are accepted, and
    /// never past a match (a false start, an overlapping one, a late one).
    @Test func searchesSkipToTheLiteralEveryMatchBeginsWith() throws {
        func prefix(_ pattern: String) throws -> String {
            let (node, names) = try RegexParser.parse(pattern)
            return String(decoding: try Program(node, captureCount: names.count).literalPrefix, as: UTF8.self)
        }
        #expect(try prefix("(?<x>Ab)-cd") == "ab-cd")
        #expect(try prefix("\\bError: \\d+") == "error: ")
        #expect(try prefix("ab[cd]e") == "ab")
        #expect(try prefix("(?:ab|cd)e") == "")
        #expect(try match("abcd", "ABxAbabCD")?.first == "abCD")
        #expect(try match("aab", "aaaab")?.first == "aab")
        #expect(try match("error: (?<code>\\d+)", "no error; Error: x; ERROR: 42, error: 7") == ["ERROR: 42", "42"])
        #expect(try match("\\bfail", "nofail fail")?.first == "fail")
        #expect(try match("abc", String(repeating: "ab", count: 1000)) == nil)
    }

    @Test(arguments: [
        ("abc", "xxABCxx", "ABC"),
        ("a+b", "caaab", "aaab"),
        ("a+?b", "aaab", "aaab"),
        ("colou?r", "the COLOR red", "COLOR"),
        ("\\d{3}", "code 40412", "404"),
        ("\\d{2,3}", "1 22 333 4444", "22"),
        ("[a-c]+", "xxbcaz", "bca"),
        ("[^a-c ]+", "abc def", "def"),
        ("cat|category", "category", "cat"),
        ("(?:ab)+", "abababx", "ababab"),
        ("^error", "ok\nerror here", "error"),
        ("here$", "error here\r\nnext", "here"),
        ("\\bcat\\b", "concat cat", "cat"),
        ("\\(404\\)", "error: (404) Not Found", "(404)"),
        ("x*", "abc", ""),
        ("a.c", "a\nc abc", "abc"),
        ("\\w+@\\w+\\.com", "mail j_doe@contoso.com now", "j_doe@contoso.com"),
    ])
    func matchesLeftmostFirst(pattern: String, text: String, expected: String) throws {
        #expect(try match(pattern, text)?.first ?? nil == expected)
    }

    @Test(arguments: [("abc", "abd"), ("^b", "ab"), ("a{3}", "aa"), ("\\bcat\\b", "concatenate"), ("[0-9]", "abc")])
    func rejectsNonMatches(pattern: String, text: String) throws {
        #expect(try match(pattern, text) == nil)
    }

    @Test func namedCapturesAreNumberedInOrder() throws {
        let groups = try match("(?<user>\\w+)@(?P<domain>[\\w.]+)", "send to ann@fabrikam.com today")
        #expect(groups == ["ann@fabrikam.com", "ann", "fabrikam.com"])
    }

    @Test func optionalCaptureThatDidNotParticipateIsUnset() throws {
        let groups = try match("a(?<b>b)?c", "ac")
        #expect(groups == ["ac", nil])
    }

    @Test(arguments: [
        ("(a)\\1", "backreferences"), ("(?=a)", "lookahead"), ("(?<=a)b", "lookbehind"), ("(?!a)", "lookahead"),
        ("(?i)abc", "inline flags"), ("a++", "possessive"), ("[[:alpha:]]", "POSIX"), ("\\p{L}", "escape"),
        ("(abc", "unbalanced"), ("abc)", "unbalanced"), ("[abc", "unbalanced"), ("*a", "nothing to repeat"),
        ("a{5,2}", "reversed"), ("a{2000}", "above"), ("(?<n>a)(?<n>b)", "used twice"),
    ])
    func rejectsUnsupportedConstructsWithAClearMessage(pattern: String, expectedWords: String) {
        #expect {
            _ = try RegexParser.parse(pattern)
        } throws: { error in
            (error as? PatternError)?.message.contains(expectedWords) == true
        }
    }

    @Test func nestedQuantifiersRunInLinearTimeWithoutBacktracking() throws {
        // The classic catastrophic pattern: a backtracking engine never finishes on these.
        for count in [100_000, 200_000] {
            let text = String(repeating: "a", count: count)
            #expect(try match("(a+)+b", text) == nil)
            #expect(try match("(a|aa)*c", text) == nil)
            #expect(try match("(a+)+$", text)?.first ?? nil == text)
        }
    }

    @Test func matchingIsCaseInsensitiveForASCIIOnly() throws {
        #expect(try match("straße", "STRAßE")?.first ?? nil == "STRAßE")
        #expect(try match("é", "É") == nil)
    }
}
