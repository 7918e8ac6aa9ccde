/// The --help text, generated from the flag spec: a flag's line, default and whether the
/// environment and the configuration file may set it come from Flags.spec.
module internal XenMatchbox.Domain.Usage

/// What a flag does, as --help and the manual say it: its help, the default if any, a full stop.
val description: flag: Flags.Flag -> string

/// A flag's line in --help: its names, the placeholder of its value and its help with the default.
val line: flag: Flags.Flag -> string

/// The whole --help text.
val text: string
