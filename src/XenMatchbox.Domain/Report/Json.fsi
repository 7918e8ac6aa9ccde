/// JSON text for reports that scripts read (show --json), written by hand: no reflection, so it
/// serialises the same under NativeAOT as under the JIT.
module internal XenMatchbox.Domain.Json

/// A JSON value.
type Value =
    /// null.
    | Null
    /// true or false.
    | Bool of bool
    /// An integer (sizes, exit statuses, the format version).
    | Number of int64
    /// A string.
    | String of string
    /// An array, in order.
    | Array of Value list
    /// An object: its members in this order; the caller keeps the keys distinct.
    | Object of (string * Value) list

/// The text as a JSON string, quotes included: '"' and '\' escaped, \b \f \n \r \t as themselves,
/// every other control character (U+0000–U+001F and U+007F) as \u00XX; a surrogate pair is kept
/// as the character it makes, and a lone surrogate, which no UTF-8 text can carry, becomes U+FFFD.
/// Everything else is written as it is (UTF-8 when printed).
val quote: text: string -> string

/// The value as JSON text, two spaces of indent per level, one member or item a line, with no
/// final newline; empty arrays and objects as [] and {}.
val render: value: Value -> string
