module XenMatchbox.Domain.CommandLine

open System
open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output

/// One flag: its names, the placeholder of its value (None: a switch), whether it may repeat, who
/// passes it, and its line in --help.
type private Flag =
    { Name: string
      Aliases: string list
      Value: string option
      Repeatable: bool
      FromLibxl: bool
      Usage: string }

let private flag name value usage =
    { Name = name; Aliases = []; Value = Some value; Repeatable = false; FromLibxl = false; Usage = usage }

let private libxl name value usage = { flag name value usage with FromLibxl = true }

/// Every flag, in --help's order. A table, not reflection: parsing costs microseconds at start-up.
let private flags =
    [ libxl "--kernel" "path" "the config's kernel=; accepted and not used: the profile names the kernel."
      libxl "--ramdisk" "path" "the config's ramdisk=; accepted and not used: the profile names the initrds."
      libxl "--args" "cmdline" "the config's cmdline/extra; appended to the profile's args."
      libxl "--runas" "uid" "restricted mode: the uid to run as."
      { libxl "--quiet" "" "restricted mode: print nothing but errors." with Value = None }
      libxl "--output" "path" "the pre-created file to write the result to (default: standard output)."
      libxl "--output-format" "format" "simple0 (what libxl reads), simple or sxp (default: simple0)."
      libxl "--output-directory" "path" "where to write the kernel and ramdisk."
      flag "--server" "host" "matchbox host name or IP address (required)."
      flag "--httpport" "port" "matchbox HTTP port, for /assets/... (default: 8080)."
      flag "--grpcport" "port" "matchbox gRPC port (default: 8081)."
      { flag "--ca" "path" "PEM file of the CA that signed matchbox's server certificate; the only CA trusted for gRPC." with
          Aliases = [ "--ca-file" ] }
      { flag "--cert" "path" "PEM client certificate for matchbox's gRPC API." with Aliases = [ "--cert-file" ] }
      { flag "--key" "path" "PEM private key of the client certificate." with Aliases = [ "--key-file" ] }
      { flag "--lookup" "label" "a label to select the profile by, key=value (repeatable, at least one), e.g. mac=52:54:00:aa:bb:cc." with
          Repeatable = true }
      flag "--timeout" "seconds" "seconds the whole boot may take, 0 for no limit (default: 110, and 10 under LIBXL_BOOTLOADER_TIMEOUT when set)."
      flag "--connect-timeout" "seconds" "seconds to connect to a server, TLS included (default: 10)."
      flag "--read-timeout" "seconds" "seconds to wait for the next bytes of an answer (default: 30)."
      flag "--max-kernel-size" "size" "largest kernel accepted, e.g. 256M (default: 128M)."
      flag "--max-ramdisk-size" "size" "largest ramdisk (all initrds together) accepted (default: 1G, Xen's own limit)."
      flag "--cache-dir" "path" $"directory of the shared asset cache, revalidated on every boot (default: {DefaultDirectory})."
      flag "--cache-size" "size" "largest the cache may grow; least recently used assets go first (default: 4G)."
      { flag "--no-cache" "" "download every asset afresh and keep no copy." with Value = None } ]

let private byName =
    flags |> List.collect (fun f -> (f.Name, f) :: (f.Aliases |> List.map (fun a -> a, f))) |> Map.ofList

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

let private helpText =
    let line (f: Flag) =
        let names = String.Join(", ", f.Name :: f.Aliases)
        let shown = match f.Value with Some v -> $"{names} <{v}>" | None -> names
        $"    {shown,-34} {f.Usage}\n"
    let section title fromLibxl =
        title + "\n" + (flags |> List.filter (fun f -> f.FromLibxl = fromLibxl) |> List.map line |> String.concat "")
    String.concat
        "\n"
        [ "USAGE: xenmatchbox [libxl's flags] [the operator's bootloader_args] <disk>\n"
          section "FLAGS LIBXL PASSES:" true
          section "FLAGS FOR bootloader_args (each as --flag value or --flag=value):" false
          line { flag "<disk>" "" "the boot disk libxl passes last; not read." with Value = None }
          + line { flag "--help" "" "this text." with Aliases = [ "-h" ]; Value = None } ]
    + xlExample

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

/// The flags of one command line, by canonical name, with their values in order; and the disk.
type private Given =
    { Values: Map<string, string list>
      Disk: string }

    member this.All name = this.Values |> Map.tryFind name |> Option.defaultValue []
    member this.One name = this.All name |> List.tryHead
    member this.Has name = this.Values.ContainsKey name

let private tlsFiles (given: Given) =
    let ca, cert, key = given.One "--ca", given.One "--cert", given.One "--key"
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

let private limits environment (given: Given) =
    validated {
        let! deadline = Limits.deadline (given.One "--timeout") (environment "LIBXL_BOOTLOADER_TIMEOUT")
        let! connect = seconds "--connect-timeout" (given.One "--connect-timeout") Limits.DefaultConnectSeconds
        let! read = seconds "--read-timeout" (given.One "--read-timeout") Limits.DefaultReadSeconds
        let! kernel = size "--max-kernel-size" (given.One "--max-kernel-size") Limits.DefaultMaxKernelBytes
        let! ramdisk = size "--max-ramdisk-size" (given.One "--max-ramdisk-size") Limits.DefaultMaxRamdiskBytes
        return
            { DeadlineSeconds = deadline
              ConnectSeconds = connect
              ReadSeconds = read
              MaxKernelBytes = kernel
              MaxRamdiskBytes = ramdisk }
    }

let private cache (given: Given) =
    match given.Has "--no-cache", given.One "--cache-dir" with
    | true, Some _ -> Error(CommandLineRejected "--no-cache and --cache-dir contradict each other; keep one")
    | true, None -> Ok None
    | false, Some dir when not (dir.StartsWith "/") ->
        Error(CommandLineRejected $"--cache-dir '{dir}' is not an absolute path; libxl's working directory is not ours")
    | false, dir ->
        size "--cache-size" (given.One "--cache-size") DefaultMaxBytes
        |> Result.map (fun bytes ->
            Some
                { Directory = defaultArg dir DefaultDirectory
                  MaxBytes = bytes })

let private settings environment (given: Given) =
    validated {
        let! runAs = parseRunAs (given.One "--runas")
        let! host = parseHost (given.One "--server")
        let! httpPort = parsePort "--httpport" (given.One "--httpport") 8080
        let! grpcPort = parsePort "--grpcport" (given.One "--grpcport") 8081
        let! labels = Labels.fromLookups (given.All "--lookup")
        let! format = parseFormat (defaultArg (given.One "--output-format") "simple0")
        let! directory = required (given.One "--output-directory") MissingOutputDirectory
        let! ca, cert, key = tlsFiles given
        let! bounds = limits environment given
        let! cache = cache given
        return
            { Server =
                { Host = host
                  HttpPort = httpPort
                  GrpcPort = grpcPort
                  CaFile = ca
                  CertFile = cert
                  KeyFile = key }
              Labels = labels
              ConfigArgs = given.One "--args" |> Option.filter (fun a -> a.Length > 0)
              RunAs = runAs
              Quiet = given.Has "--quiet"
              Limits = bounds
              Cache = cache
              Output = given.One "--output" |> Option.filter (fun o -> o <> "-")
              OutputFormat = format
              OutputDirectory = directory
              Disk = given.Disk }
    }

let private rejected reason = Error(CommandLineRejected reason)

/// Reads argv against the table: each flag as "--flag value" or "--flag=value" (an empty value
/// allowed, as libxl passes "--args=" for an empty cmdline), switches bare, unknown flags named,
/// one-time flags at most once, and the disk exactly once, last. A value never starts with "--", so
/// a flag missing its value is not silently fed the next flag.
let private scan (argv: string array) =
    let add (flag: Flag) (value: string) (values: Map<string, string list>) =
        match values.TryFind flag.Name with
        | Some _ when not flag.Repeatable -> rejected $"{flag.Name} is given more than once; keep one"
        | previous -> Ok(values.Add(flag.Name, defaultArg previous [] @ [ value ]))
    let rec go i values disks =
        if i >= argv.Length then
            Ok(values, List.rev disks)
        else
            let token = argv[i]
            if token.StartsWith "--" then
                let name, inlineValue =
                    match token.IndexOf '=' with
                    | -1 -> token, None
                    | at -> token.Substring(0, at), Some(token.Substring(at + 1))
                match byName.TryFind name, inlineValue with
                | None, _ -> rejected $"unknown flag '{name}'"
                | Some { Value = None }, Some _ -> rejected $"{name} takes no value"
                | Some({ Value = None } as f), None -> add f "" values |> Result.bind (fun v -> go (i + 1) v disks)
                | Some f, Some value -> add f value values |> Result.bind (fun v -> go (i + 1) v disks)
                | Some f, None when i + 1 < argv.Length && not (argv[i + 1].StartsWith "--") ->
                    add f argv[i + 1] values |> Result.bind (fun v -> go (i + 2) v disks)
                | Some f, None -> rejected $"{name} needs a value <{defaultArg f.Value String.Empty}>"
            else
                go (i + 1) values ((i, token) :: disks)
    go 0 Map.empty []
    |> Result.bind (fun (values, disks) ->
        match disks with
        | [] -> rejected "the disk path (libxl passes it last) is missing"
        | [ (at, disk) ] when at = argv.Length - 1 -> Ok { Values = values; Disk = disk }
        | [ (_, disk) ] -> rejected $"'{disk}' is a value without its flag, or the disk path before other flags; libxl passes the disk last"
        | (_, first) :: (_, second) :: _ -> rejected $"two disk paths, '{first}' and '{second}'; libxl passes one, last")

let parse environment (argv: string array) =
    if argv |> Array.exists (fun a -> a = "--help" || a = "-h") then
        Ok(ShowHelp helpText)
    else
        scan argv |> Result.bind (settings environment) |> Result.map Boot
