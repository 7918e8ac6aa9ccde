/// What the Debian package installs beside the program, rendered from the same flag table as
/// --help (Flags.spec, Usage.description), so that none of it can drift from what the program
/// parses: the manual pages xenmatchbox(1) and xenmatchbox.conf(5) in roff (man(7) macros), and the
/// configuration file installed as /etc/xen/xenmatchbox.conf with every line commented out.
module XenMatchbox.Domain.Manual

/// Where the Debian package installs README.md, the full documentation.
[<Literal>]
val InstalledReadme: string = "/usr/share/doc/xenmatchbox/README.md.gz"

/// A flag's description as --help gives it (Usage.description), with "the README" replaced by
/// InstalledReadme, as xenmatchbox(1) shows it.
val internal pageDescription: flag: Flags.Flag -> string

/// The members of show --json's object as xenmatchbox(1) documents them, in order, each with what
/// it holds; the last two ("a signer", "an error") describe objects that several members hold.
val internal jsonKeys: (string * string) list

/// The roff text of xenmatchbox(1) for a release version, e.g. "0.1.0": the commands, every flag
/// with its names, value and description (the operator's, then libxl's), the environment, the
/// files, show --json's members, every exit status and every XMB code (ErrorCatalogue) with what
/// failed and its fix, and an example domU config.
val commandPage: version: string -> string

/// The roff text of xenmatchbox.conf(5) for a release version: the file's syntax, every key the
/// file may set (Flags.settableIn InConfigFile) and every XENMATCHBOX_* variable
/// (Flags.settableIn InEnvironment, Flags.variable).
val configPage: version: string -> string

/// The configuration file the package installs: every key the file may set, each with its
/// description and a commented-out "#key = value" line, so that installing the package changes
/// nothing about how a host boots until an operator uncomments a line. Every line is blank or
/// starts with "#".
val configFile: string

/// Text for roff: backslashes and hyphen-minus escaped (so flags copy as typed), other characters
/// outside ASCII as \[uXXXX], and a line that starts with "." or "'" guarded by \&.
val internal escape: text: string -> string
