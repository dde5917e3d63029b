import Foundation

/// Inputs with a known JSON shape, turned into records the knowledge base
/// diagnoses: School Data Sync "Get Errors" pages and pipeline run summaries.
enum StructuredInput {
    /// One record to diagnose, with what the summary reports about it.
    struct Record {
        var text: String
        var identifier: String?
        var code: String?
    }

    /// School Data Sync Get Errors: one page or several concatenated.
    struct ErrorPages {
        var records: [Record]
        var pages: Int
        /// `@odata.count` of the first page that states one.
        var reportedCount: Int?
        var hasNextLink: Bool
    }

    /// A pipeline run summary (shape documented in the README).
    struct RunSummary {
        var run: String
        /// Stages in run order with their error counts.
        var stages: [(name: String, errors: Int)]
        var records: [Record]
    }

    case errorPages(ErrorPages)
    case runSummary(RunSummary)

    static let stageOrder = ["ingest", "normalize", "transform", "execute", "finalize"]

    /// The shape of `bytes`, if it is one of the known JSON inputs.
    static func detect(_ bytes: [UInt8]) -> StructuredInput? {
        guard let first = bytes.first(where: { !(0x09...0x0D).contains($0) && $0 != 0x20 }), first == UInt8(ascii: "{") else { return nil }
        let objects = JSONDocuments.split(bytes).compactMap {
            (try? JSONSerialization.jsonObject(with: Data(bytes[$0]))) as? [String: Any]
        }
        guard !objects.isEmpty else { return nil }
        if objects.allSatisfy({ ($0["value"] as? [Any]) != nil }) {
            let entries = objects.flatMap { ($0["value"] as? [[String: Any]]) ?? [] }
            guard !entries.isEmpty, entries.allSatisfy({ $0["errorCode"] != nil || $0["errorMessage"] != nil }) else { return nil }
            return .errorPages(ErrorPages(
                records: entries.map(sdsRecord),
                pages: objects.count,
                reportedCount: objects.lazy.compactMap { $0["@odata.count"] as? Int }.first,
                hasNextLink: objects.last?["@odata.nextLink"] != nil))
        }
        if objects.count == 1, let summary = runSummary(objects[0]) { return .runSummary(summary) }
        return nil
    }

    private static func sdsRecord(_ entry: [String: Any]) -> Record {
        // The timestamp first (summaries read it there), then every field as "name: value", for field conditions.
        let stamp = entry["recordedDateTime"] as? String
        let fields = ["entryType", "errorCode", "joiningValue", "reportableIdentifier", "errorMessage"].compactMap { name in
            (entry[name] as? String).map { "\(name): \($0)" }
        }
        let identifier = (entry["reportableIdentifier"] as? String) ?? (entry["joiningValue"] as? String)
        return Record(text: ([stamp].compactMap { $0 } + fields).joined(separator: "; "), identifier: identifier, code: entry["errorCode"] as? String)
    }

    /// `{"run": ..., "stages": [{"name", "errors"}] or {"ingest": {"errors"}}, "failedRecords": [...],
    ///   "dlqCount": n, "missingRecords": n}`
    private static func runSummary(_ object: [String: Any]) -> RunSummary? {
        var counts: [String: Int] = [:]
        if let list = object["stages"] as? [[String: Any]] {
            for stage in list {
                if let name = (stage["name"] ?? stage["stage"]) as? String { counts[name.lowercased()] = errorCount(stage) }
            }
        } else if let map = object["stages"] as? [String: Any] {
            for (name, value) in map {
                counts[name.lowercased()] = (value as? [String: Any]).map(errorCount) ?? (value as? Int) ?? 0
            }
        } else {
            return nil
        }
        guard !counts.isEmpty, counts.keys.allSatisfy(stageOrder.contains) else { return nil }
        let run = (object["run"] ?? object["runId"] ?? object["id"]).map { "\($0)" } ?? "run"
        let stages: [(name: String, errors: Int)] = stageOrder.compactMap { name in counts[name].map { (name, $0) } }
        var records: [Record] = []
        if let failing = stages.first(where: { $0.errors > 0 }) {
            records.append(Record(text: "Run \(run): first stage with errors: \(failing.name) (\(failing.errors) errors)", identifier: nil, code: nil))
        }
        for failed in (object["failedRecords"] as? [[String: Any]]) ?? [] {
            let parts = ["stage", "entity", "category", "errorCategory"].compactMap { key in failed[key].map { "\(key)=\($0)" } }
            let message = (failed["message"] ?? failed["error"] ?? failed["errorMessage"]).map { "message=\($0)" } ?? ""
            let id = (failed["id"] ?? failed["recordId"]).map { "\($0)" }
            records.append(Record(text: (parts + [message]).joined(separator: " "), identifier: id, code: nil))
        }
        let dlq = (object["dlqCount"] as? Int) ?? ((object["dlq"] as? [String: Any])?["count"] as? Int)
        if let missing = object["missingRecords"] as? Int, missing > 0, dlq == 0 {
            records.append(Record(text: "Run \(run): \(missing) records missing in target; nothing in the DLQ (dlqCount: 0)", identifier: nil, code: nil))
        }
        return RunSummary(run: run, stages: stages, records: records)
    }

    private static func errorCount(_ stage: [String: Any]) -> Int {
        (stage["errors"] ?? stage["errorCount"] ?? stage["failed"]) as? Int ?? 0
    }
}

/// Finds the top-level JSON values in text that holds several back to back
/// (pages pasted one after another).
enum JSONDocuments {
    static func split(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var depth = 0
        var start = 0
        var inString = false
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 { start = index }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { ranges.append(start..<index + 1) }
                if depth < 0 { return [] }
            default: break
            }
        }
        return depth == 0 ? ranges : []
    }
}
