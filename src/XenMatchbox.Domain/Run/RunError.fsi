namespace XenMatchbox.Domain

/// The run itself was stopped (its deadline, a signal) or could not drop privileges: XMB-6xx,
/// exit status 7.
type RunError =
    /// XMB-601: the boot did not finish within its deadline (--timeout, capped under
    /// LIBXL_BOOTLOADER_TIMEOUT); the deadline in seconds.
    | DeadlineExceeded of seconds: int
    /// XMB-602: the run was stopped by a signal (libxl sends one when the domain is destroyed or
    /// the bootloader hangs up); the signal.
    | Interrupted of signal: string
    /// XMB-603: dropping privileges to the --runas uid failed or could be undone; the uid and the reason.
    | PrivilegeDropFailed of uid: int * detail: string

/// The code, cause and fix of each run error, and of a failure nobody foresaw (XMB-900).
module RunError =

    /// The error's code, cause and fix.
    val explain: error: RunError -> Explanation

    /// XMB-900: a failure the shell did not foresee, i.e. a bug; the exception's message.
    val explainUnexpected: detail: string -> Explanation
