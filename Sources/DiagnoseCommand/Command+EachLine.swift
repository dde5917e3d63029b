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
///
/// Records are gathered in batches that the machine's cores diagnose
/// together, in the background while the next batch is read; the summary
/// then takes them in their original order, so the result is the same as
/// diagnosing them one by one.
final class RecordSession {
    private let workers: Workers
    private var reader: RecordReader
    private var batch = RecordBatch()
    private var summary = LogSummary()
    private var progress: Progress
    /// The batch being diagnosed in the background, and its diagnoses once done.
    private var inFlight: (batch: RecordBatch, done: DispatchGroup, result: DiagnosesBox)?

    init(_ knowledge: KnowledgeBase, settings: DiagnosisOptions, terminal: Command.Terminal) {
        let count = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        workers = Workers((0..<count).map { _ in Diagnoser(knowledge, options: settings) })
        reader = RecordReader(maximumRecordBytes: settings.maximumInputBytes)
        progress = Progress(enabled: terminal.errorIsTerminal, write: terminal.writeError)
    }

    func feed(_ chunk: [UInt8]) {
        // The batch is worked on as a local, so that adding a record is not
        // an access to this object's state each time.
        var batch = takeBatch()
        reader.feed(chunk) { line, record, truncated in
            batch.append(line: line, record: record, truncated: truncated)
            if batch.isFull { flush(&batch) }
        }
        progress.advance(bytes: chunk.count, records: summary.records + batch.count + (inFlight?.batch.count ?? 0))
        self.batch = batch
    }

    func finish() -> LogSummary {
        var batch = takeBatch()
        reader.finish { line, record, truncated in
            batch.append(line: line, record: record, truncated: truncated)
            if batch.isFull { flush(&batch) }
        }
        flush(&batch)
        _ = summarizeInFlight()
        progress.finish()
        return summary
    }

    private func takeBatch() -> RecordBatch {
        var taken = RecordBatch()
        swap(&taken, &batch)
        return taken
    }

    /// Hands `batch` to the workers in the background and leaves it empty
    /// (reusing the storage of the batch diagnosed before) to be filled again.
    private func flush(_ batch: inout RecordBatch) {
        guard batch.count > 0 else { return }
        var next = summarizeInFlight() ?? RecordBatch()
        next.removeAll()
        swap(&next, &batch)
        let sending = next, workers = self.workers
        let done = DispatchGroup(), result = DiagnosesBox()
        done.enter()
        DispatchQueue.global().async {
            result.diagnoses = workers.diagnose(sending)
            done.leave()
        }
        inFlight = (sending, done, result)
    }

    /// Waits for the batch in the background, adds it to the summary, and returns it.
    private func summarizeInFlight() -> RecordBatch? {
        guard let (batch, done, result) = inFlight else { return nil }
        inFlight = nil
        done.wait()
        let diagnoses = result.diagnoses
        var summary = LogSummary()
        swap(&summary, &self.summary)
        batch.forEach { index, line, record, truncated in
            summary.add(line: line, record: record, diagnosis: diagnoses[index], truncated: truncated)
        }
        swap(&summary, &self.summary)
        return batch
    }
}

/// The diagnoses of a batch, written by the background work before it
/// leaves its group and read only after waiting for the group.
private final class DiagnosesBox: @unchecked Sendable {
    var diagnoses: [Diagnosis] = []
}

/// Records copied out of the reader's buffer, kept until they are diagnosed.
struct RecordBatch {
    private(set) var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var lines: [Int] = []
    private var truncated: [Bool] = []

    /// Past either bound the batch is diagnosed: memory stays flat.
    static let maximumBytes = 4 << 20
    static let maximumRecords = 16_384

    var count: Int { ends.count }
    var isFull: Bool { bytes.count >= Self.maximumBytes || ends.count >= Self.maximumRecords }

    mutating func append(line: Int, record: UnsafeBufferPointer<UInt8>, truncated isTruncated: Bool) {
        bytes.append(contentsOf: record)
        ends.append(bytes.count)
        lines.append(line)
        truncated.append(isTruncated)
    }

    /// The byte range of record `index` in `bytes`.
    func range(of index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    func forEach(_ body: (Int, Int, UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            for index in ends.indices {
                body(index, lines[index], UnsafeBufferPointer(rebasing: buffer[range(of: index)]), truncated[index])
            }
        }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        truncated.removeAll(keepingCapacity: true)
    }
}

/// One diagnoser per core. Each worker diagnoses its own contiguous share of
/// a batch and writes only its own result slots.
final class Workers: @unchecked Sendable {
    /// Element `i` is touched only by worker `i`.
    private let diagnosers: UnsafeMutableBufferPointer<Diagnoser>

    /// Batches smaller than this are not worth handing out.
    private static let minimumShare = 256

    init(_ diagnosers: [Diagnoser]) {
        self.diagnosers = .allocate(capacity: diagnosers.count)
        _ = self.diagnosers.initialize(from: diagnosers)
    }

    deinit {
        _ = diagnosers.deinitialize()
        diagnosers.deallocate()
    }

    /// The diagnosis of every record of `batch`, in order.
    func diagnose(_ batch: RecordBatch) -> [Diagnosis] {
        let count = batch.count
        guard count > 0 else { return [] }
        let workerCount = min(diagnosers.count, max(1, count / Self.minimumShare))
        let results = UnsafeMutableBufferPointer<Diagnosis>.allocate(capacity: count)
        defer { results.deallocate() }
        batch.bytes.withUnsafeBufferPointer { buffer in
            let work = { (worker: Int) in
                let share = (count + workerCount - 1) / workerCount
                let indices = (worker * share)..<min(count, (worker + 1) * share)
                let diagnoses = self.diagnosers[worker].diagnose(buffer, records: indices.map(batch.range(of:)))
                _ = UnsafeMutableBufferPointer(rebasing: results[indices]).initialize(from: diagnoses)
            }
            if workerCount == 1 {
                work(0)
            } else {
                let shared = SharedWork(work)
                DispatchQueue.concurrentPerform(iterations: workerCount) { shared.run($0) }
            }
        }
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: results.baseAddress!, count: count)
            initialized = count
        }
    }
}

/// A closure handed to worker threads that touch disjoint state.
private final class SharedWork: @unchecked Sendable {
    let run: (Int) -> Void
    init(_ run: @escaping (Int) -> Void) { self.run = run }
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
