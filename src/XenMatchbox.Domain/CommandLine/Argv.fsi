/// The argv scanner: what libxl passes (its fixed flags, then the operator's bootloader_args, then
/// the boot disk last) or the show and stage commands, each flag as "--flag value" or
/// "--flag=value", read against the flag spec into the flags given and where each came from.
module internal XenMatchbox.Domain.Argv

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Flags

/// Where a value came from, to name it in errors.
type Source =
    /// The command line.
    | FromArgv
    /// An environment variable, by name.
    | FromEnvironment of variable: string
    /// A line of the configuration file.
    | FromFile of path: string * line: int

/// The flags of one run with their values in order and where each came from; and the disk.
type Given =
    {
        /// Each flag given, with its values (a switch has the value "") and their sources.
        Values: Map<Flag, (string * Source) list>
        /// The boot disk libxl passes last; None for show and stage.
        Disk: string option
    }

    /// Every value of the flag, in order.
    member All: flag: Flag -> string list
    /// The flag's first value, if it was given.
    member One: flag: Flag -> string option
    /// Whether the flag was given (a switch: set).
    member Has: flag: Flag -> bool
    /// How errors name the setting: the flag, its variable, or its key and its file line.
    member Named: flag: Flag -> string
    /// Every value of the flag, in order, each with how errors name where it was set (as Named).
    member Sourced: flag: Flag -> (string * string) list

/// Whether argv asks for --help (or -h), anywhere: then nothing else is read.
val wantsHelp: argv: string array -> bool

/// Whether argv asks for --version, anywhere (and not for --help, which wins): then nothing else
/// is read.
val wantsVersion: argv: string array -> bool

/// The value of --config on the command line, as "--config path" or "--config=path".
val configFlag: argv: string array -> string option

/// The command words and their modes: "show", "stage" and "check" (a boot has none).
val commands: (string * Mode) list

/// The mode and the rest of argv: a leading "show", "stage" or "check" word is that command, anything else
/// is libxl's run.
val split: argv: string array -> Mode * string array

/// libxl's own flags (those whose FlagSpec.FromLibxl is set), as libxl passes them before the
/// operator's bootloader_args: a switch (--quiet) whole, the others as the prefix "--name=".
val libxlFlags: string list

/// A boot's argv with each argument of the operator's that holds a blank (space, tab, newline)
/// split into words as a POSIX shell splits them (ShellWords: quotes and backslashes honoured,
/// nothing expanded), because libvirt passes its <bootloader_args> string as one argument. The
/// operator's arguments are all but libxl's own flags (libxlFlags, wherever they stand: libxl's
/// --args=<cmdline> holds blanks and is never split) and the disk (the last argument, never split).
/// An argument without a blank is kept as it is, so xl's argv reads exactly as before. show, stage
/// and check (a shell has split their words) come back as they are. An unbalanced quote is XMB-121.
val expand: argv: string array -> Result<string array, BootError>

/// Reads argv (without the mode's word) against the spec: unknown flags named, switches bare,
/// flags outside their mode refused, one-time flags at most once, and (for a boot) the disk exactly
/// once, last. A value never starts with "--", so a flag missing its value is not fed the next flag;
/// an empty value is allowed ("--args=", libxl's empty cmdline).
val scan: mode: Mode -> argv: string array -> Result<Given, BootError>
