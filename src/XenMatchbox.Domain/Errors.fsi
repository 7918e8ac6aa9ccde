/// Everything that can stop a boot, as one union. Each case has a stable code (XMB-nnn) that
/// operators can search for, a cause and a fix; the shell prints them as one line on stderr.
module XenMatchbox.Domain.Errors

/// A failure of the boot workflow. Payloads are plain text so the cases can be shown as they are.
type BootError =
    // Command line (XMB-1xx)
    /// Argu rejected the command line; the text is Argu's first line.
    | CommandLineRejected of reason: string
    | MissingServer
    | InvalidServer of value: string * reason: string
    | InvalidPort of flag: string * value: string
    | NoLookupLabels
    | UnknownOutputFormat of value: string
    | InvalidRunAs of value: string * reason: string
    | MissingTlsFlags of missing: string list
    | MissingOutputDirectory
    | InvalidLabel of text: string * reason: string
    | InvalidMac of key: string * value: string
    | ConflictingLabel of key: string * first: string * second: string
    | InvalidDuration of source: string * value: string
    | InvalidSize of flag: string * value: string
    | ConfigRejected of path: string * line: int * reason: string
    | ConfigUnreadable of path: string * detail: string
    // Lookup (XMB-2xx)
    | NoMatchingGroup of labels: string
    | NoMatchingProfile of labels: string
    | LookupFailed of endpoint: string * status: string * detail: string
    | ServerUnreachable of endpoint: string * detail: string
    | ServerNotTrusted of endpoint: string * detail: string
    | ServerNameMismatch of endpoint: string * detail: string
    | ClientCertificateRefused of endpoint: string * detail: string
    | TlsFileUnreadable of path: string * detail: string
    | TlsKeyMismatch of certificate: string * key: string * detail: string
    | ServerTimedOut of endpoint: string * what: string
    | IpxeScriptRejected of url: string * line: int * reason: string
    | DomainLabelUnavailable of key: string * detail: string
    // Profile, plan and arguments (XMB-3xx)
    | ProfileWithoutKernel of profileId: string
    | InvalidAssetReference of profileId: string * reference: string * reason: string
    | UnknownVariable of variable: string * known: string list
    | TemplateCode of text: string
    | MalformedVariable of text: string * reason: string
    | VariableNotMac of variable: string * value: string
    | ArgsTooLong of bytes: int * limit: int
    | ArgsControlCharacter of source: string * character: string
    | ProfileArgsTooLarge of count: int * bytes: int
    // Download (XMB-4xx)
    | AssetStatus of url: string * status: int
    | AssetUnreachable of url: string * detail: string
    | AssetTruncated of url: string * expected: int64 * received: int64
    | AssetWriteFailed of path: string * detail: string
    | AssetTooLarge of url: string * what: string * bytes: int64 * limit: int64
    | TooManyRedirects of url: string * limit: int
    | RedirectRefused of url: string * location: string * reason: string
    | DiskFull of path: string * detail: string
    | AssetTimedOut of url: string * what: string
    | AssetNotTrusted of url: string * detail: string
    // Output (XMB-5xx)
    | ValueContainsDelimiter of key: string * format: string * delimiter: string
    | ItemTooLong of key: string * bytes: int * limit: int
    | OutputFileMissing of path: string
    | OutputDirectoryMissing of path: string
    | OutputWriteFailed of path: string * detail: string
    | StanzaValueInvalid of key: string * reason: string
    // The run itself (XMB-6xx)
    | DeadlineExceeded of seconds: int
    | Interrupted of signal: string
    | PrivilegeDropFailed of uid: int * detail: string
    // Anything the shell did not foresee (XMB-900)
    | Unexpected of detail: string

/// The error's stable code, e.g. "XMB-201".
val code: BootError -> string

/// What went wrong, in the operator's words.
val cause: BootError -> string

/// What to do about it.
val fix: BootError -> string

/// The process exit status for the error: 2 command line, 3 lookup, 4 profile, 5 download,
/// 6 output, 7 the run (deadline, signal, privileges), 1 unexpected.
val exitCode: BootError -> int

/// The one line the shell prints: "XMB-nnn: cause — fix".
val describe: BootError -> string
