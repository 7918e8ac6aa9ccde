namespace XenMatchbox.Domain

type CommandLineError =
    | CommandLineRejected of reason: string
    | MissingServer
    | InvalidServer of source: string * value: string * reason: string
    | InvalidPort of flag: string * value: string
    | NoLookupLabels
    | UnknownOutputFormat of value: string
    | InvalidRunAs of value: string * reason: string
    | MissingTlsFlags of missing: string list * given: string list
    | MissingOutputDirectory
    | InvalidLabel of text: string * reason: string
    | InvalidMac of key: string * value: string
    | ConflictingLabel of key: string * first: string * second: string
    | InvalidDuration of source: string * value: string
    | InvalidSize of flag: string * value: string
    | ConfigRejected of path: string * line: int * reason: string
    | ConfigUnreadable of path: string * detail: string
    | InvalidMaxAge of source: string * value: string * least: int * most: int
    | UnsafeFile of setting: string * path: string * faults: Ownership.Fault list
    | TrustWeakened of setting: string * value: string * reason: string
    | UnknownCommand of word: string * commands: string
    | UnbalancedQuote of argument: string * unbalanced: string

module CommandLineError =

    /// The most seconds a timeout may be: int.MaxValue milliseconds, what the runtime's timers hold
    /// (Limits.MaxTimeoutSeconds, which the errors are compiled before).
    [<Literal>]
    let private MaxSeconds = 2147483

    let private joinOr (items: string list) =
        match List.rev items with
        | [] -> ""
        | [ one ] -> one
        | last :: rest -> String.concat ", " (List.rev rest) + " and " + last

    let explain error =
        match error with
        | CommandLineRejected reason ->
            { Code = "XMB-101"
              Cause = $"the command line was rejected: {reason}"
              Fix = "run 'xenmatchbox --help' and correct bootloader_args in the domU config" }
        | MissingServer ->
            { Code = "XMB-102"
              Cause = "no matchbox server was given"
              Fix = "add '--server', '<matchbox host>' to bootloader_args" }
        | InvalidServer(source, value, reason) ->
            { Code = "XMB-103"
              Cause = $"{source} '{value}' is not usable: {reason}"
              Fix =
                "give --server host names or IP addresses only, each once, separated by commas; ports go in --httpport and --grpcport" }
        | InvalidPort(flag, value) ->
            { Code = "XMB-104"
              Cause = $"{flag} '{value}' is not a TCP port"
              Fix = $"give {flag} a number from 1 to 65535" }
        | NoLookupLabels ->
            { Code = "XMB-105"
              Cause = "no --lookup label was given, so there is nothing to select a profile by"
              Fix =
                "add '--lookup', 'mac=<the vif MAC>' (or another label your matchbox groups select on) to bootloader_args" }
        | UnknownOutputFormat value ->
            { Code = "XMB-106"
              Cause = $"--output-format '{value}' is not a known format"
              Fix = "use simple0 (what libxl reads), simple or sxp" }
        | InvalidRunAs(value, reason) ->
            { Code = "XMB-107"
              Cause = $"--runas '{value}' cannot be used: {reason}"
              Fix = "set bootloader_user (or LIBXL_BOOTLOADER_USER) to an unprivileged user; libxl passes its uid" }
        | MissingTlsFlags(missing, given) ->
            let verb = if List.length missing = 1 then "was" else "were"
            let set =
                match given with
                | [] -> ""
                | [ one ] -> $" ({one} is set)"
                | several -> $" ({joinOr several} are set)"
            { Code = "XMB-108"
              Cause = $"the gRPC lookup needs mutual TLS but {joinOr missing} {verb} not given{set}"
              Fix =
                "add '--ca', '--cert' and '--key' with the PEM files matchbox's gRPC API accepts (see matchbox's TLS docs)" }
        | MissingOutputDirectory ->
            { Code = "XMB-109"
              Cause = "no --output-directory was given to download the kernel and ramdisk into"
              Fix = "libxl always passes --output-directory; when running by hand, add --output-directory=DIR" }
        | InvalidLabel(text, reason) ->
            { Code = "XMB-110"
              Cause = $"--lookup '{text}' is not a label: {reason}"
              Fix = "write each label as --lookup key=value, e.g. --lookup mac=52:54:00:aa:bb:cc" }
        | InvalidMac(key, value) ->
            { Code = "XMB-111"
              Cause = $"--lookup {key}='{value}' is not a MAC address"
              Fix = "give the vif's MAC as six hex octets, e.g. 52:54:00:aa:bb:cc or 52-54-00-AA-BB-CC" }
        | ConflictingLabel(key, first, second) ->
            { Code = "XMB-112"
              Cause = $"--lookup gives '{key}' twice, as '{first}' and as '{second}'"
              Fix = "give each label once in bootloader_args" }
        | InvalidDuration(source, value) ->
            { Code = "XMB-113"
              Cause = $"{source} '{value}' is not a whole number of seconds from 0 to {MaxSeconds}"
              Fix =
                if source.StartsWith "LIBXL" then
                    $"set LIBXL_BOOTLOADER_TIMEOUT to whole seconds, at most {MaxSeconds} (0 for none), in xl's environment"
                else
                    $"give whole seconds, at most {MaxSeconds} (what the runtime's timers hold), e.g. --timeout 60 (0 for none)" }
        | InvalidSize(flag, value) ->
            { Code = "XMB-114"
              Cause = $"{flag} '{value}' is not a size"
              Fix = "give bytes or a size with K, M or G (powers of 1024), e.g. 256M" }
        | ConfigRejected(variable, 0, reason) ->
            { Code = "XMB-115"
              Cause = $"the environment variable {variable} {reason}"
              Fix =
                "unset it or correct it in the environment xl (or the shell) runs xenmatchbox with; the names are XENMATCHBOX_ and a flag of 'xenmatchbox --help'" }
        | ConfigRejected(path, line, reason) ->
            { Code = "XMB-115"
              Cause = $"{path} line {line}: {reason}"
              Fix =
                "correct or remove that line; each line is 'key = value' with a key from 'xenmatchbox --help', or a # comment" }
        | ConfigUnreadable(path, detail) ->
            { Code = "XMB-116"
              Cause = $"cannot read the configuration file {path}: {detail}"
              Fix = "check the path and permissions given with --config (or XENMATCHBOX_CONFIG)" }
        | InvalidMaxAge(source, value, least, most) ->
            { Code = "XMB-117"
              Cause = $"{source} '{value}' is not a whole number of seconds from {least} to {most}"
              Fix =
                "give whole seconds, e.g. --lookup-max-age 600; matchbox signs each answer as it renders it, so minutes are plenty, and no value turns the check off" }
        | UnsafeFile(setting, path, faults) ->
            let wrong = faults |> List.map Ownership.describe |> String.concat "; "
            let mends = faults |> List.map Ownership.mend |> List.distinct |> String.concat "; "
            { Code = "XMB-118"
              Cause = $"{setting} '{path}' is not safe for root to read: {wrong}"
              Fix = $"root reads only what root alone can change, and every directory above it: {mends}" }
        | TrustWeakened(setting, value, reason) ->
            { Code = "XMB-119"
              Cause = $"{setting} '{value}' would weaken the host's trust settings: {reason}"
              Fix =
                "the host's verify-assets, asset-key, lookup-key and lookup-max-age are a floor that bootloader_args may tighten, never lower: remove it from bootloader_args, or name only keys the host names; a new key or a longer age goes into the host's configuration file" }
        | UnknownCommand(word, commands) ->
            { Code = "XMB-120"
              Cause = $"help has no command '{word}'; the commands are {commands}"
              Fix = "run 'xenmatchbox help' for all of them, or 'xenmatchbox help COMMAND' with one of those" }
        | UnbalancedQuote(argument, unbalanced) ->
            { Code = "XMB-121"
              Cause = $"the argument '{argument}' cannot be split into words: {unbalanced}"
              Fix =
                "an argument of bootloader_args that holds blanks (libvirt's <bootloader_args> is one) is split as a POSIX shell splits words: close the quote, or escape a quote or backslash meant literally with a backslash (\\' or \\\\)" }
