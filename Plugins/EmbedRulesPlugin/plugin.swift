import Foundation
import PackagePlugin

/// Compiles the package's `Rules/` folder into the library, so that the
/// built-in knowledge base needs no path at run time.
@main
struct EmbedRulesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let rules = context.package.directoryURL.appending(path: "Rules")
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltinRuleFiles.swift")
        let tool = try context.tool(named: "EmbedRules").url
        let inputs = ruleFiles(under: rules)
        return [
            .buildCommand(
                displayName: "Checking and embedding \(inputs.count) rule files",
                executable: tool,
                arguments: [rules.path, output.path],
                // A changed tool (a new check, a new encoding) redoes the work, as a changed rule does.
                inputFiles: inputs + [tool],
                outputFiles: [output]
            )
        ]
    }

    private func ruleFiles(under folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return []
        }
        var files: [URL] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }
}
