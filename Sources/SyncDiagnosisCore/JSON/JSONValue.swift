/// A parsed JSON value that remembers where in its file it was written, so
/// that a rule author can be told exactly which field is wrong.
struct JSONValue: Sendable {
    /// The position of a value's first byte: 1-based line and column (in bytes, as compilers count).
    struct Position: Sendable, Equatable {
        var line: Int
        var column: Int
    }

    /// One `"key": value` pair of an object, in file order.
    struct Member: Sendable {
        var key: String
        var keyPosition: Position
        var value: JSONValue
    }

    enum Kind: Sendable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSONValue])
        case object([Member])
    }

    var kind: Kind
    var position: Position

    /// A short noun for the kind of value, as used in "expected X, found Y".
    var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    var string: String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    var members: [Member]? {
        if case .object(let members) = kind { return members }
        return nil
    }

    var elements: [JSONValue]? {
        if case .array(let elements) = kind { return elements }
        return nil
    }

    subscript(key: String) -> JSONValue? {
        members?.first { $0.key == key }?.value
    }
}
