/// What the person should do first about a finding; the remediation steps say how.
public enum NextAction: String, CaseIterable, Sendable, Codable {
    /// Update the connection's credentials or re-authorize, test the connection, then replay.
    case updateCredentials = "update-credentials"
    /// Give the integration user the named privilege, role, scope or consent, then replay.
    case grantPermission = "grant-permission"
    /// Correct the integration's setup: endpoint, tenant, matching criteria, connection settings.
    case fixConfiguration = "fix-configuration"
    /// Correct the mapping or transformation rule for the affected entity type, then replay.
    case fixMapping = "fix-mapping"
    /// Correct the record in the source system, then replay.
    case fixSourceData = "fix-source-data"
    /// Run or couple the dependent entity first, then replay.
    case syncDependencyFirst = "sync-dependency-first"
    /// Remove the duplicate or settle the competing change, then replay.
    case resolveConflict = "resolve-conflict"
    /// Change nothing; replay after a short wait.
    case waitAndReplay = "wait-and-replay"
    /// Lower the job's request rate or concurrency; replay after the quota window resets.
    case reduceFrequency = "reduce-frequency"
    /// Narrow the sync filters so the job stays under the limit.
    case reduceScope = "reduce-scope"
    /// Investigate on the other system's side; escalate with the gathered facts if it persists.
    case investigateRemote = "investigate-remote"
    /// Records are missing but nothing failed: check the source system and the sync cursor.
    case checkSource = "check-source"
    /// Start from a clean slate, such as School Data Sync's Reset.
    case resetSync = "reset-sync"
    /// Nothing to fix on this side: tell the customer what their system does not support.
    case informUser = "inform-user"
    /// Gather the run, the error details and the call stack, and contact support.
    case escalate
}
