/// How far a rule can be trusted, as its author declares.
public enum RuleStatus: String, CaseIterable, Sendable, Codable {
    /// New and not yet proven on real traffic.
    case experimental
    /// Proven; its findings can be acted on.
    case stable
    /// Kept for compatibility; a better rule replaces it.
    case deprecated
}
