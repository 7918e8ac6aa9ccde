/// Everything that can stop a boot, as one union of the workflow's stages: the command line, the
/// lookup, the plan, the download, the output, the run and trust in what was fetched. Each case of a stage has a stable code
/// (XMB-nnn) that operators can search for, a cause and a fix, written side by side in the stage's
/// explain; the shell prints them as one line on stderr, and the stage sets the exit status.
module XenMatchbox.Domain.Errors

/// A failure of the boot workflow: the stage it happened in and what went wrong there. C# builds
/// one from a stage's case, e.g. DownloadError.NewAssetStatus(url, status), which converts to it.
type BootError =
    /// The command line, configuration file or environment (XMB-1xx, exit status 2).
    | CommandLine of CommandLineError
    /// Looking the profile up from matchbox (XMB-2xx, exit status 3).
    | Lookup of LookupError
    /// Making the profile a boot plan (XMB-3xx, exit status 4).
    | Plan of PlanError
    /// Downloading the kernel and initrds (XMB-4xx, exit status 5).
    | Download of DownloadError
    /// Writing the result for libxl (XMB-5xx, exit status 6).
    | Output of OutputError
    /// The run itself: its deadline, a signal, the privilege drop (XMB-6xx, exit status 7).
    | Run of RunError
    /// The operator's OpenPGP keys do not vouch for the lookup answer or an asset (XMB-7xx, exit status 8).
    | Trust of TrustError
    /// XMB-900: a failure the shell did not foresee, i.e. a bug; the exception's message (exit status 1).
    | Unexpected of detail: string

    /// A command-line error as a BootError (for C#, where the conversion is implicit).
    static member op_Implicit: error: CommandLineError -> BootError
    /// A lookup error as a BootError (for C#, where the conversion is implicit).
    static member op_Implicit: error: LookupError -> BootError
    /// A profile or plan error as a BootError (for C#, where the conversion is implicit).
    static member op_Implicit: error: PlanError -> BootError
    /// A download error as a BootError (for C#, where the conversion is implicit).
    static member op_Implicit: error: DownloadError -> BootError
    /// An output error as a BootError (for C#, where the conversion is implicit).
    static member op_Implicit: error: OutputError -> BootError
    /// A run error as a BootError (for C#, where the conversion is implicit).
    static member op_Implicit: error: RunError -> BootError
    /// A trust error as a BootError (for C#, where the conversion is implicit).
    static member op_Implicit: error: TrustError -> BootError

/// The exit status of the check command when one of its checks failed: no boot ends with it
/// (1 to 8 are XMB-900's and the stages').
[<Literal>]
val CheckFailedStatus: int = 9

/// The error's code, cause and fix, as its stage writes them.
val explain: BootError -> Explanation

/// The error's stable code, e.g. "XMB-201".
val code: BootError -> string

/// What went wrong, in the operator's words.
val cause: BootError -> string

/// What to do about it.
val fix: BootError -> string

/// The process exit status for the error, by its stage: 2 command line, 3 lookup, 4 profile,
/// 5 download, 6 output, 7 the run (deadline, signal, privileges), 8 trust (signatures), 1 unexpected.
val exitCode: BootError -> int

/// The one line the shell prints: "XMB-nnn: cause — fix", with the credentials of any URL in it
/// redacted.
val describe: BootError -> string

/// The text with every URL's user information ("scheme://user:password@") replaced by
/// "scheme://***@", so no message, report or file carries a secret from a profile's URL.
val redact: text: string -> string
