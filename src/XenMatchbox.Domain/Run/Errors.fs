module XenMatchbox.Domain.Errors

type BootError =
    | CommandLine of CommandLineError
    | Lookup of LookupError
    | Plan of PlanError
    | Download of DownloadError
    | Output of OutputError
    | Run of RunError
    | Trust of TrustError
    | Unexpected of detail: string

    static member op_Implicit(error: CommandLineError) : BootError = CommandLine error
    static member op_Implicit(error: LookupError) : BootError = Lookup error
    static member op_Implicit(error: PlanError) : BootError = Plan error
    static member op_Implicit(error: DownloadError) : BootError = Download error
    static member op_Implicit(error: OutputError) : BootError = Output error
    static member op_Implicit(error: RunError) : BootError = Run error
    static member op_Implicit(error: TrustError) : BootError = Trust error

[<Literal>]
let CheckFailedStatus = 9

let explain error =
    match error with
    | CommandLine error -> CommandLineError.explain error
    | Lookup error -> LookupError.explain error
    | Plan error -> PlanError.explain error
    | Download error -> DownloadError.explain error
    | Output error -> OutputError.explain error
    | Run error -> RunError.explain error
    | Trust error -> TrustError.explain error
    | Unexpected detail -> RunError.explainUnexpected detail

let code error = (explain error).Code

let cause error = (explain error).Cause

let fix error = (explain error).Fix

let exitCode error =
    match error with
    | CommandLine _ -> 2
    | Lookup _ -> 3
    | Plan _ -> 4
    | Download _ -> 5
    | Output _ -> 6
    | Run _ -> 7
    | Trust _ -> 8
    | Unexpected _ -> 1

let redact (text: string) =
    // Every "scheme://user:password@" becomes "scheme://***@"; the rest is kept as it is.
    let builder = System.Text.StringBuilder(text.Length)
    let mutable at = 0
    while at < text.Length do
        let scheme = text.IndexOf("://", at, System.StringComparison.Ordinal)
        if scheme < 0 then
            builder.Append(text, at, text.Length - at) |> ignore
            at <- text.Length
        else
            let start = scheme + 3
            let mutable stop = start
            // The authority runs to the first of these; user information ends at its last '@'.
            while stop < text.Length && not (System.Char.IsWhiteSpace text[stop]) && "/?#\"<>".IndexOf text[stop] < 0 do
                stop <- stop + 1
            let stop =
                match text.LastIndexOf('@', stop - 1, stop - start) with
                | -1 -> stop
                | found -> found
            if stop < text.Length && text[stop] = '@' && stop > start then
                builder.Append(text, at, start - at).Append("***@") |> ignore
                at <- stop + 1
            else
                builder.Append(text, at, start - at) |> ignore
                at <- start
    builder.ToString()

/// Control characters (a newline in an exception text, say) would break the one-line promise.
let private oneLine (text: string) =
    text |> String.map (fun c -> if System.Char.IsControl c then ' ' else c)

let describe error =
    let explained = explain error
    oneLine (redact $"{explained.Code}: {explained.Cause} — {explained.Fix}")
