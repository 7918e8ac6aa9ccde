/// The labels a machine is looked up by (matchbox selectors), e.g. mac=52:54:00:aa:bb:cc.
module XenMatchbox.Domain.Labels

open XenMatchbox.Domain.Errors

/// One validated label. Its key is lower case; a "mac" value is in Go's canonical MAC form.
[<Sealed>]
type Label =
    /// The key, in lower case.
    member Key: string
    /// The value; for "mac", in Go's canonical MAC form.
    member Value: string

/// A set of labels with distinct keys, in the order they were first given.
[<Sealed>]
type Labels =
    /// The labels, in the order they were first given.
    member Items: Label list

/// A character a label key may hold: ASCII letters and digits, '_', '-' and '.' (the same rule
/// for --lookup keys and the variables of a profile's args).
val isKeyChar: c: char -> bool

/// Parses "key=value". Keys are letters, digits, '_', '-' and '.', compared case-insensitively
/// and kept in lower case; the value is everything after the first '=', without control
/// characters. A "mac" value is normalised, because matchbox's gRPC API compares it byte for byte.
val parseLabel: text: string -> Result<Label, BootError>

/// Validates every --lookup text and merges them: a key given twice with the same value counts
/// once, with different values it is an error. At least one label is required.
val fromLookups: texts: string list -> Result<Labels, BootError>

/// The keys a domain's own identity can stand in for: "uuid" and "name", read from xenstore.
val DomainKeys: string list

/// What --lookup asked for: labels given as key=value, and keys given bare ("--lookup uuid"),
/// whose values are the domain's own, read from xenstore before the lookup.
[<Sealed>]
type Lookup =
    /// The key=value texts, as given.
    member Given: string list
    /// The bare keys, each one of DomainKeys.
    member FromDomain: string list

/// No labels at all: the check command without --lookup, which looks no profile up.
val noLookup: Lookup

/// Validates every --lookup text like fromLookups, except that "uuid" and "name" may be given
/// without a value. At least one text is required.
val parseLookup: texts: string list -> Result<Lookup, BootError>

/// The labels to look up by, once the domain's values (key, value) are known; a bare key with no
/// domain value is DomainLabelUnavailable, naming every such key.
val complete: lookup: Lookup -> domain: (string * string) list -> detail: string -> Result<Labels, BootError>

/// The labels with the pairs added whose keys are not there yet and whose values are valid
/// label values; for expanding the profile's args with the domain's uuid and name.
val extend: labels: Labels -> pairs: (string * string) list -> Labels

/// The value of a key, compared case-insensitively.
val tryFind: key: string -> Labels -> string option

/// The keys, in order.
val keys: Labels -> string list

/// The labels as key/value pairs, in order, as sent to matchbox.
val toPairs: Labels -> (string * string) list

/// "k1=v1 k2=v2", for messages.
val display: Labels -> string
