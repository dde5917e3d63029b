#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into records: one per line, with indented
/// continuation lines (stack traces, wrapped messages) kept with the line
/// that opened them. Memory stays bounded by the chunk size plus the
/// largest record allowed.
struct RecordReader {
    /// The line number (1-based) each record starts on, and its bytes.
    typealias Body = (_ line: Int, _ record: UnsafeBufferPointer<UInt8>, _ truncated: Bool) -> Void

    let maximumRecordBytes: Int
    private var pending: [UInt8] = []
    /// In `pending`: where the current record starts, and the line it starts on.
    private var nextLine = 1
    private var recordLine = 1
    private var skippingRest = false
    /// In `pending`: the end of the current record's complete lines, where scanning resumes.
    private var carriedRecordEnd = 0

    init(maximumRecordBytes: Int) {
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// Feeds the next chunk of the stream.
    mutating func feed(_ chunk: [UInt8], _ body: Body) {
        pending += chunk
        var consumed = 0
        var recordStart = 0
        var recordEnd = carriedRecordEnd   // exclusive end of the current record's complete lines
        let count = pending.count
        pending.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var position = carriedRecordEnd
            while position < count {
                guard let found = memchr(base + position, 0x0A, count - position) else { break }
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let isContinuation = position < newline && (buffer[position] == 0x20 || buffer[position] == 0x09) && recordEnd > recordStart
                if !isContinuation {
                    if recordEnd > recordStart {
                        emit(UnsafeBufferPointer(rebasing: buffer[recordStart..<recordEnd]), body)
                    }
                    recordStart = position
                    recordLine = nextLine
                }
                recordEnd = newline + 1
                nextLine += 1
                position = newline + 1
            }
            consumed = recordStart
            carriedRecordEnd = recordEnd - recordStart
            // A record that grows past the limit is emitted now, cut, so memory stays flat.
            if count - recordStart > maximumRecordBytes {
                emit(UnsafeBufferPointer(rebasing: buffer[recordStart..<recordStart + maximumRecordBytes]), body, truncated: true)
                consumed = count
                carriedRecordEnd = 0
                skippingRest = buffer[count - 1] != 0x0A
            }
        }
        pending.removeFirst(consumed)
        if skippingRest {
            // Drop the rest of an over-long record up to its line end.
            if let newline = pending.firstIndex(of: 0x0A) {
                pending.removeFirst(newline + 1)
                nextLine += 1
                recordLine = nextLine
                skippingRest = false
            } else {
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Ends the stream: the last record, if any.
    mutating func finish(_ body: Body) {
        // A last line without a line break still starts a record of its own.
        if let last = pending.last, last != 0x0A, !skippingRest { feed([0x0A], body) }
        guard !pending.isEmpty, !skippingRest else { return }
        pending.withUnsafeBufferPointer { emit($0, body) }
        pending.removeAll()
    }

    private func emit(_ record: UnsafeBufferPointer<UInt8>, _ body: Body, truncated: Bool = false) {
        var end = record.count
        while end > 0 && (record[end - 1] == 0x0A || record[end - 1] == 0x0D || record[end - 1] == 0x20 || record[end - 1] == 0x09) {
            end -= 1
        }
        guard end > 0 else { return }
        let kept = min(end, maximumRecordBytes)
        body(recordLine, UnsafeBufferPointer(rebasing: record[..<kept]), truncated || kept < end)
    }
}
