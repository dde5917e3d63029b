/// The command line, parsed.
struct Options: Equatable {
    enum Format: String, CaseIterable { case text, markdown, json }
    enum Color: String, CaseIterable { case auto, always, never }

    enum Mode: Equatable {
        case diagnose(text: String?)
        case rulesList
        case rulesShow(id: String)
        case rulesExplain(id: String, text: String?)
        case rulesTest(directories: [String])
        case help
        case version
    }

    var mode: Mode = .diagnose(text: nil)
    var format: Format = .text
    var color: Color = .auto
    var ruleDirectories: [String] = []
    var disabled: [String] = []
    var includeBuiltIn = true
    var file: String?
    var eachLine = false
    var redact = true
    var maximumInputBytes: Int?

    static let valueOptions = ["--format", "--rules", "--disable", "--file", "--max-bytes", "--color"]
    static let flagOptions = ["--no-builtin", "--each-line", "--no-redact", "--no-color", "--help", "-h", "--version"]

    /// Parses the arguments after the program name.
    static func parse(_ arguments: [String]) throws(CommandError) -> Options {
        var options = Options()
        var positionals: [String] = []
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if valueOptions.contains(name) {
                guard let value = inlineValue ?? (index < arguments.count ? arguments[index] : nil) else {
                    throw .usage("option \(name) needs a value")
                }
                if inlineValue == nil { index += 1 }
                try options.apply(name, value)
            } else if flagOptions.contains(name), inlineValue == nil {
                options.apply(flag: name)
            } else {
                let hint = Suggestion.closest(to: name, in: valueOptions + flagOptions).map { "; did you mean '\($0)'?" } ?? ""
                throw .usage("unknown option '\(argument)'\(hint)")
            }
        }
        if case .help = options.mode { return options }
        if case .version = options.mode { return options }
        options.mode = try mode(from: positionals, file: options.file)
        return options
    }

    private mutating func apply(_ name: String, _ value: String) throws(CommandError) {
        switch name {
        case "--format":
            guard let parsed = Format(rawValue: value) else {
                throw .usage("unknown format '\(value)' (expected text, markdown or json)")
            }
            format = parsed
        case "--color":
            guard let parsed = Color(rawValue: value) else {
                throw .usage("unknown colour setting '\(value)' (expected auto, always or never)")
            }
            color = parsed
        case "--rules": ruleDirectories.append(value)
        case "--disable": disabled.append(value)
        case "--file": file = value
        default:
            guard let bytes = Int(value), bytes > 0 else {
                throw .usage("--max-bytes needs a positive number of bytes, found '\(value)'")
            }
            maximumInputBytes = bytes
        }
    }

    private mutating func apply(flag: String) {
        switch flag {
        case "--no-builtin": includeBuiltIn = false
        case "--each-line": eachLine = true
        case "--no-redact": redact = false
        case "--no-color": color = .never
        case "--version": mode = .version
        default: mode = .help
        }
    }

    private static func mode(from positionals: [String], file: String?) throws(CommandError) -> Mode {
        guard positionals.first == "rules" else {
            if positionals.count > 1 {
                throw .usage("expected one message argument, found \(positionals.count) (quote the message)")
            }
            if file != nil && !positionals.isEmpty { throw .usage("give the message either as an argument or with --file, not both") }
            return .diagnose(text: positionals.first)
        }
        let rest = Array(positionals.dropFirst())
        let subcommands = ["list", "show", "explain", "test"]
        guard let sub = rest.first else { throw .usage("'rules' needs a subcommand: \(subcommands.joined(separator: ", "))") }
        switch (sub, rest.count) {
        case ("list", 1): return .rulesList
        case ("show", 2): return .rulesShow(id: rest[1])
        case ("explain", 2): return .rulesExplain(id: rest[1], text: nil)
        case ("explain", 3): return .rulesExplain(id: rest[1], text: rest[2])
        case ("test", _): return .rulesTest(directories: Array(rest.dropFirst()))
        case ("list", _): throw .usage("'rules list' takes no arguments")
        case ("show", _): throw .usage("usage: diagnose rules show ID")
        case ("explain", _): throw .usage("usage: diagnose rules explain ID [TEXT]")
        default:
            let hint = Suggestion.closest(to: sub, in: subcommands).map { "; did you mean '\($0)'?" } ?? ""
            throw .usage("unknown subcommand 'rules \(sub)'\(hint)")
        }
    }
}
