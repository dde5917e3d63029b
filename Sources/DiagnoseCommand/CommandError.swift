import SyncDiagnosis

/// Everything that stops the command, each mapped to one message and one exit status.
enum CommandError: Error, Equatable {
    case usage(String)
    case input(String)
    case rules(String)
    case unknownRule(String)

    /// The exit status: grep's convention, 2 for every kind of trouble.
    var status: Int32 { 2 }

    var message: String {
        switch self {
        case .usage(let text): "diagnose: error: \(text)\nRun 'diagnose --help' for usage."
        case .input(let text): "diagnose: error: \(text)"
        case .rules(let text): "\(text)\ndiagnose: error: the rules could not be loaded"
        case .unknownRule(let text): "diagnose: error: \(text)"
        }
    }

    init(_ error: RuleLoadError) {
        self = .rules(error.description)
    }
}

/// A "did you mean" for command-line words.
enum Suggestion {
    static func closest(to word: String, in candidates: [String]) -> String? {
        candidates.min { distance(word, $0) < distance(word, $1) }.flatMap { distance(word, $0) <= 2 ? $0 : nil }
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
