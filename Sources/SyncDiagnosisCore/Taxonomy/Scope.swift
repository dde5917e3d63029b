/// How much of a synchronization a failure stops.
public enum Scope: String, CaseIterable, Sendable, Codable {
    /// The synchronization as a whole is non-functional; no record syncs.
    case sync
    /// Only specific records fail; the rest sync.
    case record
}
