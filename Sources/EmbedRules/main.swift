// Writes a Swift source file that holds every `*.json` file under a rules
// folder as a string literal. Run by EmbedRulesPlugin at build time.
import Foundation

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

var source = """
// Generated at build time by EmbedRules from the package's Rules/ folder. Do not edit.

extension BuiltinRules {
    static let files: [RuleSource] = [

"""
for file in ruleFiles(under: root) {
    let relative = "Rules/" + String(file.path.dropFirst(root.path.count + 1))
    let data = (try? Data(contentsOf: file)) ?? Data()
    let text = String(decoding: data, as: UTF8.self)
    source += "        RuleSource(path: \(swiftLiteral(relative)), contents: \(swiftLiteral(text))),\n"
}
source += "    ]\n}\n"

do {
    try Data(source.utf8).write(to: output, options: .atomic)
} catch {
    FileHandle.standardError.write(Data("EmbedRules: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
