import SyncDiagnosis

extension Command {
    /// Diagnoses the records of a School Data Sync errors page or a run summary.
    func diagnose(_ input: StructuredInput, _ knowledge: KnowledgeBase, settings: DiagnosisOptions) -> Status {
        var diagnoser = Diagnoser(knowledge, options: settings)
        var summary = LogSummary()
        let records: [StructuredInput.Record]
        switch input {
        case .errorPages(let pages): records = pages.records
        case .runSummary(let run): records = run.records
        }
        var leading: Finding?
        for (index, record) in records.enumerated() {
            var bytes = Array(record.text.utf8)
            bytes.withUnsafeMutableBufferPointer { buffer in
                let view = UnsafeBufferPointer(buffer)
                let diagnosis = diagnoser.diagnose(view)
                if index == 0 { leading = diagnosis.best }
                summary.add(line: index + 1, record: view, diagnosis: diagnosis, truncated: false,
                            identifier: record.identifier, code: record.code)
            }
        }
        let rendering = Rendering(color: useColor, redactor: options.redact ? .standard : nil)
        var header = Header(input)
        if case .runSummary(let run) = input, run.stages.contains(where: { $0.errors > 0 }), let stage = leading {
            // The run's first record is its first failing stage: show that stage's checklist up front.
            header.text += "Checklist (\(stage.rule.id)):\n" + stage.remediation.enumerated().map { "  \($0 + 1). \($1)\n" }.joined()
        }
        switch options.format {
        case .json: terminal.write(rendering.json(summary, source: header.json))
        case .markdown: terminal.write(header.text + "\n" + rendering.markdown(summary))
        case .text: terminal.write(header.text + "\n" + rendering.text(summary))
        }
        return summary.diagnosed > 0 ? .found : .notFound
    }

    /// What the structured input says about itself: pages and counts, or stages.
    struct Header {
        var text: String
        var json: JSONOutput

        init(_ input: StructuredInput) {
            switch input {
            case .errorPages(let pages):
                var text = "School Data Sync errors: \(pages.records.count) records on \(pages.pages) page\(pages.pages == 1 ? "" : "s")"
                if let reported = pages.reportedCount { text += "; the service reports \(reported) in all (@odata.count)" }
                text += ".\n"
                if pages.hasNextLink {
                    text += "More pages remain: follow @odata.nextLink to fetch the rest of the errors before drawing conclusions.\n"
                }
                json = .object([
                    ("kind", .string("sds-errors")),
                    ("pages", .number(pages.pages)),
                    ("seen", .number(pages.records.count)),
                    ("reportedCount", pages.reportedCount.map { .number($0) } ?? .null),
                    ("morePages", .bool(pages.hasNextLink)),
                ])
                self.text = text
            case .runSummary(let run):
                let first = run.stages.first { $0.errors > 0 }
                var text = "Run \(run.run): " + run.stages.map { "\($0.name) \($0.errors) errors" }.joined(separator: ", ") + ".\n"
                text += first.map { "The problem started in the \($0.name) stage (the first with errors).\n" } ?? "No stage reports errors.\n"
                json = .object([
                    ("kind", .string("run-summary")),
                    ("run", .string(run.run)),
                    ("stages", .array(run.stages.map { .object([("name", .string($0.name)), ("errors", .number($0.errors))]) })),
                    ("firstFailingStage", first.map { .string($0.name) } ?? .null),
                ])
                self.text = text
            }
        }
    }
}
