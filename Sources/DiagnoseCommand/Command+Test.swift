import SyncDiagnosis

extension Command {
    /// Checks every rule's examples against the whole knowledge base: the
    /// built-ins (unless --no-builtin), the configured folders, and `directories`.
    func test(_ directories: [String]) throws(CommandError) -> Status {
        let knowledge = try knowledgeBase(extra: directories)
        let tested = testedRules(knowledge, directories: directories)
        var passed = 0
        var failed = 0
        for rule in tested {
            let failures = knowledge.checkExamples(of: rule)
            let count = rule.matchExamples.count + rule.noMatchExamples.count
            if failures.isEmpty {
                passed += 1
                terminal.write("PASS \(rule.id) (\(count) examples)\n")
            } else {
                failed += 1
                terminal.write("FAIL \(rule.id)\n")
                for failure in failures {
                    terminal.write("  \(failure.variant): \(failure.problem)\n    example: \(failure.example)\n")
                }
            }
        }
        terminal.write("\(passed) passed, \(failed) failed\n")
        return failed == 0 ? .found : .notFound
    }

    /// The rules the folders given define; every rule when no folder is given.
    private func testedRules(_ knowledge: KnowledgeBase, directories: [String]) -> [Rule] {
        guard !directories.isEmpty else { return knowledge.rules }
        let prefixes = directories.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        return knowledge.rules.filter { rule in prefixes.contains { rule.file.hasPrefix($0) } }
    }
}
