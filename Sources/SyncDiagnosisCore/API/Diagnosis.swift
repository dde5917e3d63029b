/// What SyncDiagnosis found in one input: every matching rule, best first.
///
/// An empty `findings` array is a result, not an error: no rule matched.
public struct Diagnosis: Sendable {
    /// The findings, ranked: priority, then specificity, then rule id.
    public let findings: [Finding]
    /// The size of the input in UTF-8 bytes.
    public let inputByteCount: Int
    /// How many bytes were examined: less than `inputByteCount` when the input
    /// was longer than ``DiagnosisOptions/maximumInputBytes``.
    public let examinedByteCount: Int

    /// The best finding, if any rule matched.
    public var best: Finding? { findings.first }

    /// Whether the input was cut at the size limit before matching.
    public var isTruncated: Bool { examinedByteCount < inputByteCount }
}

/// Settings for one diagnosis.
public struct DiagnosisOptions: Sendable {
    /// The default input size limit: 4 MiB.
    public static let defaultMaximumInputBytes = 4 << 20

    /// Inputs longer than this many UTF-8 bytes are examined up to the limit
    /// only, and the diagnosis says so (``Diagnosis/isTruncated``).
    public var maximumInputBytes: Int

    /// Whether to scan for the rules' required literals first and verify only
    /// the rules whose literals occur (the default). Turning it off evaluates
    /// every rule's every condition on every input with the pattern engine
    /// alone: the same findings, far slower; it exists to measure and to
    /// check the prefilter.
    public var usesPrefilter: Bool

    /// Options with the given input size limit.
    public init(maximumInputBytes: Int = DiagnosisOptions.defaultMaximumInputBytes, usesPrefilter: Bool = true) {
        self.maximumInputBytes = max(1, maximumInputBytes)
        self.usesPrefilter = usesPrefilter
    }
}
