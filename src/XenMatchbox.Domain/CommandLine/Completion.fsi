/// Bash completion for xenmatchbox, generated from the flag table (Flags.spec) and the command
/// words (Argv.commands, and help and version from Usage): the commands as the first word, after
/// help the commands it has a page for, and after a command the flags of that mode, with file names
/// for a path, directories for a directory and the formats for --output-format.
module XenMatchbox.Domain.Completion

/// The flags (every name, aliases included) that complete in a mode, in --help's order.
val internal flagsOf: mode: Flags.Mode -> string list

/// The bash script installed as /usr/share/bash-completion/completions/xenmatchbox (it uses
/// bash-completion's _init_completion and _filedir).
val bash: string
