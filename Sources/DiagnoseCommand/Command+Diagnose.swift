import SyncDiagnosis

extension Command {
    func diagnose(_ argument: String?) throws(CommandError) -> Status {
        let knowledge = try knowledgeBase()
        if options.eachLine { return try diagnoseEachRecord(knowledge, argument: argument) }
        let settings = self.settings
        var bytes = argument.map { Array($0.utf8) } ?? []
        var session: RecordSession?
        var decided = false
        if argument == nil {
            // Read until the input shows itself to be a long log; from then on, stream it.
            try readInput { chunk in
                if let session { session.feed(chunk); return }
                bytes += chunk
                if !decided, bytes.count >= Self.streamingThreshold {
                    decided = true
                    guard Self.looksLikeLog(bytes) else { return }
                    let started = RecordSession(knowledge, settings: settings, terminal: terminal)
                    started.feed(bytes)
                    bytes = []
                    session = started
                }
            }
        }
        if let session { return try report(session) }
        guard bytes.contains(where: { !ByteClass.isSpace($0) }) else {
            throw .input("no text to diagnose: give a message as an argument, with --file, or on standard input")
        }
        if let structured = StructuredInput.detect(bytes) {
            return diagnose(structured, knowledge, settings: settings)
        }
        if Self.looksLikeLog(bytes) {
            // A log tail or an export: diagnose record by record, as --each-line does.
            let session = RecordSession(knowledge, settings: settings, terminal: terminal)
            session.feed(bytes)
            return try report(session)
        }
        let diagnosis = knowledge.diagnose(bytes: bytes, options: settings)
        let rendering = Rendering(color: useColor, redactor: options.redact ? .standard : nil)
        switch options.format {
        case .json: terminal.write(rendering.json(diagnosis))
        case .markdown: terminal.write(rendering.markdown(diagnosis))
        case .text: terminal.write(rendering.text(diagnosis))
        }
        if diagnosis.isTruncated { terminal.writeError("diagnose: note: \(rendering.truncationNote(diagnosis))\n") }
        return diagnosis.findings.isEmpty ? .notFound : .found
    }
}

extension Command {
    /// From this many records on, an input is read as a log rather than one message.
    static let logThreshold = 5
    /// Past this size, an input that looks like a log is streamed instead of read whole.
    static let streamingThreshold = 1 << 20

    /// Whether the input is several records (and not a JSON document).
    static func looksLikeLog(_ bytes: [UInt8]) -> Bool {
        bytes.first(where: { !ByteClass.isSpace($0) }) != UInt8(ascii: "{")
            && recordCount(bytes, atLeast: logThreshold) >= logThreshold
    }

    /// How many records (lines that start a record: not blank, not indented) the input
    /// holds, counting no further than `limit`.
    static func recordCount(_ bytes: [UInt8], atLeast limit: Int) -> Int {
        var count = 0
        var atLineStart = true
        for byte in bytes {
            if atLineStart && !ByteClass.isSpace(byte) {
                count += 1
                if count >= limit { return count }
            }
            atLineStart = byte == 0x0A
        }
        return count
    }
}

enum ByteClass {
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
