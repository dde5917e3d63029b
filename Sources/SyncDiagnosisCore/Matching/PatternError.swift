/// Why a phrase, template or regular expression cannot be compiled.
struct PatternError: Error, Sendable, Equatable {
    /// The character offset in the pattern where the problem is, if known.
    var offset: Int?
    var message: String

    var description: String {
        if let offset { return "\(message) (at character \(offset + 1))" }
        return message
    }
}
