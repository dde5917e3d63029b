// Checks every `*.json` rule file under a rules folder and writes a Swift
// source file that holds each as a string literal, with its rule's id and
// what its condition requires of a text (the prefilter's input), so that the
// library loads its built-in rules without decoding them. A rule file with a
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

var source = """
// Generated at build time by EmbedRules from the package's Rules/ folder. Do not edit.
import SyncDiagnosisCore

extension BuiltinRules {
    static let files: [PrecompiledRule] = [

"""
for file in files {
    guard let rule = rulesByFile[file.path] else { continue }
    let text = String(decoding: file.contents, as: UTF8.self)
    source += """
            PrecompiledRule(
                source: RuleSource(path: \(swiftLiteral(file.path)), contents: \(swiftLiteral(text))),
                id: \(swiftLiteral(rule.id)), requirement: \(swiftLiteral(rule.requirementTree.encoded)),
                anchors: \(swiftLiteral(rule.encodedAnchors))),

    """
}
source += "    ]\n}\n"

do {
    try Data(source.utf8).write(to: output, options: .atomic)
} catch {
    FileHandle.standardError.write(Data("EmbedRules: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
