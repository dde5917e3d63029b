#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into records: one per line, with indented
/// continuation lines (stack traces, wrapped messages) kept with the line
/// that opened them.
///
/// The input is read into the storage of the batch being filled (straight
/// from a file, with `read(upTo:with:)`), and each record is a range of it:
/// no record is copied. A batch is handed out once
/// full; only the unfinished record at its end moves to the next one.
/// Memory stays bounded by the batch size plus the largest record allowed.
struct RecordReader {
    let maximumRecordBytes: Int
    /// The batch being filled: its bytes end with the input read so far.
    private var batch = RecordBatch()
    /// Storage of a batch already diagnosed, to fill next instead of allocating.
    private var spare: RecordBatch?
    /// In `batch.bytes`: where the current record starts, where its complete
    /// lines end, and where the scan for line breaks resumes.
    private var recordStart = 0
    private var recordEnd = 0
    private var position = 0
    /// The line number (1-based) of the next line, and of the current record's first.
    private var nextLine = 1
    private var recordLine = 1
    /// The rest of a line that was cut at the size limit is being dropped.
    private var skippingRest = false

    init(maximumRecordBytes: Int) {
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// Feeds the next chunk of the stream; returns the batch it fills up, if any.
    mutating func feed(_ chunk: UnsafeRawBufferPointer) -> RecordBatch? {
        let start = batch.bytes.count
        batch.bytes.append(contentsOf: chunk)
        return accept(from: start)
    }

    /// `feed(_:)` for bytes in an array.
    mutating func feed(_ chunk: [UInt8]) -> RecordBatch? {
        chunk.withUnsafeBytes { feed($0) }
    }

    /// Reads the next chunk of the stream straight into the batch being
    /// filled: `read` writes at most `size` bytes into the buffer it is
    /// given and says how many it wrote (0 at the end of the stream).
    /// Returns that count, and the batch the chunk fills up, if any.
    mutating func read<Failure: Error>(
        upTo size: Int, with read: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int
    ) throws(Failure) -> (count: Int, full: RecordBatch?) {
        let start = batch.bytes.count
        // Room for the chunk, made by copying zeros: a bulk copy, where
        // appending a repeated zero would go byte by byte.
        while batch.bytes.count - start < size {
            let room = min(size - (batch.bytes.count - start), Self.zeros.count)
            Self.zeros.withUnsafeBufferPointer { batch.bytes.append(contentsOf: $0[..<room]) }
        }
        var count = 0
        var failure: Failure?
        batch.bytes.withUnsafeMutableBytes { bytes in
            do throws(Failure) {
                count = try read(UnsafeMutableRawBufferPointer(rebasing: bytes[start..<(start + size)]))
            } catch {
                failure = error
            }
        }
        batch.bytes.removeLast(size - max(0, min(count, size)))
        if let failure { throw failure }
        return count > 0 ? (count, accept(from: start)) : (0, nil)
    }

    private static let zeros = [UInt8](repeating: 0, count: 1 << 16)

    /// Takes in the bytes added to the batch from `start` on; returns the
    /// batch if they fill it up.
    private mutating func accept(from start: Int) -> RecordBatch? {
        if skippingRest {
            // Drop the rest of a line cut at the size limit, up to its line break.
            guard let newline = batch.bytes[start...].firstIndex(of: 0x0A) else {
                batch.bytes.removeLast(batch.bytes.count - start)
                return nil
            }
            batch.bytes.removeSubrange(start...newline)
            nextLine += 1
            skippingRest = false
        }
        scan()
        // A batch holding only blank lines is cut too: its bytes are dropped.
        return batch.isFull && (batch.count > 0 || recordStart > 0) ? cut() : nil
    }

    /// Ends the stream: the batch of the records not handed out yet.
    mutating func finish() -> RecordBatch {
        // A last line without a line break still ends a record.
        if !skippingRest, let last = batch.bytes.last, last != 0x0A {
            batch.bytes.append(0x0A)
            scan()
        }
        if recordEnd > recordStart { emit(recordStart..<recordEnd) }
        recordStart = batch.bytes.count
        recordEnd = recordStart
        position = recordStart
        return cut()
    }

    /// Gives back the storage of a batch that is done with, to be filled again.
    mutating func recycle(_ batch: RecordBatch) {
        spare = batch
    }

    /// Finds the records that the bytes read so far complete.
    private mutating func scan() {
        let count = batch.bytes.count
        var (start, end, position) = (recordStart, recordEnd, self.position)
        var emitted: [(Range<Int>, Int)] = []
        batch.bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while position < count {
                guard let found = memchr(base + position, 0x0A, count - position) else { break }
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let isContinuation = position < newline && (buffer[position] == 0x20 || buffer[position] == 0x09) && end > start
                if !isContinuation {
                    if end > start { emitted.append((start..<end, recordLine)) }
                    start = position
                    recordLine = nextLine
                }
                end = newline + 1
                nextLine += 1
                position = newline + 1
            }
        }
        (recordStart, recordEnd, self.position) = (start, end, position)
        for (range, line) in emitted { emit(range, line: line) }
        // A record that grows past the limit is emitted now, cut, so memory stays flat.
        if count - recordStart > maximumRecordBytes {
            emit(recordStart..<(recordStart + maximumRecordBytes), truncated: true)
            skippingRest = batch.bytes[count - 1] != 0x0A
            recordStart = count
            recordEnd = count
            self.position = count
        }
    }

    /// Adds the record in `range` of the batch, without its trailing blanks.
    private mutating func emit(_ range: Range<Int>, line: Int? = nil, truncated: Bool = false) {
        var end = range.upperBound
        while end > range.lowerBound, let last = Optional(batch.bytes[end - 1]),
              last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 {
            end -= 1
        }
        guard end > range.lowerBound else { return }
        let kept = min(end, range.lowerBound + maximumRecordBytes)
        batch.appendRecord(range.lowerBound..<kept, line: line ?? recordLine, truncated: truncated || kept < end)
    }

    /// Hands out the batch; the unfinished record moves to a new one.
    private mutating func cut() -> RecordBatch {
        var next = spare ?? RecordBatch()
        spare = nil
        next.removeAll()
        let carried = recordStart
        next.bytes.append(contentsOf: batch.bytes[carried...])
        (recordStart, recordEnd, position) = (0, recordEnd - carried, position - carried)
        swap(&next, &batch)
        return next
    }
}

/// Records held in one block of bytes, kept until they are diagnosed.
struct RecordBatch {
    /// The bytes the records are ranges of (and possibly more).
    fileprivate(set) var bytes: [UInt8] = []
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var lines: [Int] = []
    private var truncated: [Bool] = []

    /// Past either bound the batch is diagnosed: memory stays flat.
    static let maximumBytes = 2 << 20
    static let maximumRecords = 16_384

    var count: Int { ends.count }
    var isFull: Bool { bytes.count >= Self.maximumBytes || ends.count >= Self.maximumRecords }

    /// Adds a record by copying its bytes.
    mutating func append(line: Int, record: UnsafeBufferPointer<UInt8>, truncated isTruncated: Bool) {
        let start = bytes.count
        bytes.append(contentsOf: record)
        appendRecord(start..<bytes.count, line: line, truncated: isTruncated)
    }

    /// Adds the record that `range` of `bytes` holds.
    fileprivate mutating func appendRecord(_ range: Range<Int>, line: Int, truncated isTruncated: Bool) {
        starts.append(range.lowerBound)
        ends.append(range.upperBound)
        lines.append(line)
        truncated.append(isTruncated)
        if isTruncated { truncatedCount += 1 }
    }

    /// The byte range of record `index` in `bytes`.
    func range(of index: Int) -> Range<Int> {
        starts[index]..<ends[index]
    }

    /// The line number of record `index`'s first line.
    func line(of index: Int) -> Int { lines[index] }

    /// Whether record `index` was cut at the size limit.
    func isTruncated(_ index: Int) -> Bool { truncated[index] }

    /// How many records were cut at the size limit.
    private(set) var truncatedCount = 0

    func forEach(_ body: (Int, Int, UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            for index in ends.indices {
                body(index, lines[index], UnsafeBufferPointer(rebasing: buffer[range(of: index)]), truncated[index])
            }
        }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        truncated.removeAll(keepingCapacity: true)
        truncatedCount = 0
    }
}
