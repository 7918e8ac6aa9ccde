/// The --help text, generated from the flag spec: a flag's line, default and whether the
/// environment and the configuration file may set it come from Flags.spec.
module XenMatchbox.Domain.Usage

/// A flag's line in --help: its names, the placeholder of its value and its help with the default.
val line: flag: Flags.Flag -> string

/// The whole --help text.
val text: string
