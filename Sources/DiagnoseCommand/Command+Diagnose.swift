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
    /// From this many records on, an input whose records start like log lines is read as a log.
    static let logThreshold = 5
    /// From this many records on, any input is read as a log (or an export) rather than one message.
    static let manyRecords = 20
    /// Past this size, an input that looks like a log is streamed instead of read whole.
    static let streamingThreshold = 1 << 20

    /// Whether the input is several records (and not a JSON document): many
    /// records, or a few most of which start like log lines (a date, a time
    /// of day or a severity word near the start). A message pasted over a few
    /// lines, such as an exception or an HTTP response, stays one message.
    static func looksLikeLog(_ bytes: [UInt8]) -> Bool {
        guard bytes.first(where: { !ByteClass.isSpace($0) }) != UInt8(ascii: "{") else { return false }
        var records = 0
        var logLike = 0
        var atLineStart = true
        for (index, byte) in bytes.enumerated() {
            if atLineStart && !ByteClass.isSpace(byte) {
                records += 1
                if startsLikeLogLine(bytes[index...]) { logLike += 1 }
                if records >= manyRecords { return true }
            }
            atLineStart = byte == 0x0A
        }
        return records >= logThreshold && logLike * 2 > records
    }

    /// Whether a line carries, within its first 48 bytes, a date (`2024-05-14`,
    /// `14/05/2024`), a time of day (`08:31:07`) or an upper-case severity word.
    static func startsLikeLogLine(_ line: ArraySlice<UInt8>) -> Bool {
        let head = Array(line.prefix(48).prefix { $0 != 0x0A })
        let isDigit = { (index: Int) in index >= 0 && index < head.count && (0x30...0x39).contains(head[index]) }
        for index in head.indices {
            let byte = head[index]
            // dd:dd:dd
            if byte == 0x3A, isDigit(index - 1), isDigit(index - 2), isDigit(index + 1), isDigit(index + 2),
               index + 3 < head.count, head[index + 3] == 0x3A { return true }
            // dddd-dd-dd or dd/dd/dddd
            if (byte == 0x2D || byte == 0x2F), isDigit(index - 1), isDigit(index - 2), isDigit(index + 1), isDigit(index + 2),
               index + 3 < head.count, head[index + 3] == byte { return true }
        }
        let words = head.split { !(0x41...0x5A).contains($0) }.map { String(decoding: $0, as: UTF8.self) }
        return words.contains { severityWords.contains($0) }
    }

    private static let severityWords: Set<String> = ["ERROR", "ERR", "WARN", "WARNING", "INFO", "DEBUG", "TRACE", "FATAL", "CRITICAL", "SEVERE"]
}

enum ByteClass {
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
