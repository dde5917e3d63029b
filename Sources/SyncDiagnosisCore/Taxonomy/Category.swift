/// The kind of failure a finding describes: one word of the public taxonomy.
///
/// The raw values are the exact words of the taxonomy; support tools key on
/// them, so they never change.
public enum Category: String, CaseIterable, Sendable, Codable {
    /// Authentication failed: the credentials are wrong, changed, expired or revoked.
    case auth
    /// Authenticated, but not allowed to do this.
    case permission
    /// The integration is set up wrong.
    case configuration
    /// One record's field value fails a validation or mapping rule.
    case validation
    /// A record refers to another record that is not synced or coupled yet.
    case dependency
    /// The record or object to update or match does not exist on the other side.
    case notFound = "not-found"
    /// The change collides with existing data or a concurrent change.
    case conflict
    /// A temporary network or service interruption.
    case transient
    /// Throttled: the job exceeded an API quota for a time window.
    case rateLimit = "rate-limit"
    /// A hard size or count limit was hit; retrying cannot help.
    case limitExceeded = "limit-exceeded"
    /// The other system failed internally; it needs investigating on that side.
    case remoteError = "remote-error"
    /// The other side's product, version, feature or property is not supported.
    case unsupported
    /// The account, mailbox, tenant, organization or licence is unavailable.
    case accountState = "account-state"
}
