// Checks every `*.json` rule file under a rules folder and writes a Swift
// source file that holds each as a string literal, in arrays by field, with its rule's id and
// what its condition requires of a text and the literals the prefilter scans
// for on its behalf, so that the library loads its built-in rules without
// decoding them or choosing among their literals. A rule file with a
// problem fails the build with the problem's file, line and column.
// Run by EmbedRulesPlugin at build time.
import Foundation
import SyncDiagnosisCore

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: EmbedRules RULES_DIR OUTPUT_SWIFT_FILE\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL
let output = URL(fileURLWithPath: arguments[2])

func ruleFiles(under folder: URL) -> [URL] {
    guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
        return []
    }
    var files: [URL] = []
    for case let url as URL in walker where url.pathExtension == "json" {
        files.append(url.standardizedFileURL)
    }
    return files.sorted { $0.path < $1.path }
}

func swiftLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

let files = ruleFiles(under: root).map { file in
    RuleSource(
        path: "Rules/" + String(file.path.dropFirst(root.path.count + 1)),
        contents: Array((try? Data(contentsOf: file)) ?? Data()))
}
let knowledge: KnowledgeBase
do {
    knowledge = try KnowledgeBase(layers: [files])
} catch {
    FileHandle.standardError.write(Data("\(error.description)\nEmbedRules: the rules in \(root.path) have problems\n".utf8))
    exit(1)
}
let rulesByFile = Dictionary(uniqueKeysWithValues: knowledge.rules.map { ($0.file, $0) })
// The prefilter's literals are chosen among all the rules at once, so that loading the built-in rules alone chooses nothing.
let prefilterByID = Dictionary(uniqueKeysWithValues: zip(knowledge.rules.map(\.id), KnowledgeBase.encodedPrefilterChoices(for: knowledge.rules)))

// One array of string literals per field, by file: the compiler handles
// plain string arrays of this size far more cheaply than an array of
// structures built from them.
let embedded = files.compactMap { file in rulesByFile[file.path].map { (file, $0) } }
let columns: [(name: String, values: [String])] = [
    ("paths", embedded.map { $0.0.path }),
    ("contents", embedded.map { String(decoding: $0.0.contents, as: UTF8.self) }),
    ("ids", embedded.map { $0.1.id }),
    ("requirements", embedded.map { $0.1.requirementTree.encoded }),
    ("anchors", embedded.map { $0.1.encodedAnchors }),
    ("prefilters", embedded.map { prefilterByID[$0.1.id] ?? "" }),
]
var source = """
// Generated at build time by EmbedRules from the package's Rules/ folder. Do not edit.

extension BuiltinRules {

"""
for column in columns {
    source += "    static let \(column.name): [String] = [\n"
    for value in column.values { source += "        \(swiftLiteral(value)),\n" }
    source += "    ]\n"
}
source += "}\n"

do {
    try Data(source.utf8).write(to: output, options: .atomic)
} catch {
    FileHandle.standardError.write(Data("EmbedRules: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
