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
        let count = try batch.bytes.appendWritten(upTo: size, by: read)
        return count > 0 ? (count, accept(from: start)) : (0, nil)
    }

    /// Takes in the bytes added to the batch from `start` on; returns the
    /// batch if they fill it up.
    private mutating func accept(from start: Int) -> RecordBatch? {
        if skippingRest {
            // Drop the rest of a line cut at the size limit, up to its line break.
            guard let newline = batch.bytes.firstIndex(of: 0x0A, from: start) else {
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
        // The storage stays put while records are added: only their bounds grow.
        let base = batch.bytes.baseAddress
        while position < count {
            guard let found = memchr(base + position, 0x0A, count - position) else { break }
            let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            let isContinuation = position < newline && (base[position] == 0x20 || base[position] == 0x09) && end > start
            if !isContinuation {
                if end > start { emit(start..<end, line: recordLine) }
                start = position
                recordLine = nextLine
            }
            end = newline + 1
            nextLine += 1
            position = newline + 1
        }
        (recordStart, recordEnd, self.position) = (start, end, position)
        // A record that grows past the limit is emitted now, cut, so memory stays flat.
        if count - recordStart > maximumRecordBytes {
            emit(recordStart..<(recordStart + maximumRecordBytes), truncated: true)
            skippingRest = base[count - 1] != 0x0A
            recordStart = count
            recordEnd = count
            self.position = count
        }
    }

    /// Adds the record in `range` of the batch, without its trailing blanks.
    private mutating func emit(_ range: Range<Int>, line: Int? = nil, truncated: Bool = false) {
        let base = batch.bytes.baseAddress
        var end = range.upperBound
        while end > range.lowerBound, let last = Optional(base[end - 1]),
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
        batch.bytes.withUnsafeBufferPointer { next.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[carried...])) }
        (recordStart, recordEnd, position) = (0, recordEnd - carried, position - carried)
        swap(&next, &batch)
        return next
    }
}

/// Records held in one block of bytes, kept until they are diagnosed.
struct RecordBatch {
    /// The bytes the records are ranges of (and possibly more).
    fileprivate(set) var bytes = ByteBuffer()
    private var records: [Record] = []

    private struct Record {
        var start: Int
        var end: Int
        var line: Int
        var truncated: Bool
    }

    /// Past either bound the batch is diagnosed: memory stays flat.
    static let maximumBytes = 2 << 20
    static let maximumRecords = 4_096

    var count: Int { records.count }
    var isFull: Bool { bytes.count >= Self.maximumBytes || records.count >= Self.maximumRecords }

    /// Adds a record by copying its bytes.
    mutating func append(line: Int, record: UnsafeBufferPointer<UInt8>, truncated isTruncated: Bool) {
        let start = bytes.count
        bytes.append(contentsOf: record)
        appendRecord(start..<bytes.count, line: line, truncated: isTruncated)
    }

    /// Adds the record that `range` of `bytes` holds.
    fileprivate mutating func appendRecord(_ range: Range<Int>, line: Int, truncated isTruncated: Bool) {
        records.append(Record(start: range.lowerBound, end: range.upperBound, line: line, truncated: isTruncated))
        if isTruncated { truncatedCount += 1 }
    }

    /// The byte range of record `index` in `bytes`.
    func range(of index: Int) -> Range<Int> {
        records[index].start..<records[index].end
    }

    /// The line number of record `index`'s first line.
    func line(of index: Int) -> Int { records[index].line }

    /// Whether record `index` was cut at the size limit.
    func isTruncated(_ index: Int) -> Bool { records[index].truncated }

    /// How many records were cut at the size limit.
    private(set) var truncatedCount = 0

    func forEach(_ body: (Int, Int, UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            for (index, record) in records.enumerated() {
                body(index, record.line, UnsafeBufferPointer(rebasing: buffer[record.start..<record.end]), record.truncated)
            }
        }
    }

    mutating func removeAll() {
        bytes.removeAll()
        records.removeAll(keepingCapacity: true)
        truncatedCount = 0
    }
}

/// A growable block of bytes that a read can fill in place: unlike an
/// array, its spare capacity need not be initialized first. A copy shares
/// the storage until one of them changes it, so copies may be read on
/// other threads as an array's can (every change goes through a
/// uniqueness check first).
struct ByteBuffer: @unchecked Sendable {
    private final class Storage {
        var pointer: UnsafeMutablePointer<UInt8>
        var capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = max(capacity, 64)
            pointer = .allocate(capacity: self.capacity)
        }

        deinit { pointer.deallocate() }

        func copy() -> Storage {
            let copy = Storage(capacity: capacity)
            copy.pointer.update(from: pointer, count: count)
            copy.count = count
            return copy
        }

        /// Makes room for `extra` more bytes, keeping the ones held.
        func reserve(_ extra: Int) {
            guard count + extra > capacity else { return }
            let grown = max(count + extra, capacity * 2)
            let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            moved.update(from: pointer, count: count)
            pointer.deallocate()
            pointer = moved
            capacity = grown
        }
    }

    private var storage = Storage(capacity: 0)

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    var count: Int { storage.count }
    var last: UInt8? { storage.count > 0 ? storage.pointer[storage.count - 1] : nil }

    /// The first byte; valid until the buffer next changes.
    var baseAddress: UnsafePointer<UInt8> { UnsafePointer(storage.pointer) }

    func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        guard start < storage.count, let found = memchr(storage.pointer + start, Int32(byte), storage.count - start) else { return nil }
        return UnsafeMutableRawPointer(storage.pointer).distance(to: found)
    }

    mutating func append(_ byte: UInt8) {
        let storage = unique()
        storage.reserve(1)
        storage.pointer[storage.count] = byte
        storage.count += 1
    }

    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        let storage = unique()
        storage.reserve(bytes.count)
        (storage.pointer + storage.count).update(from: source, count: bytes.count)
        storage.count += bytes.count
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    /// Lets `write` fill up to `size` bytes after the last one and keeps
    /// as many as it says it wrote (a negative count or one past `size` is
    /// taken as none, or `size`).
    mutating func appendWritten<Failure: Error>(
        upTo size: Int, by write: (UnsafeMutableRawBufferPointer) throws(Failure) -> Int
    ) throws(Failure) -> Int {
        let storage = unique()
        storage.reserve(size)
        let written = try write(UnsafeMutableRawBufferPointer(start: storage.pointer + storage.count, count: size))
        let kept = max(0, min(written, size))
        storage.count += kept
        return kept
    }

    mutating func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= storage.count, "cannot remove more bytes than held")
        unique().count -= n
    }

    /// Removes `range`, moving the bytes after it down.
    mutating func removeSubrange(_ range: ClosedRange<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound < storage.count, "range out of bounds")
        let storage = unique()
        let tail = storage.count - range.upperBound - 1
        (storage.pointer + range.lowerBound).update(from: storage.pointer + range.upperBound + 1, count: tail)
        storage.count -= range.count
    }

    /// Empties the buffer, keeping its capacity (a shared one is left to
    /// its other holders, not copied).
    mutating func removeAll() {
        if isKnownUniquelyReferenced(&storage) {
            storage.count = 0
        } else {
            storage = Storage(capacity: storage.capacity)
        }
    }
}
