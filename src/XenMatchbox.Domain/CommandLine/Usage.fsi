/// The help texts, generated from the flag spec: the whole help (--help, help) and one page per
/// command (help COMMAND, COMMAND --help). A flag's line, default and whether the environment and
/// the configuration file may set it come from Flags.spec. Every line is at most Width columns:
/// descriptions wrap with a hanging indent. libxl's own flags come last, in a group of their own.
module internal XenMatchbox.Domain.Usage

/// The widest a help line may be: a terminal's 80 columns.
[<Literal>]
val Width: int = 80

/// What help has a page for: libxl's run and each command word.
type Command =
    /// libxl's run (bootloader=): no command word; "help boot" names it.
    | Boot
    /// show: what a boot would do.
    | Show
    /// stage: download into --dir, print an xl.cfg stanza.
    | Stage
    /// check: the operator's doctor.
    | Check
    /// help [COMMAND].
    | HelpCommand
    /// version (also -V, --version).
    | VersionCommand

/// Every command, in help's order.
val commands: Command list

/// The word that names a command: "boot", "show", "stage", "check", "help", "version".
val commandName: command: Command -> string

/// The command a word of "help COMMAND" names ("boot" included).
val tryTopic: word: string -> Command option

/// The command a first word of argv is: not "boot", which libxl never passes (its flags come first).
val tryCommandWord: word: string -> Command option

/// "boot, show, stage, check, help and version", for messages.
val topics: string

/// The text's words laid out within Width: the first line starts with `first` padded to `indent`
/// columns, the next ones with `indent` spaces (a hanging indent). A word longer than a line has
/// room for stands alone on its line. No line ends with a space.
val wrap: indent: int -> first: string -> text: string -> string list

/// What a flag does, as --help and the manual say it: its help, the default if any, a full stop.
val description: flag: Flags.Flag -> string

/// A flag's entry in help: its names (a short one first) and the placeholder of its value, and its
/// description wrapped from column 28; one or more lines, each ending in a newline.
val line: flag: Flags.Flag -> string

/// The whole help: the commands, the operator's flags, --help and --version, then libxl's flags, an
/// example domU config, the configuration and how a boot works.
val text: string

/// One command's help: what it does, its usage line, the flags that matter to it (libxl's too for
/// a boot), the other flags it takes by name, and an example.
val commandText: command: Command -> string
