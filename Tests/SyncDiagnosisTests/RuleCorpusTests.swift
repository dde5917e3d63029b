import Testing
@testable import SyncDiagnosis
@testable import SyncDiagnosisCore

/// Every rule under Rules/ proves itself with its own examples, and the
/// built-in knowledge base is exactly that folder.
struct RuleCorpusTests {
    static let ruleIDs: [String] = (try? Fixtures.repositoryRules.get().rules.map(\.id)) ?? []

    @Test func theRulesFolderLoadsWithoutProblems() throws {
        let knowledge = try Fixtures.repositoryRules.get()
        #expect(knowledge.rules.count > 0)
    }

    @Test(arguments: ruleIDs)
    func examplesBehaveAsTheRuleSays(id: String) throws {
        let knowledge = try Fixtures.repositoryRules.get()
        let rule = try #require(knowledge.rule(withID: id))
        let failures = knowledge.checkExamples(of: rule)
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test(arguments: ruleIDs)
    func conventionsHold(id: String) throws {
        let rule = try #require(try Fixtures.repositoryRules.get().rule(withID: id))
        #expect(!rule.references.isEmpty)
        #expect(rule.matchExamples.count >= 2, "every rule needs two match examples that differ in their values")
        #expect(!rule.noMatchExamples.isEmpty, "every rule needs a nearby message that must not trigger it")
        #expect(!Matcher.requirement(of: rule.requirementTree).isUnconstrained, "a built-in rule must have a literal the prefilter can find")
    }

    @Test func theBuiltInKnowledgeBaseIsTheRulesFolder() throws {
        let onDisk = try Fixtures.repositoryRules.get()
        let builtIn = try KnowledgeBase.builtIn()
        let missing = Set(onDisk.rules.map(\.id)).symmetricDifference(builtIn.rules.map(\.id))
        #expect(missing.isEmpty, "rules on disk but not built in, or the reverse (rebuild): \(missing.sorted())")
        let changed = zip(builtIn.rules, onDisk.rules).filter { $0.id != $1.id || $0.cause != $1.cause || $0.condition != $1.condition }
        #expect(changed.isEmpty, "built-in rules that differ from their files (rebuild): \(changed.map(\.0.id))")
    }

    /// The prefilter input worked out at build time is what decoding the rules gives: the
    /// built-in rules are never skipped by a stale or wrongly read requirement.
    @Test func theBuiltInRequirementsAreTheDecodedOnes() throws {
        let onDisk = try Fixtures.repositoryRules.get()
        let builtIn = try KnowledgeBase.builtIn()
        #expect(builtIn.table.ids == onDisk.rules.map(\.id))
        let compiledIn = BuiltinRules.files.sorted { $0.id < $1.id }
        let differing = zip(onDisk.rules, compiledIn).filter { $0.requirementTree != RequirementTree(encoded: $1.requirement) }.map(\.0.id)
        #expect(differing.isEmpty, "built-in requirements that differ from the decoded rules (rebuild): \(differing)")
    }

    /// A built-in rule decoded on first use takes its patterns' requirements
    /// from the compiled-in tree instead of working them out: each pattern
    /// must end up with the anchors that working them out gives.
    @Test func builtInRulesDecodeToTheSameAnchors() throws {
        let onDisk = try Fixtures.repositoryRules.get()
        let builtIn = try KnowledgeBase.builtIn()
        var compared = 0
        for (decoded, fromTree) in zip(onDisk.rules, builtIn.rules) {
            let patterns = decoded.compiled.patterns, reused = fromTree.compiled.patterns
            #expect(patterns.count == reused.count, "\(decoded.id)")
            for (pattern, other) in zip(patterns, reused) {
                #expect(pattern.anchors == other.anchors, "\(decoded.id): \(pattern.anchors) against \(other.anchors)")
                #expect(pattern.requirement.forPrefilter == other.requirement.forPrefilter, "\(decoded.id)")
                compared += 1
            }
        }
        #expect(compared > onDisk.rules.count)
    }

    @Test func builtInPrefilterLiteralsAreTheOnesLoadingWouldChoose() throws {
        let onDisk = try Fixtures.repositoryRules.get()
        let chosen = Matcher.chosenLiterals(for: onDisk.rules.map(\.requirementTree))
        let compiledIn = BuiltinRules.files.sorted { $0.id < $1.id }
        #expect(compiledIn.map(\.id) == onDisk.rules.map(\.id))
        for (file, expected) in zip(compiledIn, chosen) {
            let decoded = try #require(Matcher.ChosenLiterals.decode(file.prefilter), "\(file.id): \(file.prefilter)")
            #expect(decoded == expected, "\(file.id)")
        }
        #expect(chosen.contains { $0?.confirming != nil })
    }

    @Test func chosenLiteralsSurviveTheirEncoding() {
        let word = Anchor(bytes: Array("quota".utf8), edges: [.before, .after])
        let other = Anchor(bytes: Array("mailbox".utf8), edges: [])
        let cases: [Matcher.ChosenLiterals?] = [
            nil,
            .init(candidates: [word], confirming: nil),
            .init(candidates: [word, other], confirming: [other]),
        ]
        for chosen in cases {
            let decoded = Matcher.ChosenLiterals.decode(Matcher.ChosenLiterals.encode(chosen))
            #expect(decoded == .some(chosen), "\(Matcher.ChosenLiterals.encode(chosen))")
        }
        // Unreadable, or a rule whose prefilter would never wake it: chosen anew on loading.
        for malformed in ["", "ps", "pp", "ps61s62s63", "ps6"] {
            #expect(Matcher.ChosenLiterals.decode(malformed) == nil, "\(malformed)")
        }
    }

    @Test func builtInRulesWithoutCompiledInLiteralsDiagnoseTheSame() throws {
        let compiledIn = BuiltinRules.files
        var bare = compiledIn
        for index in bare.indices { bare[index].prefilter = "" }
        let fast = try KnowledgeBase(precompiled: compiledIn, layers: [])
        let chosenOnLoading = try KnowledgeBase(precompiled: bare, layers: [])
        let texts = try Fixtures.repositoryRules.get().rules.prefix(300).flatMap { $0.matchExamples.map(\.text) }
        #expect(texts.count > 300)
        for text in texts {
            #expect(fast.diagnose(text).findings.map(\.rule.id) == chosenOnLoading.diagnose(text).findings.map(\.rule.id), "\(text)")
        }
    }

    @Test func compiledAnchorsSurviveTheirEncoding() throws {
        for rule in try Fixtures.repositoryRules.get().rules {
            let anchors = rule.compiled.patterns.sorted { $0.slot < $1.slot }.map(\.anchors)
            #expect(CompiledAnchors.decode(rule.encodedAnchors) == anchors, "\(rule.id): \(rule.encodedAnchors)")
        }
        #expect(CompiledAnchors.decode("") == [])
        #expect(CompiledAnchors.decode("p") == [[]])
        #expect(CompiledAnchors.decode("ps") == [[[]]])
        #expect(CompiledAnchors.decode("ps6162<>,63s64") == [[[Anchor(bytes: Array("ab".utf8), edges: [.before, .after]), Anchor(bytes: [0x63], edges: [])],
                                                               [Anchor(bytes: [0x64], edges: [])]]])
        for malformed in ["s61", "6162", "ps616", "ps61<62", "ps,61", "ps61,", "ps<", "px", "ps6G"] {
            #expect(CompiledAnchors.decode(malformed) == nil, "\(malformed)")
        }
    }

    @Test func requirementTreesSurviveTheirEncoding() throws {
        for rule in try Fixtures.repositoryRules.get().rules {
            let tree = rule.requirementTree
            #expect(RequirementTree(encoded: tree.encoded) == tree, "\(rule.id): \(tree.encoded)")
        }
        for malformed in ["", "t[", "t[6g]", "a(u", "y(u))", "x", "t[616]", "uu", "t[<6162]", "t[61<62]", "t[,>]"] {
            #expect(RequirementTree(encoded: malformed) == nil, "\(malformed)")
        }
        // Word-boundary sides survive too: "404" bounded on both sides, "ab" on neither.
        let bounded = RequirementTree(encoded: "t[343034<>;6162]")
        guard case .text(let requirement) = bounded else {
            Issue.record("not a text requirement: \(String(describing: bounded))")
            return
        }
        #expect(requirement.edges(of: Array("404".utf8)) == [.before, .after])
        #expect(requirement.edges(of: Array("ab".utf8)).isEmpty)
        #expect(bounded?.encoded == "t[343034<>;6162]")
    }
}
