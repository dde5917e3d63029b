// diagnose-bench: measures the compiled matcher against evaluating every
// rule on every line, on deterministic synthetic rule sets and logs.
//
//   swift run -c release diagnose-bench [--lines N] [--naive-lines N] [--rules N] [--no-builtin] [--write-corpus PATH]
import Foundation
import SyncDiagnosis

#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, default fallback: Int, in arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    return value
}
let lineCount = option("--lines", default: 1_000_000)
let naiveLines = option("--naive-lines", default: 2_000)

if let index = arguments.firstIndex(of: "--write-corpus"), index + 1 < arguments.count {
    let path = arguments[index + 1]
    let log = Corpus.log(lines: lineCount, ruleCount: 200)
    guard FileManager.default.createFile(atPath: path, contents: Data(log)) else {
        print("cannot write \(path)")
        exit(2)
    }
    print("wrote \(log.count) bytes, \(lineCount) lines to \(path)")
    exit(0)
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Runs a diagnoser over every line of `log`, as a log reader does: lines
/// gathered in batches of up to 16,384 and each batch diagnosed in one call
/// (one prefilter pass; with the prefilter off, rule after rule on each
/// line). Returns the matched rule of each line and the seconds taken.
func scan(_ log: [UInt8], lines limit: Int = .max, with knowledge: KnowledgeBase, options: DiagnosisOptions) -> ([String?], Double) {
    var diagnoser = Diagnoser(knowledge, options: options)
    var results: [String?] = []
    let start = now()
    log.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        var position = 0
        var batch: [Range<Int>] = []
        batch.reserveCapacity(16_384)
        while position < buffer.count && results.count + batch.count < limit {
            let end = memchr(base + position, 0x0A, buffer.count - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? buffer.count
            batch.append(position..<end)
            position = end + 1
            if batch.count == 16_384 || position >= buffer.count || results.count + batch.count == limit {
                results += diagnoser.diagnose(buffer, records: batch).map { $0.best?.rule.id }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }
    return (results, now() - start)
}

/// Builds the knowledge base's prefilter automaton (built on first need, so
/// that a one-message diagnosis skips it): load time includes it, scan time does not.
func buildPrefilter(of knowledge: KnowledgeBase) {
    var diagnoser = Diagnoser(knowledge)
    let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)
    _ = filler.withUnsafeBufferPointer { diagnoser.diagnose($0) }
}

func bytes(ofFirst lines: Int, in log: [UInt8]) -> Int {
    var seen = 0
    for (index, byte) in log.enumerated() where byte == 0x0A {
        seen += 1
        if seen == lines { return index + 1 }
    }
    return log.count
}

print("diagnose-bench: \(lineCount) log lines per rule set; naive baseline on the first \(naiveLines) lines")
print("rules   load ms   MB/s   lines/s     naive MB/s   speed-up   peak MB   matched")
var failures = 0
var timeByRules: [Int: Double] = [:]
let onlyRuleCount = option("--rules", default: 0)
for ruleCount in [100, 200, 1_000, 10_000] where onlyRuleCount == 0 || onlyRuleCount == ruleCount {
    let sources = (0..<ruleCount).map { RuleSource(path: Corpus.rule($0).path, contents: Corpus.rule($0).json) }
    let loadStart = now()
    let knowledge: KnowledgeBase
    do { knowledge = try KnowledgeBase(layers: [sources]) } catch {
        print("rule set \(ruleCount) failed to load:\n\(error)")
        exit(2)
    }
    buildPrefilter(of: knowledge)
    let loadTime = now() - loadStart
    let log = Corpus.log(lines: lineCount, ruleCount: ruleCount)
    let (compiled, seconds) = scan(log, with: knowledge, options: DiagnosisOptions())
    timeByRules[ruleCount] = seconds
    let (naive, naiveSeconds) = scan(log, lines: naiveLines, with: knowledge, options: DiagnosisOptions(usesPrefilter: false))
    if Array(compiled.prefix(naiveLines)) != naive {
        print("MISMATCH: the compiled matcher and the naive evaluation disagree on rule set \(ruleCount)")
        failures += 1
    }
    let megabytes = Double(log.count) / 1_000_000
    let naiveMegabytes = Double(bytes(ofFirst: naiveLines, in: log)) / 1_000_000
    let rate = megabytes / seconds, naiveRate = naiveMegabytes / naiveSeconds
    let matched = compiled.lazy.filter { $0 != nil }.count
    print(String(format: "%5d  %8.1f  %6.1f  %9.0f  %12.3f  %8.0f×  %8.1f   %d", ruleCount, loadTime * 1000, rate,
                 Double(lineCount) / seconds, naiveRate, rate / naiveRate, peakMemoryMB(), matched))
}
if let small = timeByRules[100], let large = timeByRules[10_000] {
    print(String(format: "10,000 rules take %.2f× the time of 100 rules", large / small))
}

/// The built-in knowledge base, as `diagnose` loads it, over the same log; false when it fails to load.
func measureBuiltIn() -> Bool {
    let start = now()
    do {
        let knowledge = try KnowledgeBase.builtIn()
        let loaded = now() - start
        let log = Corpus.log(lines: lineCount, ruleCount: 100)
        let (_, seconds) = scan(log, with: knowledge, options: DiagnosisOptions())
        print(String(format: "built-in knowledge base: %d rules, load %.1f ms, %.1f MB/s over the same log", knowledge.rules.count, loaded * 1000, Double(log.count) / 1_000_000 / seconds))
        return true
    } catch {
        print("built-in rules failed to load:\n\(error)")
        return false
    }
}
if arguments.contains("--no-builtin") {
    print("built-in knowledge base: skipped (--no-builtin)")
} else if !measureBuiltIn() {
    failures += 1
}

// An adversarial rule: linear time, not exponential.
let adversarial = Corpus.rule(0).json.replacingOccurrences(of: #"{"phrase": "kaion loion rejected the request"}"#, with: #"{"all": [{"phrase": "aaa"}, {"regex": "(a+)+b"}]}"#)
if let knowledge = try? KnowledgeBase(layers: [[RuleSource(path: "Rules/bench/rule-0.json", contents: adversarial)]]) {
    var times: [Double] = []
    for count in [100_000, 200_000] {
        let text = [UInt8](repeating: UInt8(ascii: "a"), count: count)
        let start = now()
        let diagnosis = knowledge.diagnose(bytes: text)
        times.append(now() - start)
        if !diagnosis.findings.isEmpty { failures += 1; print("MISMATCH: (a+)+b matched a text without b") }
    }
    print(String(format: "regex (a+)+b on 100,000 a: %.3f s; on 200,000 a: %.3f s (ratio %.2f)", times[0], times[1], times[1] / times[0]))
} else {
    print("adversarial rule failed to load"); failures += 1
}
print(failures == 0 ? "results check: the compiled and naive paths agree" : "results check FAILED")
exit(failures == 0 ? 0 : 1)
