import Foundation
import SyncDiagnosis

extension Command {
    /// Diagnoses every record of a log or export and reports them grouped.
    func diagnoseEachRecord(_ knowledge: KnowledgeBase, argument: String?) throws(CommandError) -> Status {
        var settings = DiagnosisOptions()
        if let limit = options.maximumInputBytes { settings.maximumInputBytes = limit }
        var diagnoser = Diagnoser(knowledge, options: settings)
        var reader = RecordReader(maximumRecordBytes: settings.maximumInputBytes)
        var summary = LogSummary()
        let body: RecordReader.Body = { line, record, truncated in
            summary.add(line: line, record: record, diagnosis: diagnoser.diagnose(record), truncated: truncated)
        }
        var progress = Progress(enabled: terminal.errorIsTerminal, write: terminal.writeError)
        if let argument {
            reader.feed(Array(argument.utf8), body)
        } else {
            try readInput { chunk in
                reader.feed(chunk, body)
                progress.advance(bytes: chunk.count, records: summary.records)
            }
        }
        reader.finish(body)
        progress.finish()
        let rendering = Rendering(color: useColor, redactor: options.redact ? .standard : nil)
        switch options.format {
        case .json: terminal.write(rendering.json(summary))
        case .markdown: terminal.write(rendering.markdown(summary))
        case .text: terminal.write(rendering.text(summary))
        }
        if summary.truncatedRecords > 0 {
            terminal.writeError("diagnose: note: \(summary.truncatedRecords) records were longer than \(settings.maximumInputBytes) bytes and were examined up to that size only (--max-bytes)\n")
        }
        if summary.records == 0 { throw .input("no text to diagnose: the input holds no records") }
        return summary.diagnosed > 0 ? .found : .notFound
    }
}

/// A one-line progress report on standard error, at most once a second, for long inputs.
struct Progress {
    let enabled: Bool
    let write: (String) -> Void
    private var bytes = 0
    private var lastReport = Date()
    private var shown = false

    init(enabled: Bool, write: @escaping (String) -> Void) {
        self.enabled = enabled
        self.write = write
    }

    mutating func advance(bytes count: Int, records: Int) {
        bytes += count
        guard enabled, Date().timeIntervalSince(lastReport) >= 1 else { return }
        lastReport = Date()
        shown = true
        write("\rdiagnose: \(bytes >> 20) MB read, \(records) records diagnosed")
    }

    func finish() {
        if shown { write("\r\u{1B}[K") }
    }
}
