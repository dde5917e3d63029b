/// Every problem found while loading rules, reported together.
///
/// Each problem names the file, the rule, the JSON path of the offending
/// field and its position, in the form compilers use:
///
/// ```
/// Rules/sap-c4c/x.json:7:15: error: rule 'sap-c4c.x': category: unknown category 'auth-failure'; did you mean 'auth'?
/// ```
public struct RuleLoadError: Error, Sendable, CustomStringConvertible {
    /// One thing wrong with one rule file.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file, as it was named when loading (a path, or `Rules/...` for built-ins).
        public var file: String
        /// The rule's id, or the id its path implies when the file has none.
        public var ruleID: String?
        /// The JSON path of the offending field, such as `match.all[1].template`; empty for the whole file.
        public var field: String
        /// The 1-based line of the offending value, when known.
        public var line: Int?
        /// The 1-based column of the offending value, when known.
        public var column: Int?
        /// What was expected and what was found.
        public var message: String

        /// The problem in compiler form: `file:line:column: error: rule 'id': field: message`.
        public var description: String {
            var text = file
            if let line { text += ":\(line)" }
            if let column { text += ":\(column)" }
            text += ": error: "
            if let ruleID { text += "rule '\(ruleID)': " }
            if !field.isEmpty { text += "\(field): " }
            return text + message
        }
    }

    /// The problems, in file order.
    public var problems: [Problem]

    /// One line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
