module internal XenMatchbox.Domain.Limits

open System
open System.Globalization
open XenMatchbox.Domain.Errors

[<Literal>]
let DefaultMaxKernelBytes = 134217728L

[<Literal>]
let DefaultMaxRamdiskBytes = 1073741824L

[<Literal>]
let DefaultDeadlineSeconds = 110

[<Literal>]
let LibxlMarginSeconds = 10

[<Literal>]
let DefaultConnectSeconds = 10

[<Literal>]
let DefaultReadSeconds = 30

[<Literal>]
let MaxProfileArgs = 1024

[<Literal>]
let MaxTimeoutSeconds = 2147483

[<Literal>]
let MaxProfileArgsBytes = 65536

[<Literal>]
let MaxGrpcAnswerBytes = 1048576

[<Literal>]
let MaxErrorBodyBytes = 4096

[<Literal>]
let MaxTlsFileBytes = 1048576

[<Literal>]
let MaxRootAnswerBytes = 4096

[<Literal>]
let MaxCacheFileBytes = 1048576

[<Literal>]
let FirstBytesKept = 64

[<Literal>]
let JanitorWaitSeconds = 5

[<Literal>]
let ReapWaitSeconds = 1

[<Literal>]
let AheadHashingNice = 10

[<Literal>]
let ProgressRedrawsPerSecond = 10

[<Literal>]
let DefaultLookupMaxAgeSeconds = 300

[<Literal>]
let MinLookupMaxAgeSeconds = 1

[<Literal>]
let MaxLookupMaxAgeSeconds = 86400

let private wholeNumber (text: string) =
    match Int64.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
    | true, n -> Some n
    | _ -> None

let parseSize flag (text: string) =
    let trimmed = text.Trim()
    let upper = trimmed.ToUpperInvariant()
    let upper =
        if upper.EndsWith "IB" then upper.Substring(0, upper.Length - 2)
        elif upper.EndsWith "B" then upper.Substring(0, upper.Length - 1)
        else upper
    let digits, shift =
        match if upper.Length > 0 then upper.[upper.Length - 1] else ' ' with
        | 'K' -> upper.Substring(0, upper.Length - 1), 10
        | 'M' -> upper.Substring(0, upper.Length - 1), 20
        | 'G' -> upper.Substring(0, upper.Length - 1), 30
        | _ -> upper, 0
    match wholeNumber digits with
    | Some n when n > 0L && n <= (Int64.MaxValue >>> shift) -> Ok(n <<< shift)
    | _ -> Error(CommandLine(InvalidSize(flag, text)))

let parseSeconds source (text: string) =
    match wholeNumber text with
    | Some 0L -> Ok None
    | Some n when n <= int64 MaxTimeoutSeconds -> Ok(Some(int n))
    | _ -> Error(CommandLine(InvalidDuration(source, text)))

let parseMaxAge source (text: string) =
    match wholeNumber text with
    | Some n when n >= int64 MinLookupMaxAgeSeconds && n <= int64 MaxLookupMaxAgeSeconds -> Ok(int n)
    | _ -> Error(CommandLine(InvalidMaxAge(source, text, MinLookupMaxAgeSeconds, MaxLookupMaxAgeSeconds)))

let checkAnswerTime (connectSource: string) connectSeconds (readSource: string) readSeconds =
    let sum = int64 connectSeconds + int64 readSeconds
    if sum > int64 MaxTimeoutSeconds then
        Error(CommandLine(InvalidDuration($"{connectSource} plus {readSource}", string sum)))
    else
        Ok readSeconds

type TryTime = { ConnectMilliseconds: int; AnswerMilliseconds: int; ShareMilliseconds: int option }

let tryTime (connectSeconds: int) (readSeconds: int) (shareMilliseconds: int64 option) =
    let share = shareMilliseconds |> Option.map (fun s -> int (max 1L (min s (int64 Int32.MaxValue))))
    let bounded (flags: int64) =
        let flags = int (max 1L (min flags (int64 Int32.MaxValue)))
        match share with
        | Some s -> min s flags
        | None -> flags
    { ConnectMilliseconds = bounded (int64 connectSeconds * 1000L)
      AnswerMilliseconds = bounded ((int64 connectSeconds + int64 readSeconds) * 1000L)
      ShareMilliseconds = share }

let requestTime (connectSeconds: int) (readSeconds: int) =
    let bounded (seconds: int) =
        int (max 1L (min (int64 seconds * 1000L) (int64 Int32.MaxValue)))
    { ConnectMilliseconds = bounded connectSeconds
      AnswerMilliseconds = bounded readSeconds
      ShareMilliseconds = None }

let within (time: TryTime) (milliseconds: int) =
    let seconds =
        if milliseconds % 1000 = 0 then $"{milliseconds / 1000} s"
        elif milliseconds < 1000 then $"{milliseconds} ms"
        else (float milliseconds / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) + " s"
    match time.ShareMilliseconds with
    | Some share when share = milliseconds -> $"{seconds}, this server's share of the time left before the deadline"
    | _ -> seconds

let deadline timeoutSource timeoutFlag libxlTimeout =
    let parsed source value =
        match value with
        | None -> Ok None
        | Some text -> parseSeconds source text |> Result.map Some
    match parsed timeoutSource timeoutFlag, parsed "LIBXL_BOOTLOADER_TIMEOUT" libxlTimeout with
    | Error e, _
    | _, Error e -> Error e
    | Ok flag, Ok libxl ->
        // libxl kills a restricted bootloader at its timeout: finish 10 s before, however short.
        let cap = libxl |> Option.flatten |> Option.map (fun t -> max 1 (t - LibxlMarginSeconds))
        let wanted =
            match flag, libxl with
            | Some given, _ -> given
            | None, Some _ -> None // libxl's own timeout decides (through the cap), or there is none
            | None, None -> Some DefaultDeadlineSeconds
        match wanted, cap with
        | Some w, Some c -> Ok(Some(min w c))
        | None, Some c -> Ok(Some c)
        | w, None -> Ok w
