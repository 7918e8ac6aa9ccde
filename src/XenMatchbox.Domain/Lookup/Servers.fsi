/// The matchbox servers a lookup may ask, in the order they are asked: --server given more than
/// once or as a comma-separated list, on the command line, in XENMATCHBOX_SERVER or in the
/// configuration file. They share --httpport, --grpcport and the TLS files.
module internal XenMatchbox.Domain.Servers

open XenMatchbox.Domain.Errors

/// One or more matchbox hosts, in order, none twice: host names or IP addresses, an IPv6 address
/// without its brackets.
[<Sealed>]
type ServerList =
    /// The hosts, in the order they are asked (at least one).
    member Hosts: string list

/// The list separator inside one --server value: ','.
[<Literal>]
val Separator: char = ','

/// Validates --server's values in order, each paired with how errors name where it was set (the
/// flag, the variable, or the key and its configuration file line), as Argv.Given.Sourced gives them. Each value is split at commas
/// and each item trimmed of spaces. An empty item ("a,,b", a trailing comma), an item that is not a
/// bare host name or IP address (a URL, a port, a path; an IPv6 address may be in brackets) and a
/// host given twice (compared without letter case, an IP address in any of its spellings) are
/// InvalidServer naming the item; no value at all is MissingServer.
val create: values: (string * string) list -> Result<ServerList, BootError>

/// The hosts as an operator writes them, an IPv6 address in brackets, joined by ",".
val display: servers: ServerList -> string
