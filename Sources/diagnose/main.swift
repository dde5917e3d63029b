import DiagnoseCommand
import Foundation

let status = Command.run(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment,
    terminal: .standard,
    endsProcess: true
)
exit(status)
