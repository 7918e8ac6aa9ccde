namespace XenMatchbox.Domain

type RunError =
    | DeadlineExceeded of seconds: int
    | Interrupted of signal: string
    | PrivilegeDropFailed of uid: int * detail: string

module RunError =

    let explain error =
        match error with
        | DeadlineExceeded seconds ->
            { Code = "XMB-601"
              Cause = $"the boot did not finish within its deadline of {seconds} s"
              Fix =
                "check matchbox and the network; raise --timeout (and LIBXL_BOOTLOADER_TIMEOUT in restricted mode) for slow links" }
        | Interrupted signal ->
            { Code = "XMB-602"
              Cause = $"stopped by {signal} (libxl sends it when the domain is destroyed or the bootloader hangs up)"
              Fix = "nothing to fix in xenmatchbox; see why xl stopped the domain's creation" }
        | PrivilegeDropFailed(uid, detail) ->
            { Code = "XMB-603"
              Cause = $"cannot drop privileges to uid {uid}: {detail}"
              Fix = "run xl as root, and give bootloader_user a uid that exists on dom0" }

    let explainUnexpected (detail: string) =
        { Code = "XMB-900"
          Cause = $"unexpected failure: {detail}"
          Fix = "report this as a bug, with the command line that caused it" }
