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
let private shown (line: string) = Text.shown 60 line

/// Every image of a v0.6.1-style initrd line, options dropped, put in front of found (last first).
let rec private takeImages (tokens: string list) (found: string list) =
    match tokens with
    | [] -> Ok found
    | _ ->
        IpxeImage.take "initrd image" tokens
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

/// What has been read after the kernel line.
type private Body =
    {
        KernelLine: int
        Kernel: string
        Args: string list
        /// The initrds so far, last first.
        Initrds: string list
        /// The initrd lines so far, and the first one's number.
        InitrdLines: int
        FirstInitrdLine: int
        /// Whether an initrd line ends in a space, as v0.6.1 writes its only one.
        OneLineStyle: bool
        /// A "boot" line with nothing but blank lines after it so far: the script's last, if it stays so.
        Boot: int option
        /// The first line between the kernel line and the final boot that matchbox does not write there.
        Stray: (int * string) option
    }

/// Where the reading is: what has been seen so far.
type private State =
    | Header
    | Kernel
    | After of Body

/// Keeps the earlier of two stray lines.
let private stray (body: Body) (number: int) (line: string) =
    match body.Stray with
    | Some(earlier, _) when earlier <= number -> body
    | _ -> { body with Stray = Some(number, line) }

/// Reads a non-blank line after the kernel line; nothing here fails at once, since whether the script
/// is matchbox's frame around an arg's own lines is known only at its end.
let private afterKernel (body: Body) (number: int) (line: string) (tokens: string list) =
    // A boot followed by more was not the last line: it came from a profile's string.
    let body =
        match body.Boot with
        | Some boot -> { stray body boot "boot" with Boot = None }
        | None -> body
    match tokens with
    | [ "boot" ] -> { body with Boot = Some number }
    | "initrd" :: images ->
        let found =
            if line.EndsWith ' ' then
                // v0.6.1 and older: every element on this one line, each followed by a space.
                takeImages images body.Initrds
            else
                match IpxeImage.take "initrd image" images with
                | Ok(reference, []) -> Ok(reference :: body.Initrds)
                | Ok _ -> Error "names more than one image"
                | Error reason -> Error reason
        match found with
        | Error _ -> stray body number line
        | Ok initrds ->
            let body =
                { body with
                    Initrds = initrds
                    InitrdLines = body.InitrdLines + 1
                    FirstInitrdLine = (if body.InitrdLines = 0 then number else body.FirstInitrdLine)
                    OneLineStyle = body.OneLineStyle || line.EndsWith ' ' }
            // v0.6.1 writes exactly one initrd line: with another, the first came from an arg.
            if body.OneLineStyle && body.InitrdLines > 1 then stray body body.FirstInitrdLine "initrd" else body
    | _ -> stray body number line

/// Reads one line (numbered from 1, without its line end) in the given state.
let private step (source: string) (state: State) (number: int) (line: string) =
    let reject reason =
        Error(BootError.Lookup(IpxeScriptRejected(source, number, reason)))
    let tokens = tokensOf line
    let command =
        match tokens with
        | first :: _ -> first
        | [] -> ""
    match state with
    | Header when line = "#!ipxe" -> Ok Kernel
    | Header when line.Length = 0 -> reject "is empty where '#!ipxe' should be: the answer is not an iPXE script"
    | Header -> reject $"is '{shown line}', not '#!ipxe': the answer is not an iPXE script"
    | Kernel when command = "kernel" ->
        IpxeImage.take "kernel reference" (List.tail tokens)
        |> Result.mapError (fun reason -> BootError.Lookup(IpxeScriptRejected(source, number, reason)))
        |> Result.bind (fun (kernel, args) ->
            let args = regroup args
            // The same bounds and characters as a profile from gRPC.
            Profile.checkProfileArgs args
            |> Result.map (fun () ->
                After
                    { KernelLine = number
                      Kernel = kernel
                      Args = args
                      Initrds = []
                      InitrdLines = 0
                      FirstInitrdLine = 0
                      OneLineStyle = false
                      Boot = None
                      Stray = None }))
    | Kernel when command = "initrd" -> reject "is an initrd line before the kernel line"
    | Kernel when command = "boot" -> reject "is 'boot', but no kernel line came before it"
    | Kernel when isBlank line -> reject "is blank; matchbox writes no blank line before 'boot'"
    | Kernel ->
        reject $"is '{shown line}', which xenmatchbox does not run (matchbox writes only kernel, initrd and boot)"
    | After body when isBlank line -> Ok(After(if body.Boot.IsSome then body else stray body number line))
    | After body -> Ok(After(afterKernel body number line tokens))

/// The lines of the script, lazily: a huge body is never split whole. Each is its start, its length
/// without the LF, and whether a CR stands before that LF. A final LF ends the last line and starts none.
let private lines (script: string) =
    seq {
        let mutable start = 0
        while start < script.Length do
            let lf = script.IndexOf('\n', start)
            let stop = if lf < 0 then script.Length else lf
            yield start, stop - start, (lf >= 0 && stop > start && script.[stop - 1] = '\r')
            start <- stop + 1
    }

/// The line at start (length chars), checked against the bounds and read in the state. The kernel
/// line is not held to MaxLineBytes: its args are held to the profile limits instead, as over gRPC.
let private checkedStep (source: string) (script: string) (state: State) (number: int) (start: int, length: int) =
    if number > MaxLines then
        Error(
            BootError.Lookup(
                IpxeScriptRejected(source, number, $"is beyond the {MaxLines} lines xenmatchbox reads of a script")
            )
        )
    else
        let bytes = Encoding.UTF8.GetByteCount(script.AsSpan(start, length))
        let kernelLine = state = Kernel && script.AsSpan(start, length).TrimStart(' ').StartsWith("kernel ")
        if bytes > MaxLineBytes && not kernelLine then
            Error(
                BootError.Lookup(
                    IpxeScriptRejected(
                        source,
                        number,
                        $"is {bytes} bytes long, over the {MaxLineBytes} bytes xenmatchbox reads of a line"
                    )
                )
            )
        else
            step source state number (script.Substring(start, length))

/// An arg's line break, found: the kernel line goes on at the stray line.
let private argNewline (body: Body) (number: int) (line: string) =
    Plan(
        ArgsControlCharacter(
            $"an arg of the profile (the /ipxe script's kernel line, line {body.KernelLine}, runs on into line {number}, '{shown line}')",
            "a newline (U+000A)"
        )
    )

let parse (source: string) (script: string) =
    // Stops at the first error: the rest of a rejected script is not even looked at.
    let mutable result = Ok Header
    let mutable count = 0
    // CR LF line ends are the script's if its first line has one (a proxy's doing): then one CR
    // before each LF is dropped. In an LF script a CR is the line's own, as in an arg "x\r".
    let mutable crlf = false
    let mutable lastNonBlank = (0, "")
    use spans = (lines script).GetEnumerator()
    let mutable reading = true
    while reading && spans.MoveNext() do
        count <- count + 1
        let start, length, cr = spans.Current
        if count = 1 then crlf <- cr
        let length = if crlf && cr then length - 1 else length
        match result with
        | Ok state ->
            result <- checkedStep source script state count (start, length)
            if result.IsOk && not (isBlank (script.Substring(start, min length 200))) then
                lastNonBlank <- (count, script.Substring(start, min length 200))
        | Error _ -> ()
        reading <- Result.isOk result
    match result with
    | Error error -> Error error
    | Ok(After({ Boot = Some _ } as body)) ->
        match body.Stray with
        | Some(number, line) -> Error(argNewline body number line)
        | None ->
            Ok(
                { Id = source; Kernel = body.Kernel; Initrds = List.rev body.Initrds; Args = body.Args }
                : Profile.UnvalidatedProfile
            )
    | Ok Header ->
        Error(
            BootError.Lookup(
                IpxeScriptRejected(source, 1, "is empty where '#!ipxe' should be: the answer is not an iPXE script")
            )
        )
    | Ok Kernel ->
        Error(BootError.Lookup(IpxeScriptRejected(source, count, "ends the script without a kernel line or 'boot'")))
    | Ok(After body) ->
        match lastNonBlank with
        | number, _ when number = body.KernelLine ->
            Error(BootError.Lookup(IpxeScriptRejected(source, number, "ends the script without 'boot'")))
        | number, line ->
            Error(
                BootError.Lookup(
                    IpxeScriptRejected(
                        source,
                        number,
                        $"is '{shown line}', the script's last line, but matchbox ends its scripts with 'boot'"
                    )
                )
            )

/// The offset of the first byte of the answer that does not belong to well-formed UTF-8, if any.
let private firstInvalidUtf8 (answer: byte array) =
    if Unicode.Utf8.IsValid(ReadOnlySpan answer) then
        None
    else
        let mutable at = 0
        let mutable found = None
        while found.IsNone && at < answer.Length do
            let mutable rune = Rune()
            let mutable consumed = 0
            match Rune.DecodeFromUtf8(ReadOnlySpan(answer, at, answer.Length - at), &rune, &consumed) with
            | Buffers.OperationStatus.Done -> at <- at + consumed
            | _ -> found <- Some at
        found

let read (source: string) (answer: byte array) =
    match firstInvalidUtf8 answer with
    | Some at ->
        let lineStart = if at = 0 then 0 else Array.LastIndexOf(answer, 10uy, at - 1) + 1
        let line = 1 + (answer |> Seq.take lineStart |> Seq.filter (fun b -> b = 10uy) |> Seq.length)
        Error(
            BootError.Lookup(
                IpxeScriptRejected(
                    source,
                    line,
                    $"holds a byte that is not UTF-8 (0x{answer.[at]:X2}, byte {at - lineStart + 1} of the line): matchbox writes its scripts in UTF-8, so the answer is not matchbox's"
                )
            )
        )
    | None -> parse source (Encoding.UTF8.GetString answer)

let isScript status = status = 200

let statusError (endpoint: string) (labels: Labels) (status: int) (location: string option) (body: string) =
    match location with
    | _ when status = 404 -> BootError.Lookup(NoMatchingGroup(Labels.display labels))
    | Some location when Transfer.isRedirect status && location.Length > 0 ->
        Transfer.lookupRedirect endpoint status location
    | _ ->
        let firstLine = body.Split('\n', 2).[0].TrimEnd '\r'
        let cut = Text.shown 200 firstLine
        BootError.Lookup(
            LookupFailed(
                Endpoint.Ipxe endpoint,
                LookupStatus.Http status,
                (if String.IsNullOrWhiteSpace cut then "(no body)" else cut)
            )
        )
