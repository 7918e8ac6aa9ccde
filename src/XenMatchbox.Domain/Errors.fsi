/// Everything that can stop a boot, as one union. Each case has a stable code (XMB-nnn) that
/// operators can search for, a cause and a fix; the shell prints them as one line on stderr.
module XenMatchbox.Domain.Errors

/// A failure of the boot workflow. Payloads are plain text so the cases can be shown as they are.
type BootError =
    // Command line (XMB-1xx)
    /// XMB-101: the command line is not one xenmatchbox accepts (an unknown or repeated flag, flags
    /// that exclude each other, a relative --dir); the reason.
    | CommandLineRejected of reason: string
    /// XMB-102: no matchbox server was given (--server is required).
    | MissingServer
    /// XMB-103: --server is not a bare host name or IP address (empty, a URL, or with a port or
    /// path); the flag (or the variable or config line that set it), the value and why.
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
    // Lookup (XMB-2xx)
    /// XMB-201: no matchbox group matches the labels (over HTTP, also a group whose profile is
    /// missing); the labels as Labels.display shows them.
    | NoMatchingGroup of labels: string
    /// XMB-202: a matchbox group matches the labels but its profile is missing or unreadable (gRPC
    /// only); the labels as Labels.display shows them.
    | NoMatchingProfile of labels: string
    /// XMB-203: matchbox answered the lookup with an error; the endpoint, the status (gRPC status,
    /// "HTTP nnn" or "no TLS") and the detail.
    | LookupFailed of endpoint: string * status: string * detail: string
    /// XMB-204: matchbox could not be reached (refused, reset), after retries; the endpoint and the reason.
    | ServerUnreachable of endpoint: string * detail: string
    /// XMB-205: matchbox's gRPC server certificate does not lead to the --ca certificate; the endpoint and the reason.
    | ServerNotTrusted of endpoint: string * detail: string
    /// XMB-206: matchbox's gRPC server certificate does not name the --server host; the endpoint and the reason.
    | ServerNameMismatch of endpoint: string * detail: string
    /// XMB-207: matchbox ended the TLS handshake, most likely refusing the client certificate; the
    /// endpoint and the detail.
    | ClientCertificateRefused of endpoint: string * detail: string
    /// XMB-208: a --ca, --cert or --key PEM file cannot be read; its path and the reason.
    | TlsFileUnreadable of path: string * detail: string
    /// XMB-209: the --cert client certificate and the --key private key do not belong together;
    /// both paths and the reason.
    | TlsKeyMismatch of certificate: string * key: string * detail: string
    /// XMB-210: matchbox did not connect or answer the lookup in time; the endpoint and what did
    /// not happen within how long.
    | ServerTimedOut of endpoint: string * what: string
    /// XMB-211: the /ipxe answer is not an iPXE script as matchbox writes it; where it came from,
    /// the line number and what is wrong with it.
    | IpxeScriptRejected of url: string * line: int * reason: string
    /// XMB-212: a bare --lookup key (uuid or name) cannot be read from xenstore; the key and the reason.
    | DomainLabelUnavailable of key: string * detail: string
    // Profile, plan and arguments (XMB-3xx)
    /// XMB-301: the matched profile has no boot.kernel; the profile's id.
    | ProfileWithoutKernel of profileId: string
    /// XMB-302: a kernel or initrd reference of the profile cannot be made an http:// or https://
    /// URL; the profile's id, the reference and why.
    | InvalidAssetReference of profileId: string * reference: string * reason: string
    /// XMB-310: the profile's args use a variable that names no label; the variable and the label keys known.
    | UnknownVariable of variable: string * known: string list
    /// XMB-311: the profile's args hold Go template code other than {{ .label }}; the code as written.
    | TemplateCode of text: string
    /// XMB-312: a variable in the profile's args is not well formed (unclosed, no label, unknown
    /// format); its text and why.
    | MalformedVariable of text: string * reason: string
    /// XMB-313: a variable formats its label as a MAC address (:hex, :hexhyp, :hexraw) but the
    /// value is not one; the variable and the value.
    | VariableNotMac of variable: string * value: string
    /// XMB-314: the kernel command line is longer than Xen keeps of a PV guest's; its length in
    /// UTF-8 bytes and the limit (Plan.MaxCommandLineBytes).
    | ArgsTooLong of bytes: int * limit: int
    /// XMB-315: the profile's args or libxl's --args hold a control character; which arg it is in
    /// and the character, named.
    | ArgsControlCharacter of source: string * character: string
    /// XMB-316: the profile has more args, or bytes of args, than Limits.MaxProfileArgs or
    /// Limits.MaxProfileArgsBytes allow; the count and the bytes.
    | ProfileArgsTooLarge of count: int * bytes: int
    // Download (XMB-4xx)
    /// XMB-401: an asset's GET (or a dry run's HEAD) answered a status other than 200 (or 304 for a
    /// stored entry), after retries for 502-504; the URL and the status.
    | AssetStatus of url: string * status: int
    /// XMB-402: an asset could not be downloaded (refused, reset, broken off), after retries; the URL and the reason.
    | AssetUnreachable of url: string * detail: string
    /// XMB-403: an asset's body ended before its declared length, after retries; the URL, the bytes
    /// expected and the bytes received.
    | AssetTruncated of url: string * expected: int64 * received: int64
    /// XMB-404: a downloaded asset could not be written (other than for lack of space); the file's path and the reason.
    | AssetWriteFailed of path: string * detail: string
    /// XMB-405: an asset makes the kernel or ramdisk larger than its limit; the URL, which file
    /// ("kernel", "ramdisk"), its bytes and the limit.
    | AssetTooLarge of url: string * what: string * bytes: int64 * limit: int64
    /// XMB-406: an asset redirected more than Transfer.MaxRedirects times; the URL and the limit.
    | TooManyRedirects of url: string * limit: int
    /// XMB-407: an asset redirected to a Location that is not an http:// or https:// URL; the URL,
    /// the Location and why.
    | RedirectRefused of url: string * location: string * reason: string
    /// XMB-408: no room on the disk for a downloaded asset; the file's path and the space needed
    /// and free, or the system's reason.
    | DiskFull of path: string * detail: string
    /// XMB-409: an asset's server did not connect, answer or send data in time; the URL and what
    /// did not happen within how long.
    | AssetTimedOut of url: string * what: string
    /// XMB-410: an https:// asset's certificate is trusted neither by the system store nor by --ca;
    /// the URL and the reason.
    | AssetNotTrusted of url: string * detail: string
    /// XMB-411: an asset is empty (0 bytes, downloaded or declared to a dry run's HEAD): an empty
    /// kernel, ramdisk or part of a ramdisk boots nothing; the URL and which file ("kernel", "ramdisk").
    | AssetEmpty of url: string * what: string
    /// XMB-412: an https:// asset's certificate is trusted but names another host than the URL's;
    /// the URL and the reason.
    | AssetNameMismatch of url: string * detail: string
    /// XMB-413: an asset's server answered with something that is not sound HTTP (another
    /// protocol, headers over the limit, conflicting Content-Length headers); not retried; the URL
    /// and what it sent.
    | AssetAnswerInvalid of url: string * detail: string
    // Output (XMB-5xx)
    /// XMB-501: a result value holds the output format's item separator (NUL for simple0, newline
    /// for simple); the key, the format and the separator, named.
    | ValueContainsDelimiter of key: string * format: string * delimiter: string
    /// XMB-502: a result item (key, space and value) would be dropped by libxl for its length; the
    /// key, its bytes and the limit (Output.MaxItemBytes).
    | ItemTooLong of key: string * bytes: int * limit: int
    /// XMB-503: the --output file, which libxl creates beforehand, does not exist; its path.
    | OutputFileMissing of path: string
    /// XMB-504: --output-directory does not exist or is not a directory; its path.
    | OutputDirectoryMissing of path: string
    /// XMB-505: the result could not be written, or stage's --dir could not be created; the path and the reason.
    | OutputWriteFailed of path: string * detail: string
    /// XMB-506: a value cannot be written into stage's xl.cfg stanza (a control character, a lone
    /// surrogate, a relative path); the key and why.
    | StanzaValueInvalid of key: string * reason: string
    // The run itself (XMB-6xx)
    /// XMB-601: the boot did not finish within its deadline (--timeout, capped under
    /// LIBXL_BOOTLOADER_TIMEOUT); the deadline in seconds.
    | DeadlineExceeded of seconds: int
    /// XMB-602: the run was stopped by a signal (libxl sends one when the domain is destroyed or
    /// the bootloader hangs up); the signal.
    | Interrupted of signal: string
    /// XMB-603: dropping privileges to the --runas uid failed or could be undone; the uid and the reason.
    | PrivilegeDropFailed of uid: int * detail: string
    // Anything the shell did not foresee (XMB-900)
    /// XMB-900: a failure the shell did not foresee, i.e. a bug; the exception's message.
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

/// The one line the shell prints: "XMB-nnn: cause — fix", with the credentials of any URL in it
/// redacted.
val describe: BootError -> string

/// The text with every URL's user information ("scheme://user:password@") replaced by
/// "scheme://***@", so no message, report or file carries a secret from a profile's URL.
val redact: text: string -> string
