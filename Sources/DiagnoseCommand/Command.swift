import Foundation
import SyncDiagnosis

/// The `diagnose` command: parses arguments, loads the rules, runs the mode
/// asked for, and turns every outcome into output and an exit status.
public struct Command {
    /// Where the command reads and writes; tests substitute their own.
    public struct Terminal {
        /// Reads the next chunk of standard input; nil at its end.
        public var readStandardInput: () -> [UInt8]?
        /// Writes to standard output.
        public var write: (String) -> Void
        /// Writes to standard error.
        public var writeError: (String) -> Void
        /// Whether standard output is a terminal (colour and layout follow it).
        public var outputIsTerminal: Bool
        /// Whether standard error is a terminal (progress on long inputs is shown there).
        public var errorIsTerminal: Bool

        /// A terminal of the given parts.
        public init(
            readStandardInput: @escaping () -> [UInt8]?, write: @escaping (String) -> Void,
            writeError: @escaping (String) -> Void, outputIsTerminal: Bool, errorIsTerminal: Bool = false
        ) {
            self.readStandardInput = readStandardInput
            self.write = write
            self.writeError = writeError
            self.outputIsTerminal = outputIsTerminal
            self.errorIsTerminal = errorIsTerminal
        }

        /// The process's own standard streams.
        public static var standard: Terminal {
            Terminal(
                readStandardInput: {
                    guard let data = try? FileHandle.standardInput.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
                    return Array(data)
                },
                write: { FileHandle.standardOutput.write(Data($0.utf8)) },
                writeError: { FileHandle.standardError.write(Data($0.utf8)) },
                outputIsTerminal: isatty(STDOUT_FILENO) != 0,
                errorIsTerminal: isatty(STDERR_FILENO) != 0
            )
        }
    }

    /// Exit statuses, as grep: something found, nothing found, trouble.
    public enum Status: Int32 {
        /// A rule matched (or, for `rules test`, every example passed).
        case found = 0
        /// No rule matched (or, for `rules test`, an example failed).
        case notFound = 1
        /// A usage error, unreadable input, or rules that failed to load.
        case trouble = 2
    }

    let options: Options
    let environment: [String: String]
    let terminal: Terminal
    /// Whether the process ends right after this command: what it loads is
    /// then left for the system to reclaim at exit.
    let endsProcess: Bool

    /// Runs the command with `arguments` (without the program name) and returns its exit status.
    ///
    /// `endsProcess`: the caller exits as soon as this returns, so the
    /// knowledge base and the work state are not torn down object by object
    /// (on a long log that takes longer than loading them did); the
    /// system reclaims them at exit. Leave it false to run commands in a
    /// longer-lived process.
    public static func run(arguments: [String], environment: [String: String], terminal: Terminal, endsProcess: Bool = false) -> Int32 {
        do {
            let options = try Options.parse(arguments)
            let command = Command(options: options, environment: environment, terminal: terminal, endsProcess: endsProcess)
            return try command.execute().rawValue
        } catch {
            terminal.writeError(error.message + "\n")
            return error.status
        }
    }

    private func execute() throws(CommandError) -> Status {
        switch options.mode {
        case .help:
            terminal.write(Self.help)
            return .found
        case .version:
            terminal.write("diagnose \(Self.version)\n")
            return .found
        case .diagnose(let text):
            return try diagnose(text)
        case .rulesList:
            return list(try knowledgeBase())
        case .rulesShow(let id):
            return try show(id, in: try knowledgeBase())
        case .rulesExplain(let id, let text):
            return try explain(id, text: text)
        case .rulesTest(let directories):
            return try test(directories)
        }
    }

    /// The rule folders to load, in order: `SYNCDIAGNOSIS_RULES`, then each `--rules`.
    var ruleDirectories: [String] {
        let fromEnvironment = (environment["SYNCDIAGNOSIS_RULES"] ?? "").split(separator: ":").map(String.init)
        return fromEnvironment + options.ruleDirectories
    }

    func knowledgeBase(extra: [String] = []) throws(CommandError) -> KnowledgeBase {
        let knowledge: KnowledgeBase
        do {
            knowledge = try KnowledgeBase.load(
                directories: ruleDirectories + extra, includingBuiltIn: options.includeBuiltIn,
                disabling: Set(options.disabled))
        } catch {
            throw CommandError(error)
        }
        if endsProcess { UntilExit.keep(knowledge) }
        return knowledge
    }

    /// The text to diagnose: the argument, `--file`, or standard input, whole.
    func input(_ argument: String?) throws(CommandError) -> [UInt8] {
        if let argument { return Array(argument.utf8) }
        var bytes: [UInt8] = []
        try readInput { bytes += $0 }
        return bytes
    }

    /// Streams `--file` or standard input in chunks.
    func readInput(_ body: ([UInt8]) -> Void) throws(CommandError) {
        try readInputBytes { body(Array($0)) }
    }

    /// Reads the input chunk by chunk; a chunk's bytes are valid only during `body`.
    func readInputBytes(_ body: (UnsafeRawBufferPointer) -> Void) throws(CommandError) {
        guard let path = options.file else {
            while let chunk = terminal.readStandardInput() { chunk.withUnsafeBytes(body) }
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let handle = FileHandle(forReadingAtPath: path)
        else {
            throw .input("cannot read '\(path)': no such file, or not readable")
        }
        defer { try? handle.close() }
        do {
            while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { data.withUnsafeBytes(body) }
        } catch {
            throw .input("cannot read '\(path)': \(error.localizedDescription)")
        }
    }

    var useColor: Bool {
        switch options.color {
        case .always: true
        case .never: false
        case .auto: terminal.outputIsTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        }
    }

    static let version = "0.1.0"
}

/// What a command that ends its process keeps until the exit reclaims it all at once.
enum UntilExit {
    private nonisolated(unsafe) static var kept: [Any] = []
    private static let lock = NSLock()

    static func keep(_ value: Any) {
        lock.lock()
        kept.append(value)
        lock.unlock()
    }
}
