import SyncDiagnosis

extension Command {
    func diagnose(_ argument: String?) throws(CommandError) -> Status {
        let knowledge = try knowledgeBase()
        if options.eachLine { return try diagnoseEachRecord(knowledge, argument: argument) }
        let bytes = try input(argument)
        guard bytes.contains(where: { !ByteClass.isSpace($0) }) else {
            throw .input("no text to diagnose: give a message as an argument, with --file, or on standard input")
        }
        var settings = DiagnosisOptions()
        if let limit = options.maximumInputBytes { settings.maximumInputBytes = limit }
        if let structured = StructuredInput.detect(bytes) {
            return diagnose(structured, knowledge, settings: settings)
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

enum ByteClass {
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
