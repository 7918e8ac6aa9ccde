/// Expansion of the variables in a profile's kernel arguments. matchbox returns args verbatim,
/// written for iPXE (${mac:hexhyp}) or in the Go-template style the original tool expanded
/// ({{ .mac }}); both are filled in from the lookup labels. Nothing else is ever evaluated.
module XenMatchbox.Domain.Template

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels

/// Expands one argument:
/// - {{ .key }} and {{.key}}: the label's value; anything else between {{ and }} is an error;
/// - ${key}, ${key:hex}: the value (a MAC in colon form for :hex);
/// - ${key:hexhyp}, ${key:hexraw}: a MAC value with dashes, or with no separators;
/// - ${key:string}, ${key:uristring}: the value, as is or percent-encoded;
/// - ${net0/key...}: iPXE's explicit scope for the first NIC, read as ${key...}.
/// A variable without a label is an error naming it and the labels known.
val expandArg: labels: Labels -> arg: string -> Result<string, BootError>

/// The label keys the arguments refer to (lower case, each once, in order of first use), as far
/// as they can be read; for deciding whether the domain's own uuid and name are needed.
val references: args: string list -> string list

/// Expands every argument and joins them with single spaces; empty arguments are dropped.
val expandArgs: labels: Labels -> args: string list -> Result<string, BootError>
