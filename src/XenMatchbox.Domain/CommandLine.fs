module XenMatchbox.Domain.CommandLine

open System
open System.Diagnostics.CodeAnalysis
open Argu
open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output

type BootloaderArgument =
    | [<EqualsAssignmentOrSpaced; Unique>] Kernel of path: string
    | [<EqualsAssignmentOrSpaced; Unique>] Ramdisk of path: string
    | [<EqualsAssignmentOrSpaced; Unique>] Args of cmdline: string
    | [<EqualsAssignmentOrSpaced; Unique>] Runas of uid: string
    | [<Unique>] Quiet
    | [<EqualsAssignmentOrSpaced; Unique>] Output of path: string
    | [<EqualsAssignmentOrSpaced; Unique>] Output_Format of format: string
    | [<EqualsAssignmentOrSpaced; Unique>] Output_Directory of path: string
    | [<EqualsAssignmentOrSpaced; Unique>] Server of host: string
    | [<EqualsAssignmentOrSpaced; Unique>] Httpport of port: string
    | [<EqualsAssignmentOrSpaced; Unique>] Grpcport of port: string
    | [<EqualsAssignmentOrSpaced; Unique; AltCommandLine("--ca-file")>] Ca of path: string
    | [<EqualsAssignmentOrSpaced; Unique; AltCommandLine("--cert-file")>] Cert of path: string
    | [<EqualsAssignmentOrSpaced; Unique; AltCommandLine("--key-file")>] Key of path: string
    | [<EqualsAssignmentOrSpaced>] Lookup of label: string
    | [<EqualsAssignmentOrSpaced; Unique>] Timeout of seconds: string
    | [<EqualsAssignmentOrSpaced; Unique>] Connect_Timeout of seconds: string
    | [<EqualsAssignmentOrSpaced; Unique>] Read_Timeout of seconds: string
    | [<EqualsAssignmentOrSpaced; Unique>] Max_Kernel_Size of size: string
    | [<EqualsAssignmentOrSpaced; Unique>] Max_Ramdisk_Size of size: string
    | [<EqualsAssignmentOrSpaced; Unique>] Cache_Dir of path: string
    | [<EqualsAssignmentOrSpaced; Unique>] Cache_Size of size: string
    | [<Unique>] No_Cache
    | [<MainCommand; ExactlyOnce; Last>] Disk of path: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Kernel _ -> "from libxl (the config's kernel=); accepted and not used: the profile names the kernel."
            | Ramdisk _ -> "from libxl (the config's ramdisk=); accepted and not used: the profile names the initrds."
            | Args _ -> "from libxl (the config's cmdline/extra); appended to the profile's args."
            | Runas _ -> "from libxl's restricted mode: the uid to run as."
            | Quiet -> "from libxl's restricted mode: print nothing but errors."
            | Output _ -> "from libxl: the pre-created file to write the result to (default: standard output)."
            | Output_Format _ -> "from libxl: simple0 (what libxl reads), simple or sxp (default: simple0)."
            | Output_Directory _ -> "from libxl: where to write the kernel and ramdisk."
            | Server _ -> "matchbox host name or IP address (required)."
            | Httpport _ -> "matchbox HTTP port, for /assets/... (default: 8080)."
            | Grpcport _ -> "matchbox gRPC port (default: 8081)."
            | Ca _ -> "PEM file of the CA that signed matchbox's server certificate; the only CA trusted for gRPC."
            | Cert _ -> "PEM client certificate for matchbox's gRPC API."
            | Key _ -> "PEM private key of the client certificate."
            | Lookup _ -> "a label to select the profile by, key=value (repeatable, at least one), e.g. mac=52:54:00:aa:bb:cc."
            | Timeout _ -> "seconds the whole boot may take, 0 for no limit (default: 110, and 10 under LIBXL_BOOTLOADER_TIMEOUT when set)."
            | Connect_Timeout _ -> "seconds to connect to a server, TLS included (default: 10)."
            | Read_Timeout _ -> "seconds to wait for the next bytes of an answer (default: 30)."
            | Max_Kernel_Size _ -> "largest kernel accepted, e.g. 256M (default: 128M)."
            | Max_Ramdisk_Size _ -> "largest ramdisk (all initrds together) accepted (default: 1G, Xen's own limit)."
            | Cache_Dir _ -> $"directory of the shared asset cache, revalidated on every boot (default: {Cache.DefaultDirectory})."
            | Cache_Size _ -> "largest the cache may grow; least recently used assets go first (default: 4G)."
            | No_Cache -> "download every asset afresh and keep no copy."
            | Disk _ -> "the boot disk libxl passes last; not read."

type ServerSettings =
    { Host: string
      HttpPort: int
      GrpcPort: int
      CaFile: string
      CertFile: string
      KeyFile: string }

type BootLimits =
    { DeadlineSeconds: int option
      ConnectSeconds: int
      ReadSeconds: int
      MaxKernelBytes: int64
      MaxRamdiskBytes: int64 }

type Settings =
    { Server: ServerSettings
      Labels: Labels
      ConfigArgs: string option
      RunAs: int option
      Quiet: bool
      Limits: BootLimits
      Cache: CacheSettings option
      Output: string option
      OutputFormat: OutputFormat
      OutputDirectory: string
      Disk: string }

type Invocation =
    | ShowHelp of text: string
    | Boot of Settings

let private xlExample =
    """
EXAMPLE (domU config for xl create):

    type = "pv"                      # or "pvh"
    bootloader = "/usr/local/bin/xenmatchbox"
    bootloader_args = [ "--server", "matchbox.example.com",
                        "--ca", "/etc/matchbox/ca.crt",
                        "--cert", "/etc/matchbox/client.crt",
                        "--key", "/etc/matchbox/client.key",
                        "--lookup", "mac=52:54:00:aa:bb:cc" ]
    vif = [ "mac=52:54:00:aa:bb:cc,bridge=xenbr0" ]
    disk = [ "format=raw,vdev=xvda,target=/dev/vg0/guest" ]   # xl requires a disk

libxl runs xenmatchbox with its own flags, then bootloader_args, then the disk. xenmatchbox asks
matchbox (gRPC, mutual TLS) for the profile matching the labels, downloads its kernel and initrds
into --output-directory, expands ${label} and {{ .label }} in the profile's args and writes
kernel/ramdisk/args to --output for libxl. Errors are one line: xenmatchbox: XMB-nnn: cause — fix.
"""

[<DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof<BootloaderArgument>)>]
let private createParser () =
    ArgumentParser.Create<BootloaderArgument>(programName = "xenmatchbox", checkStructure = false)

/// The --help text: every flag and an example domU config.
let private usageOf (parser: ArgumentParser<BootloaderArgument>) = parser.PrintUsage() + xlExample

let private parsePort flag (value: string option) fallback =
    match value with
    | None -> Ok fallback
    | Some text ->
        match Int32.TryParse(text, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, port when port >= 1 && port <= 65535 -> Ok port
        | _ -> Error(InvalidPort(flag, text))

let private parseHost (value: string option) =
    match value with
    | None -> Error MissingServer
    | Some host when host.Length = 0 -> Error(InvalidServer(host, "it is empty"))
    | Some host when host.Contains "://" -> Error(InvalidServer(host, "it is a URL, not a host"))
    | Some host when host.IndexOfAny [| '/'; ' '; '?'; '#'; '@' |] >= 0 -> Error(InvalidServer(host, "it is not a host name"))
    | Some host when host.StartsWith "[" && host.EndsWith "]" -> Ok(host.Trim('[', ']'))
    | Some host when host.Contains ':' && Uri.CheckHostName host <> UriHostNameType.IPv6 ->
        Error(InvalidServer(host, "it carries a port"))
    | Some host when Uri.CheckHostName host = UriHostNameType.Unknown -> Error(InvalidServer(host, "it is not a host name"))
    | Some host -> Ok host

let private tlsFiles (results: ParseResults<BootloaderArgument>) =
    let ca, cert, key = results.TryGetResult Ca, results.TryGetResult Cert, results.TryGetResult Key
    match ca, cert, key with
    | Some ca, Some cert, Some key -> Ok(ca, cert, key)
    | _ ->
        [ "--ca", ca; "--cert", cert; "--key", key ]
        |> List.filter (snd >> Option.isNone)
        |> List.map fst
        |> MissingTlsFlags
        |> Error

/// Sequences validations that each may fail; the first error wins.
type private ResultBuilder() =
    member _.Bind(r: Result<'a, BootError>, f: 'a -> Result<'b, BootError>) = Result.bind f r
    member _.Return(x: 'a) : Result<'a, BootError> = Ok x
    member _.ReturnFrom(r: Result<'a, BootError>) = r

let private validated = ResultBuilder()

let private required value error =
    match value with
    | Some v -> Ok v
    | None -> Error error

/// libxl passes the uid in decimal; root would defeat the point of restricted mode.
let private parseRunAs (value: string option) =
    match value with
    | None -> Ok None
    | Some text ->
        match Int32.TryParse(text, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, 0 -> Error(InvalidRunAs(text, "uid 0 is root, and restricted mode means not running as root"))
        | true, uid -> Ok(Some uid)
        | _ -> Error(InvalidRunAs(text, "it is not a numeric uid"))

let private seconds flag (value: string option) fallback =
    match value with
    | None -> Ok fallback
    | Some text ->
        Limits.parseSeconds flag text
        |> Result.bind (function
            | Some s -> Ok s
            | None -> Error(InvalidDuration(flag, text)))

let private size flag (value: string option) fallback =
    match value with
    | None -> Ok fallback
    | Some text -> Limits.parseSize flag text

let private limits environment (results: ParseResults<BootloaderArgument>) =
    validated {
        let! deadline = Limits.deadline (results.TryGetResult Timeout) (environment "LIBXL_BOOTLOADER_TIMEOUT")
        let! connect = seconds "--connect-timeout" (results.TryGetResult Connect_Timeout) Limits.DefaultConnectSeconds
        let! read = seconds "--read-timeout" (results.TryGetResult Read_Timeout) Limits.DefaultReadSeconds
        let! kernel = size "--max-kernel-size" (results.TryGetResult Max_Kernel_Size) Limits.DefaultMaxKernelBytes
        let! ramdisk = size "--max-ramdisk-size" (results.TryGetResult Max_Ramdisk_Size) Limits.DefaultMaxRamdiskBytes
        return
            { DeadlineSeconds = deadline
              ConnectSeconds = connect
              ReadSeconds = read
              MaxKernelBytes = kernel
              MaxRamdiskBytes = ramdisk }
    }

let private cache (results: ParseResults<BootloaderArgument>) =
    match results.Contains No_Cache, results.TryGetResult Cache_Dir with
    | true, Some _ -> Error(CommandLineRejected "--no-cache and --cache-dir contradict each other; keep one")
    | true, None -> Ok None
    | false, Some dir when not (dir.StartsWith "/") ->
        Error(CommandLineRejected $"--cache-dir '{dir}' is not an absolute path; libxl's working directory is not ours")
    | false, dir ->
        size "--cache-size" (results.TryGetResult Cache_Size) DefaultMaxBytes
        |> Result.map (fun bytes ->
            Some
                { Directory = defaultArg dir DefaultDirectory
                  MaxBytes = bytes })

let private settings environment (results: ParseResults<BootloaderArgument>) =
    validated {
        let! runAs = parseRunAs (results.TryGetResult Runas)
        let! host = parseHost (results.TryGetResult Server)
        let! httpPort = parsePort "--httpport" (results.TryGetResult Httpport) 8080
        let! grpcPort = parsePort "--grpcport" (results.TryGetResult Grpcport) 8081
        let! labels = Labels.fromLookups (results.GetResults Lookup)
        let! format = parseFormat (results.GetResult(Output_Format, defaultValue = "simple0"))
        let! directory = required (results.TryGetResult Output_Directory) MissingOutputDirectory
        let! ca, cert, key = tlsFiles results
        let! bounds = limits environment results
        let! cache = cache results
        return
            { Server =
                { Host = host
                  HttpPort = httpPort
                  GrpcPort = grpcPort
                  CaFile = ca
                  CertFile = cert
                  KeyFile = key }
              Labels = labels
              ConfigArgs = results.TryGetResult Args |> Option.filter (fun a -> a.Length > 0)
              RunAs = runAs
              Quiet = results.Contains Quiet
              Limits = bounds
              Cache = cache
              Output = results.TryGetResult Output |> Option.filter (fun o -> o <> "-")
              OutputFormat = format
              OutputDirectory = directory
              Disk = results.GetResult Disk }
    }

/// Argu's message starts with "ERROR: " and ends with the whole usage; one line is kept.
let private firstLine (message: string) =
    let line = message.Split('\n').[0].Trim()
    let line = if line.StartsWith "ERROR: " then line.Substring 7 else line
    line.Replace("parameter '<path>'", "the disk path (libxl passes it last)")

/// Argu would take an unknown "--flag" for the disk (its positional argument) and then blame the
/// real disk, and it cannot read an empty "--flag=" value. Argu never takes a value that starts
/// with "--", so every such token is a flag: unknown ones are named here, and "--flag=" becomes
/// "--flag" "" (libxl passes --args only when non-empty, but a hand-written config may not).
let private prescan (parser: ArgumentParser<BootloaderArgument>) (argv: string array) =
    let known =
        parser.GetArgumentCases()
        |> Seq.collect (fun case -> case.CommandLineNames.Value)
        |> Set.ofSeq
        |> Set.add "--help"
    let rewrite (token: string) =
        if not (token.StartsWith "--") then
            Ok [ token ]
        else
            let name = match token.IndexOf '=' with -1 -> token | at -> token.Substring(0, at)
            if not (known.Contains name) then
                Error(CommandLineRejected $"unknown flag '{name}'")
            elif token.Length = name.Length + 1 then
                Ok [ name; "" ]
            else
                Ok [ token ]
    let folder state token =
        state |> Result.bind (fun tokens -> rewrite token |> Result.map (fun more -> List.rev more @ tokens))
    argv |> Array.fold folder (Ok []) |> Result.map (List.rev >> Array.ofList)

let parse environment (argv: string array) =
    let parser = createParser ()
    try
        prescan parser argv
        |> Result.bind (fun tokens -> parser.Parse(tokens, raiseOnUsage = true) |> settings environment)
        |> Result.map Boot
    with :? ArguParseException as e ->
        match e.ErrorCode with
        | ErrorCode.HelpText -> Ok(ShowHelp(usageOf parser))
        | _ -> Error(CommandLineRejected(firstLine e.Message))
