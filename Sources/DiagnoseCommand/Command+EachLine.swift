import Foundation
import SyncDiagnosis
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

extension Command {
    /// Diagnoses every record of a log or export and reports them grouped;
    /// the input is streamed, so memory stays flat whatever its size.
    func diagnoseEachRecord(_ knowledge: KnowledgeBase, argument: String?) throws(CommandError) -> Status {
        let session = RecordSession(knowledge, settings: settings, terminal: terminal)
        if endsProcess { UntilExit.keep(session) }
        if let argument {
            session.feed(Array(argument.utf8))
        } else {
            // A stream is long more often than not: the automaton is built while the first records are read.
            knowledge.prepareForLongInput()
            try readInput(into: session)
        }
        return try report(session)
    }

    /// Streams the input into `session`: a file straight into its batches.
    func readInput(into session: RecordSession) throws(CommandError) {
        guard let path = options.file else {
            try readInputBytes { session.feed($0) }
            return
        }
        var isDirectory: ObjCBool = false
        let descriptor = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            ? open(path, O_RDONLY) : -1
        guard descriptor >= 0 else { throw .input("cannot read '\(path)': no such file, or not readable") }
        defer { close(descriptor) }
        do {
            try session.read(from: descriptor)
        } catch {
            throw .input("cannot read '\(path)': \(error.description)")
        }
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
    private var summary = LogSummary()
    private var progress: Progress
    /// The batches handed to the workers, oldest first, each with its diagnoses once done.
    private var inFlight: [(batch: RecordBatch, done: DispatchGroup, result: DiagnosesBox)] = []
    /// Runs the workers on one batch at a time, in order.
    private let queue = DispatchQueue(label: "diagnose.batches")
    /// Reading runs this many batches ahead of the summary, so that a slow
    /// batch (the first ones decode the rules they wake) does not stop it.
    private static let maximumInFlight = 2

    init(_ knowledge: KnowledgeBase, settings: DiagnosisOptions, terminal: Command.Terminal) {
        let count = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        workers = Workers((0..<count).map { _ in Diagnoser(knowledge, options: settings) })
        reader = RecordReader(maximumRecordBytes: settings.maximumInputBytes)
        progress = Progress(enabled: terminal.errorIsTerminal, write: terminal.writeError)
    }

    func feed(_ chunk: UnsafeRawBufferPointer) {
        if let full = reader.feed(chunk) { flush(full) }
        progress.advance(bytes: chunk.count, records: summary.records + inFlight.reduce(0) { $0 + $1.batch.count })
    }

    /// `feed(_:)` for bytes in an array.
    func feed(_ chunk: [UInt8]) {
        chunk.withUnsafeBytes { feed($0) }
    }

    /// Reads the file open as `descriptor` to its end, straight into the
    /// batches; the error is `read(2)`'s, if any.
    func read(from descriptor: Int32) throws(ReadFailure) {
        while true {
            let (count, full) = try reader.read(upTo: Self.readSize) { (buffer) throws(ReadFailure) -> Int in
                while true {
                    let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
                    if count >= 0 { return count }
                    if errno != EINTR { throw ReadFailure(code: errno) }
                }
            }
            if let full { flush(full) }
            guard count > 0 else { return }
            progress.advance(bytes: count, records: summary.records + inFlight.reduce(0) { $0 + $1.batch.count })
        }
    }

    /// How much one `read(2)` asks for.
    static let readSize = 1 << 19

    /// A failed `read(2)`.
    struct ReadFailure: Error {
        let code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    func finish() -> LogSummary {
        flush(reader.finish())
        while !inFlight.isEmpty { summarizeOldest() }
        progress.finish()
        return summary
    }

    /// Hands `batch` to the workers in the background. Batches handed over
    /// before are summarized meanwhile, so the workers are never idle while
    /// the summary is made; their storage then goes back to the reader.
    private func flush(_ batch: RecordBatch) {
        guard batch.count > 0 else { return }
        let workers = self.workers, done = DispatchGroup(), result = DiagnosesBox()
        done.enter()
        queue.async {
            result.matched = workers.diagnoseMatched(batch)
            done.leave()
        }
        inFlight.append((batch, done, result))
        while inFlight.count > Self.maximumInFlight { summarizeOldest() }
    }

    /// Waits for the oldest batch in the background, adds it to the summary,
    /// and gives its storage back to the reader.
    private func summarizeOldest() {
        let (batch, done, result) = inFlight.removeFirst()
        done.wait()
        summarize(batch, result.matched)
        reader.recycle(batch)
    }

    /// Adds a diagnosed batch to the summary, in record order: `matched`
    /// holds the diagnoses of the records some rule matched, by index.
    private func summarize(_ batch: RecordBatch, _ matched: [(index: Int, diagnosis: Diagnosis)]) {
        var summary = LogSummary()
        swap(&summary, &self.summary)
        var next = 0
        if summary.samplesUnmatchedShapes {
            // Unmatched records still shape the summary: each is looked at.
            batch.forEach { index, line, record, truncated in
                if next < matched.count && matched[next].index == index {
                    summary.add(line: line, record: record, diagnosis: matched[next].diagnosis, truncated: truncated)
                    next += 1
                } else {
                    summary.addUnmatched(record: record, truncated: truncated)
                }
            }
        } else {
            // Only the matched ones add more than a count.
            var truncatedMatched = 0
            batch.bytes.withUnsafeBufferPointer { buffer in
                for (index, diagnosis) in matched {
                    let truncated = batch.isTruncated(index)
                    if truncated { truncatedMatched += 1 }
                    summary.add(line: batch.line(of: index), record: UnsafeBufferPointer(rebasing: buffer[batch.range(of: index)]),
                                diagnosis: diagnosis, truncated: truncated)
                }
            }
            summary.addUnmatched(count: batch.count - matched.count, truncated: batch.truncatedCount - truncatedMatched)
        }
        swap(&summary, &self.summary)
    }
}

/// The diagnoses of a batch, written by the background work before it
/// leaves its group and read only after waiting for the group.
private final class DiagnosesBox: @unchecked Sendable {
    var matched: [(index: Int, diagnosis: Diagnosis)] = []
}

/// One diagnoser per core. A batch is cut into runs of records that the
/// workers take in turn, so that a worker slowed down (by the thread that
/// reads the input, or by a run of costly records) leaves more runs to the
/// others instead of keeping them waiting; each run's results have a slot
/// of their own.
final class Workers: @unchecked Sendable {
    /// Element `i` is touched only by worker `i`.
    private let diagnosers: UnsafeMutableBufferPointer<Diagnoser>

    /// Batches smaller than this are not worth handing out.
    private static let minimumShare = 256
    /// Records per run: small enough to even out the workers, large enough
    /// that taking a run costs nothing next to diagnosing it.
    private static let runLength = 512

    init(_ diagnosers: [Diagnoser]) {
        self.diagnosers = .allocate(capacity: diagnosers.count)
        _ = self.diagnosers.initialize(from: diagnosers)
    }

    deinit {
        _ = diagnosers.deinitialize()
        diagnosers.deallocate()
    }

    /// The diagnosis of every record of `batch` that some rule matches, by
    /// its index in the batch, in order; the others are left out.
    func diagnoseMatched(_ batch: RecordBatch) -> [(index: Int, diagnosis: Diagnosis)] {
        let count = batch.count
        guard count > 0 else { return [] }
        let workerCount = min(diagnosers.count, max(1, count / Self.minimumShare))
        let runCount = workerCount == 1 ? 1 : (count + Self.runLength - 1) / Self.runLength
        let runLength = (count + runCount - 1) / runCount
        // Element `r` is written only by the worker that took run `r`.
        let found = UnsafeMutableBufferPointer<[(index: Int, diagnosis: Diagnosis)]>.allocate(capacity: runCount)
        found.initialize(repeating: [])
        defer {
            _ = found.deinitialize()
            found.deallocate()
        }
        let runs = RunCounter()
        batch.bytes.withUnsafeBufferPointer { buffer in
            let work = { (worker: Int) in
                while let run = runs.next(below: runCount) {
                    let indices = (run * runLength)..<min(count, (run + 1) * runLength)
                    self.diagnosers[worker].forEachMatchedRecord(buffer, records: indices.map(batch.range(of:))) { offset, diagnosis in
                        found[run].append((indices.lowerBound + offset, diagnosis))
                    }
                }
            }
            if workerCount == 1 {
                work(0)
            } else {
                let shared = SharedWork(work)
                DispatchQueue.concurrentPerform(iterations: workerCount) { shared.run($0) }
            }
        }
        return found.count == 1 ? found[0] : Array(found.joined())
    }
}

/// Hands out run numbers 0, 1, 2… to whichever worker asks next.
private final class RunCounter: @unchecked Sendable {
    private var taken = 0
    private let lock = NSLock()

    /// The next run not yet taken, or nil once all `count` are.
    func next(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
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
