@_exported import SyncDiagnosisCore

extension KnowledgeBase {
    /// The rules compiled into the library from the package's `Rules/` folder.
    ///
    /// They were checked when the library was built; each is decoded the
    /// first time a diagnosis needs it, so loading them costs little.
    public static func builtIn() throws(RuleLoadError) -> KnowledgeBase {
        try KnowledgeBase(precompiled: BuiltinRules.files, layers: [])
    }

    /// Loads the built-in rules (unless `includingBuiltIn` is false), then each
    /// folder in order; a rule whose id is already loaded replaces the earlier
    /// one. Rules whose ids are in `disabled` are left out.
    ///
    /// ```swift
    /// let knowledge = try KnowledgeBase.load(directories: ["/etc/syncdiagnosis/rules"], disabling: ["http.unauthorized-401"])
    /// ```
    public static func load(
        directories: [String], includingBuiltIn: Bool = true, disabling disabled: Set<String> = []
    ) throws(RuleLoadError) -> KnowledgeBase {
        try KnowledgeBase(
            precompiled: includingBuiltIn ? BuiltinRules.files : [],
            layers: try RuleSource.layers(in: directories),
            disabling: disabled)
    }
}

/// The rule files compiled into the library from the package's `Rules/` folder.
enum BuiltinRules {
    /// Each file with its rule's id and what the build worked out for it,
    /// from the generated arrays (one per field, by file); assembled once.
    static let files: [PrecompiledRule] = ids.indices.map { index in
        PrecompiledRule(
            source: RuleSource(path: paths[index], contents: contents[index]), id: ids[index],
            requirement: requirements[index], anchors: anchors[index], prefilter: prefilters[index])
    }
}
