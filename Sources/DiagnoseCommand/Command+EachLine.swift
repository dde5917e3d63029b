import Foundation
import SyncDiagnosis

extension Command {
    /// Diagnoses every record of a log or export and reports them grouped;
    /// the input is streamed, so memory stays flat whatever its size.
    func diagnoseEachRecord(_ knowledge: KnowledgeBase, argument: String?) throws(CommandError) -> Status {
        let session = RecordSession(knowledge, settings: settings, terminal: terminal)
        if let argument {
            session.feed(Array(argument.utf8))
        } else {
            try readInput { session.feed($0) }
        }
        return try report(session)
    }

    var settings: DiagnosisOptions {
        var settings = DiagnosisOptions()
        if let limit = options.maximumInputBytes { settings.maximumInputBytes = limit }
        return settings
    }

    /// Ends the session and writes its summary.
    func report(_ session: RecordSession) throws(CommandError) -> Status {
        let summary = session.finish()
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

/// Record-by-record diagnosis of a stream: chunks in, a summary out.
final class RecordSession {
    private var diagnoser: Diagnoser
    private var reader: RecordReader
    private var summary = LogSummary()
    private var progress: Progress

    init(_ knowledge: KnowledgeBase, settings: DiagnosisOptions, terminal: Command.Terminal) {
        diagnoser = Diagnoser(knowledge, options: settings)
        reader = RecordReader(maximumRecordBytes: settings.maximumInputBytes)
        progress = Progress(enabled: terminal.errorIsTerminal, write: terminal.writeError)
    }

    func feed(_ chunk: [UInt8]) {
        reader.feed(chunk, add)
        progress.advance(bytes: chunk.count, records: summary.records)
    }

    func finish() -> LogSummary {
        reader.finish(add)
        progress.finish()
        return summary
    }

    private func add(line: Int, record: UnsafeBufferPointer<UInt8>, truncated: Bool) {
        summary.add(line: line, record: record, diagnosis: diagnoser.diagnose(record), truncated: truncated)
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
