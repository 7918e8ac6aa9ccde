module XenMatchbox.Domain.Profile

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels

[<Literal>]
let MaxCommandLineBytes = 1023

type UnvalidatedProfile = { Id: string; Kernel: string; Initrds: string list; Args: string list }

[<Sealed>]
type AssetUrl(value: string) =
    let uri = Uri value
    let userInfo = uri.UserInfo
    // The URL without its user information: what goes on the request line.
    let request =
        if userInfo = "" then
            value
        else
            value.Remove(value.IndexOf("://", StringComparison.Ordinal) + 3, userInfo.Length + 1)
    let schemeEnd = request.IndexOf("://", StringComparison.Ordinal) + 3
    member _.Value = value
    member _.Request = request
    member _.Shown = if userInfo = "" then value else request.Insert(schemeEnd, "***@")
    member _.Credentials =
        if userInfo = "" then
            None
        else
            let user, password =
                match userInfo.IndexOf ':' with
                | -1 -> userInfo, ""
                | at -> userInfo.Substring(0, at), userInfo.Substring(at + 1)
            Some(Uri.UnescapeDataString user, Uri.UnescapeDataString password)

type HttpBase = { Host: string; Port: int; Secure: bool }

type BootPlan =
    { ProfileId: string
      Kernel: AssetUrl
      Initrds: AssetUrl list
      KernelPath: string
      RamdiskPath: string option
      CommandLine: string option }

/// Drops leading iPXE options; the reference must be the last token.
let private dropOptions (tokens: string list) =
    IpxeImage.take "URL" tokens
    |> Result.bind (fun (reference, rest) ->
        if List.isEmpty rest then Ok reference else Error $"has '{Text.shown 60 (List.head rest)}' after the URL")

let hostForUrl (host: string) =
    if host.Contains ':' && not (host.StartsWith "[") then $"[{host}]" else host

/// GRUB's device syntax, "(http;host:port)/path" or "(https,host)/path", as a URL text.
let private grubDevice (reference: string) =
    let close = reference.IndexOf ')'
    if not (reference.StartsWith "(") || close < 0 then
        None
    else
        let device = reference.Substring(1, close - 1)
        let protocol, server =
            match device.IndexOfAny [| ';'; ',' |] with
            | -1 -> device, ""
            | at -> device.Substring(0, at), device.Substring(at + 1)
        Some $"{protocol}://{server}{reference.Substring(close + 1)}"

let private fetchable (uri: Uri) =
    if uri.Scheme <> "http" && uri.Scheme <> "https" then
        Error $"uses the {uri.Scheme}: scheme; only http and https are fetched"
    elif uri.Host.Length = 0 then
        Error "has no host"
    else
        Ok uri

let private absolute (text: string) =
    match Uri.TryCreate(text, UriKind.Absolute) with
    | true, NonNull uri -> fetchable uri
    | _ -> Error "is not a valid URL"

let resolveAsset (httpBase: HttpBase) (profileId: string) (reference: string) =
    let tokens = reference.Split([| ' '; '\t' |], StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
    let resolved =
        dropOptions tokens
        |> Result.bind (fun target ->
            if Seq.exists Char.IsControl target then
                Error "contains a control character"
            else
                match grubDevice target with
                | Some url -> absolute url
                | None when target.Contains "://" -> absolute target
                | None ->
                    let scheme = if httpBase.Secure then "https" else "http"
                    let root = Uri($"{scheme}://{hostForUrl httpBase.Host}:{httpBase.Port}/")
                    match Uri.TryCreate(root, target) with
                    | true, NonNull uri -> fetchable uri
                    | _ -> Error "cannot be resolved against the matchbox HTTP address")
    match resolved with
    | Ok uri -> Ok(AssetUrl uri.AbsoluteUri)
    | Error reason -> Error(Plan(InvalidAssetReference(profileId, reference, reason)))

let private describeControl (c: char) =
    match c with
    | '\000' -> "a NUL byte (U+0000)"
    | '\n' -> "a newline (U+000A)"
    | '\r' -> "a carriage return (U+000D)"
    | '\t' -> "a tab (U+0009)"
    | c -> $"the control character U+{int c:X4}"

/// NUL ends a simple0 item, LF a simple one, and no control character belongs on a kernel command
/// line: refused wherever it comes from, with the exact character named.
let private noControlCharacters (source: string) (text: string) =
    match text |> Seq.tryFind Char.IsControl with
    | Some c -> Error(Plan(ArgsControlCharacter(source, describeControl c)))
    | None -> Ok()

let argWords (args: string list) =
    args |> List.collect (fun arg -> arg.Split(' ', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray)

let bootArgs (args: string list) =
    args |> List.filter (fun arg -> arg |> Seq.exists (fun c -> c <> ' '))

let checkProfileArgs (args: string list) =
    let words = argWords args
    let bytes = words |> List.sumBy Text.Encoding.UTF8.GetByteCount
    if List.length words > Limits.MaxProfileArgs || bytes > Limits.MaxProfileArgsBytes then
        Error(Plan(ProfileArgsTooLarge(List.length words, bytes)))
    else
        args
        |> List.mapi (fun i arg -> noControlCharacters $"the profile's arg {i + 1} ('{Text.shown 40 arg}')" arg)
        |> List.tryPick (function
            | Error e -> Some e
            | Ok() -> None)
        |> Option.map Error
        |> Option.defaultValue (Ok())

let private commandLine labels (configArgs: string option) (profileArgs: string list) =
    checkProfileArgs profileArgs
    |> Result.bind (fun () ->
        noControlCharacters "libxl's --args (the config's extra/cmdline)" (defaultArg configArgs ""))
    |> Result.bind (fun () -> Template.expandArgs labels (bootArgs profileArgs))
    |> Result.bind (fun expanded ->
        let parts = [ expanded; defaultArg configArgs "" ] |> List.filter (fun s -> s.Length > 0)
        let line = String.concat " " parts
        let bytes = Text.Encoding.UTF8.GetByteCount line
        if bytes > MaxCommandLineBytes then Error(Plan(ArgsTooLong(bytes, MaxCommandLineBytes)))
        elif line.Length = 0 then Ok None
        else Ok(Some line))

let create httpBase (outputDirectory: string) labels configArgs (profile: UnvalidatedProfile) =
    let directory = outputDirectory.TrimEnd '/'
    let directory = if directory.Length = 0 then "/" else directory + "/"
    if String.IsNullOrWhiteSpace profile.Kernel then
        Error(Plan(ProfileWithoutKernel profile.Id))
    else
        resolveAsset httpBase profile.Id profile.Kernel
        |> Result.bind (fun kernel ->
            Text.traverse (resolveAsset httpBase profile.Id) profile.Initrds
            |> Result.bind (fun initrds ->
                commandLine labels configArgs profile.Args
                |> Result.map (fun line ->
                    { ProfileId = profile.Id
                      Kernel = kernel
                      Initrds = initrds
                      KernelPath = directory + "kernel"
                      RamdiskPath = if List.isEmpty initrds then None else Some(directory + "ramdisk")
                      CommandLine = line })))
