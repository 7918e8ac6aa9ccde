module XenMatchbox.Domain.Ipxe

open System
open System.Text
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels

[<Literal>]
let MaxLines = 4096

[<Literal>]
let MaxLineBytes = 65536

[<Literal>]
let MaxAnswerBytes = 1048576

let query (labels: Labels) =
    Labels.toPairs labels
    |> List.map (fun (key, value) -> $"{Uri.EscapeDataString key}={Uri.EscapeDataString value}")
    |> String.concat "&"

/// A line as quoted in a reason: control characters as '?', long lines cut.
let private shown (line: string) =
    let printable = String.map (fun c -> if Char.IsControl c then '?' else c) line
    if printable.Length > 60 then printable.Substring(0, 60) + "…" else printable

/// iPXE's image options that take a value, and those that do not (its imgfetch/kernel/initrd).
let private optionsWithValue = set [ "--name"; "-n"; "--timeout"; "-t" ]
let private flagOptions = set [ "--autofree"; "-a"; "--replace"; "-r" ]

/// Splits off one image: the options in front of it are dropped; returns the reference and the
/// tokens after it.
let rec private takeImage (what: string) (tokens: string list) =
    match tokens with
    | option :: _ :: rest when optionsWithValue.Contains option -> takeImage what rest
    | [ option ] when optionsWithValue.Contains option -> Error $"has the option '{option}' without its value"
    | option :: rest when flagOptions.Contains option -> takeImage what rest
    | option :: rest when option.StartsWith "--name=" || option.StartsWith "--timeout=" -> takeImage what rest
    | option :: _ when option.StartsWith "-" ->
        Error $"has '{shown option}' in front of the {what}, which is not an iPXE image option"
    | reference :: rest -> Ok(reference, rest)
    | [] -> Error $"names no {what}"

/// Every image of a v0.6.1-style initrd line, options dropped, put in front of found (last first).
let rec private takeImages (tokens: string list) (found: string list) =
    match tokens with
    | [] -> Ok found
    | _ ->
        takeImage "initrd image" tokens
        |> Result.bind (fun (reference, rest) -> takeImages rest (reference :: found))

let private tokensOf (line: string) =
    line.Split(' ', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray

/// Whether the text opens a {{ … }} marker it does not close.
let private opensMarker (text: string) = text.LastIndexOf "{{" > text.LastIndexOf "}}"

/// The args of a kernel line: the words between spaces, except that a {{ .label }} marker, which
/// matchbox wrote with its spaces, is put back together into the one arg it came from (when a later
/// word closes it).
let rec private regroup (words: string list) =
    match words with
    | word :: rest when opensMarker word ->
        match List.tryFindIndex (fun (later: string) -> later.Contains "}}") rest with
        | Some closing ->
            let inside, after = List.splitAt (closing + 1) rest
            regroup (String.concat " " (word :: inside) :: after)
        | None -> word :: regroup rest
    | word :: rest -> word :: regroup rest
    | [] -> []

let private isBlank (line: string) = line |> Seq.forall (fun c -> c = ' ')

/// Where the reading is: what has been seen so far.
type private State =
    | Header
    | Kernel
    /// The initrds so far, last first.
    | Images of kernelLine: int * kernel: string * args: string list * initrds: string list
    | Booted of bootLine: int * profile: Plan.UnvalidatedProfile

/// Reads one line (numbered from 1, without its line end) in the given state.
let private step (source: string) (state: State) (number: int) (line: string) =
    let reject reason = Error(IpxeScriptRejected(source, number, reason))
    let tokens = tokensOf line
    let command = match tokens with first :: _ -> first | [] -> ""
    let notRun () =
        if isBlank line then reject "is blank; matchbox writes no blank line before 'boot'"
        else reject $"is '{shown line}', which xenmatchbox does not run (matchbox writes only kernel, initrd and boot)"
    match state with
    | Header when line = "#!ipxe" -> Ok Kernel
    | Header when line.Length = 0 -> reject "is empty where '#!ipxe' should be: the answer is not an iPXE script"
    | Header -> reject $"is '{shown line}', not '#!ipxe': the answer is not an iPXE script"
    | Booted _ when isBlank line -> Ok state
    | Booted(bootLine, _) -> reject $"is '{shown line}' after the 'boot' on line {bootLine}; nothing may follow boot"
    | Kernel when command = "kernel" ->
        takeImage "kernel reference" (List.tail tokens)
        |> Result.map (fun (kernel, args) -> Images(number, kernel, regroup args, []))
        |> Result.mapError (fun reason -> IpxeScriptRejected(source, number, reason))
    | Kernel when command = "initrd" -> reject "is an initrd line before the kernel line"
    | Kernel when command = "boot" -> reject "is 'boot', but no kernel line came before it"
    | Kernel -> notRun ()
    | Images(kernelLine, _, _, _) when command = "kernel" ->
        reject $"is a second kernel line (the first is line {kernelLine})"
    | Images(kernelLine, kernel, args, initrds) when command = "initrd" ->
        let images = List.tail tokens
        if line.EndsWith ' ' then
            // v0.6.1 and older: every element on this one line, each followed by a space.
            takeImages images initrds
            |> Result.map (fun found -> Images(kernelLine, kernel, args, found))
            |> Result.mapError (fun reason -> IpxeScriptRejected(source, number, reason))
        else
            match takeImage "initrd image" images with
            | Ok(reference, []) -> Ok(Images(kernelLine, kernel, args, reference :: initrds))
            | Ok(_, _ :: _) ->
                reject
                    $"is '{shown line}', which names more than one image; matchbox writes one per initrd line (before v0.7.0, all on one line that ends in a space)"
            | Error reason -> reject reason
    | Images(_, kernel, args, initrds) when command = "boot" ->
        if List.length tokens > 1 then
            reject $"is '{shown line}'; matchbox writes 'boot' alone"
        else
            Ok(Booted(number, { Id = source; Kernel = kernel; Initrds = List.rev initrds; Args = args }))
    | Images _ -> notRun ()

/// The lines of the script, each without its LF and one CR before it, lazily: a huge body is never
/// split whole. A final LF ends the last line and starts none.
let private lines (script: string) =
    seq {
        let mutable start = 0
        while start < script.Length do
            let lf = script.IndexOf('\n', start)
            let stop = if lf < 0 then script.Length else lf
            let length = if stop > start && script.[stop - 1] = '\r' then stop - start - 1 else stop - start
            yield start, length
            start <- stop + 1
    }

/// The line at start (length chars), checked against the bounds and read in the state.
let private checkedStep (source: string) (script: string) (state: State) (number: int) (start: int, length: int) =
    if number > MaxLines then
        Error(IpxeScriptRejected(source, number, $"is beyond the {MaxLines} lines xenmatchbox reads of a script"))
    else
        let bytes = Encoding.UTF8.GetByteCount(script.AsSpan(start, length))
        if bytes > MaxLineBytes then
            Error(IpxeScriptRejected(source, number, $"is {bytes} bytes long, over the {MaxLineBytes} bytes xenmatchbox reads of a line"))
        else
            step source state number (script.Substring(start, length))

let parse (source: string) (script: string) =
    // Stops at the first error: the rest of a rejected script is not even looked at.
    let mutable result = Ok Header
    let mutable count = 0
    use spans = (lines script).GetEnumerator()
    let mutable reading = true
    while reading && spans.MoveNext() do
        count <- count + 1
        match result with
        | Ok state -> result <- checkedStep source script state count spans.Current
        | Error _ -> ()
        reading <- Result.isOk result
    match result with
    | Error error -> Error error
    | Ok(Booted(_, profile)) -> Ok profile
    | Ok Header -> Error(IpxeScriptRejected(source, 1, "is empty where '#!ipxe' should be: the answer is not an iPXE script"))
    | Ok Kernel -> Error(IpxeScriptRejected(source, count, "ends the script without a kernel line or 'boot'"))
    | Ok(Images _) -> Error(IpxeScriptRejected(source, count, "ends the script without 'boot'"))

let statusError (endpoint: string) (labels: Labels) (status: int) (body: string) =
    if status = 404 then
        NoMatchingGroup(Labels.display labels)
    else
        let firstLine = body.Split('\n', 2).[0].TrimEnd '\r'
        let printable = String.map (fun c -> if Char.IsControl c then '?' else c) firstLine
        let cut = if printable.Length > 200 then printable.Substring(0, 200) + "…" else printable
        LookupFailed(endpoint, $"HTTP {status}", (if String.IsNullOrWhiteSpace cut then "(no body)" else cut))
