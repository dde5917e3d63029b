/// Masks secrets in text that people paste into tickets: bearer tokens,
/// JWTs, passwords and keys in connection strings, URLs and JSON, SAS
/// signatures, refresh tokens.
///
/// ```swift
/// Redactor.standard.redact("Authorization: Bearer eyJ0eXAiOiJKV1Qi...")  // "Authorization: Bearer ***"
/// ```
///
/// Only the secret is replaced (by `***`); the names around it stay, so the
/// text still reads as the error it was.
public struct Redactor: Sendable {
    private let patterns: [Program]

    /// The default set of secret patterns.
    public static let standard = Redactor()

    /// The patterns: each marks the secret with the capture named `secret`.
    static let sources = [
        #"\bbearer\s+(?<secret>[a-z0-9._~+/=-]{8,})"#,
        #"\bbasic\s+(?<secret>[a-z0-9+/=]{8,})"#,
        #"(?<secret>\beyJ[a-z0-9_-]{4,}\.[a-z0-9_-]{4,}\.[a-z0-9_-]*)"#,
        #"[a-z][a-z0-9+.-]*://[^\s:/@"']+:(?<secret>[^\s@/"']+)@"#,
        #"\b(?:password|passwd|pwd|client_secret|clientsecret|secret|api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|accountkey|sharedaccesskey|sig|x-api-key)\\?"?\s*[=:]\s*\\?"?(?<secret>[^\s;&,"'\\]{3,})"#,
    ]

    private init() {
        patterns = Self.sources.compactMap { source in
            guard let (node, names) = try? RegexParser.parse(source) else { return nil }
            return try? Program(node, captureCount: names.count)
        }
    }

    /// The text with every secret replaced by `***`.
    public func redact(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var changed = false
        for program in patterns {
            let machine = PikeVM(program)
            var spans: [Range<Int>] = []
            bytes.withUnsafeBufferPointer { buffer in
                var position = 0
                while position < buffer.count, let slots = machine.firstMatch(in: buffer, from: position) {
                    if slots[2] >= 0 && slots[3] > slots[2] { spans.append(slots[2]..<slots[3]) }
                    position = max(slots[1], slots[0] + 1)
                }
            }
            for span in spans.reversed() where !bytes[span].elementsEqual("***".utf8) {
                bytes.replaceSubrange(span, with: Array("***".utf8))
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }
}
