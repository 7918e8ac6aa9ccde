namespace XenMatchbox.Domain

/// The command line (with the configuration file and the environment) is not one to boot with:
/// XMB-1xx, exit status 2.
type CommandLineError =
    /// XMB-101: the command line is not one xenmatchbox accepts (an unknown or repeated flag, flags
    /// that exclude each other, a relative --dir); the reason.
    | CommandLineRejected of reason: string
    /// XMB-102: no matchbox server was given (--server is required).
    | MissingServer
    /// XMB-103: a --server item is not a bare host name or IP address (empty, a URL, or with a port
    /// or path), or names a host given before; the flag (or the variable or config line that set
    /// it), the value (and the item, when the value is a list) and why.
    | InvalidServer of source: string * value: string * reason: string
    /// XMB-104: a port is not a number from 1 to 65535; the flag (or the variable or config line
    /// that set it) and the value.
    | InvalidPort of flag: string * value: string
    /// XMB-105: no --lookup label was given, so there is nothing to select a profile by.
    | NoLookupLabels
    /// XMB-106: --output-format is not simple0, simple or sxp; the value.
    | UnknownOutputFormat of value: string
    /// XMB-107: --runas (libxl's restricted mode) is not a numeric uid, or is 0 (root); the value and why.
    | InvalidRunAs of value: string * reason: string
    /// XMB-108: the gRPC lookup needs --ca, --cert and --key but some were not given; the missing
    /// flags, and those that were given, each named as set (a flag, a variable or a config line).
    | MissingTlsFlags of missing: string list * given: string list
    /// XMB-109: a boot was asked for without --output-directory, so there is nowhere to put the kernel and ramdisk.
    | MissingOutputDirectory
    /// XMB-110: a --lookup text is not a key=value label, or gives a key both bare and with a value; the text and why.
    | InvalidLabel of text: string * reason: string
    /// XMB-111: a mac label's value is not a MAC address; the key and the value.
    | InvalidMac of key: string * value: string
    /// XMB-112: --lookup gives one key twice with different values; the key and both values, in order.
    | ConflictingLabel of key: string * first: string * second: string
    /// XMB-113: a timeout is not a whole number of seconds from 0 to 2147483 (int.MaxValue
    /// milliseconds, what the runtime's timers hold); where it came from (flag, variable or config
    /// line, or two timeouts that are added up) and the value.
    | InvalidDuration of source: string * value: string
    /// XMB-114: a size is not bytes or a number with K, M or G; the flag (or the variable or config
    /// line that set it) and the value.
    | InvalidSize of flag: string * value: string
    /// XMB-115: a line of the configuration file is not a 'key = value' setting it may hold; the
    /// file, the line number and why. Line 0: a XENMATCHBOX_* environment variable xenmatchbox does
    /// not read, or a switch variable that is not true or false; then path is the variable.
    | ConfigRejected of path: string * line: int * reason: string
    /// XMB-116: the configuration file cannot be read (missing, a directory, no permission, over
    /// 64 KiB, not UTF-8); its path and why.
    | ConfigUnreadable of path: string * detail: string
    /// XMB-117: --lookup-max-age is not a whole number of seconds within its bounds (Limits:
    /// MinLookupMaxAgeSeconds to MaxLookupMaxAgeSeconds); where it came from (flag, variable or
    /// config line), the value and the bounds.
    | InvalidMaxAge of source: string * value: string * least: int * most: int
    /// XMB-118: run as root, a file root would read (the configuration file, a TLS file, a key
    /// file) or a directory on the way to it may be changed by another user than root (see
    /// Ownership); how the file was named (a flag, a variable, a config line), its path, and what
    /// is wrong on the way, in order.
    | UnsafeFile of setting: string * path: string * faults: Ownership.Fault list
    /// XMB-119: the command line (a domU's bootloader_args) would weaken a trust setting the host
    /// fixed in its configuration file or XENMATCHBOX_* environment (see Floor); the setting as it
    /// was given (a flag, or a line of a file the command line named), its value, and what the
    /// host fixed, naming the host's file and line or its variable.
    | TrustWeakened of setting: string * value: string * reason: string
    /// XMB-120: "help WORD" names no command; the word(s) given and the commands there are.
    | UnknownCommand of word: string * commands: string
    /// XMB-121: an argument of bootloader_args that holds blanks (libvirt passes its
    /// <bootloader_args> as one) cannot be split into words as a POSIX shell would: a quote that is
    /// never closed, or a backslash at its end; the argument and what is unbalanced.
    | UnbalancedQuote of argument: string * unbalanced: string

/// The code, cause and fix of each command-line error.
module CommandLineError =

    /// The error's code, cause and fix.
    val explain: error: CommandLineError -> Explanation
