/// MAC addresses of Xen vifs: always six octets.
module internal XenMatchbox.Domain.Mac

/// A validated 6-octet MAC address.
[<Sealed>]
type MacAddress

/// Parses the usual spellings: 52:54:00:aa:bb:cc, 52-54-00-AA-BB-CC, 5254.00aa.bbcc and
/// 525400aabbcc, in any letter case. None for anything else.
val tryParse: text: string -> MacAddress option

/// Go's canonical form, which matchbox's selectors hold: lower-case octets joined by ':'.
val canonical: MacAddress -> string

/// iPXE's ${mac:hexhyp}: lower-case octets joined by '-'.
val hexhyp: MacAddress -> string

/// iPXE's ${mac:hexraw}: twelve lower-case hex digits.
val hexraw: MacAddress -> string
