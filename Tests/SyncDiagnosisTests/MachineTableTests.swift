import Testing
@testable import SyncDiagnosisCore

/// The evaluator's table of machines by pattern slot.
struct MachineTableTests {
    /// Slots as knowledge bases number them (layer, file, pattern in bits
    /// 40, 12 and 0): every inserted slot finds its own machine through
    /// several growths of the table, and slots never inserted find none.
    @Test func findsEachMachineByItsSlotAndNoneForOthers() throws {
        let (node, names) = try RegexParser.parse("a+b")
        let program = try Program(node, captureCount: names.count)
        let machines = (0..<3).map { _ in PikeVM(program) }
        var table = MachineTable()
        var inserted: [Int: Int] = [:]
        for layer in 0..<3 {
            for file in 0..<400 {
                for pattern in 0..<(1 + file % 3) {
                    let slot = (layer << 40) | (file << 12) | pattern
                    let which = (file + pattern) % machines.count
                    table.insert(Unmanaged.passUnretained(machines[which]), for: slot)
                    inserted[slot] = which
                }
            }
        }
        #expect(inserted.count > 2_000)
        for (slot, which) in inserted {
            #expect(table.machine(for: slot)?.takeUnretainedValue() === machines[which], "slot \(slot)")
        }
        for slot in [(3 << 40), (0 << 40) | (400 << 12), (1 << 40) | (5 << 12) | 7, 1 << 12 | 2] {
            #expect(table.machine(for: slot) == nil, "slot \(slot)")
        }
        withExtendedLifetime(machines) {}
    }
}
