/// The labels a machine is looked up by (matchbox selectors), e.g. mac=52:54:00:aa:bb:cc.
module XenMatchbox.Domain.Labels

open XenMatchbox.Domain.Errors

/// One validated label. Its key is lower case; a "mac" value is in Go's canonical MAC form.
[<Sealed>]
type Label =
    member Key: string
    member Value: string

/// A set of labels with distinct keys, in the order they were first given.
[<Sealed>]
type Labels =
    member Items: Label list

/// Parses "key=value". Keys are letters, digits, '_', '-' and '.', compared case-insensitively
/// and kept in lower case; the value is everything after the first '=', without control
/// characters. A "mac" value is normalised, because matchbox's gRPC API compares it byte for byte.
val parseLabel: text: string -> Result<Label, BootError>

/// Validates every --lookup text and merges them: a key given twice with the same value counts
/// once, with different values it is an error. At least one label is required.
val fromLookups: texts: string list -> Result<Labels, BootError>

/// The value of a key, compared case-insensitively.
val tryFind: key: string -> Labels -> string option

/// The keys, in order.
val keys: Labels -> string list

/// The labels as key/value pairs, in order, as sent to matchbox.
val toPairs: Labels -> (string * string) list

/// "k1=v1 k2=v2", for messages.
val display: Labels -> string
