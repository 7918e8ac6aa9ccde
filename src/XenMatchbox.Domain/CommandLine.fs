module XenMatchbox.Domain.CommandLine

open System
open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output

[<Literal>]
let DefaultConfigFile = "/etc/xen/xenmatchbox.conf"

/// The three ways the program is run: by libxl as a bootloader, or by hand as show or stage.
type private Mode =
    | Bootloader
    | ShowMode
    | StageMode

/// One flag: its names, the placeholder of its value (None: a switch), whether it may repeat, who
/// passes it, the modes it belongs to, whether the environment and the configuration file may set
/// it, and its line in --help.
type private Flag =
    { Name: string
      Aliases: string list
      Value: string option
      Repeatable: bool
      FromLibxl: bool
      Modes: Mode list
      Settable: bool
      Usage: string }

let private allModes = [ Bootloader; ShowMode; StageMode ]

let private flag name value usage =
    { Name = name
      Aliases = []
      Value = Some value
      Repeatable = false
      FromLibxl = false
      Modes = allModes
      Settable = true
      Usage = usage }

let private switch name usage = { flag name "" usage with Value = None }

let private libxl name value modes usage =
    { flag name value usage with FromLibxl = true; Modes = modes; Settable = false }

/// Every flag, in --help's order. A table, not reflection: parsing costs microseconds at start-up.
let private flags =
    [ libxl
          "--kernel"
          "path"
          [ Bootloader ]
          "the config's kernel=; accepted and not used: the profile names the kernel."
      libxl
          "--ramdisk"
          "path"
          [ Bootloader ]
          "the config's ramdisk=; accepted and not used: the profile names the initrds."
      libxl "--args" "cmdline" allModes "the config's cmdline/extra; appended to the profile's args."
      libxl "--runas" "uid" [ Bootloader ] "restricted mode: the uid to run as."
      { libxl "--quiet" "" allModes "restricted mode: print nothing but errors." with Value = None }
      libxl "--output" "path" [ Bootloader ] "the pre-created file to write the result to (default: standard output)."
      libxl
          "--output-format"
          "format"
          [ Bootloader; ShowMode ]
          "simple0 (what libxl reads), simple or sxp (default: simple0)."
      libxl "--output-directory" "path" [ Bootloader; ShowMode ] "where to write the kernel and ramdisk."
      flag "--server" "host" "matchbox host name or IP address (required)."
      flag "--httpport" "port" "matchbox HTTP port, for /ipxe and /assets/... (default: 8080)."
      flag "--grpcport" "port" "matchbox gRPC port (default: 8081)."
      { flag "--ca" "path" "PEM file of the CA that signed matchbox's server certificate; the only CA trusted for gRPC." with
          Aliases = [ "--ca-file" ] }
      { flag "--cert" "path" "PEM client certificate for matchbox's gRPC API; without it, the profile comes from /ipxe." with
          Aliases = [ "--cert-file" ] }
      { flag "--key" "path" "PEM private key of the client certificate." with Aliases = [ "--key-file" ] }
      switch "--http-only" "look the profile up from matchbox's read-only /ipxe endpoint, even with --cert/--key."
      { flag
            "--lookup"
            "label"
            "a label to select the profile by, key=value (repeatable, at least one), e.g. mac=52:54:00:aa:bb:cc; a bare uuid or name is the domain's own, from xenstore." with
          Repeatable = true
          Settable = false }
      flag
          "--timeout"
          "seconds"
          "seconds the whole boot may take, 0 for no limit (default: 110, and 10 under LIBXL_BOOTLOADER_TIMEOUT when set)."
      flag "--connect-timeout" "seconds" "seconds to connect to a server, TLS included (default: 10)."
      flag "--read-timeout" "seconds" "seconds to wait for the next bytes of an answer (default: 30)."
      flag "--max-kernel-size" "size" "largest kernel accepted, e.g. 256M (default: 128M)."
      flag "--max-ramdisk-size" "size" "largest ramdisk (all initrds together) accepted (default: 1G, Xen's own limit)."
      flag
          "--cache-dir"
          "path"
          $"directory of the shared asset cache, revalidated on every boot (default: {DefaultDirectory})."
      flag "--cache-size" "size" "largest the cache may grow; least recently used assets go first (default: 4G)."
      switch "--no-cache" "download every asset afresh and keep no copy."
      { switch
            "--not-really"
            "dry run: print the profile, asset sizes, args and the result libxl would get; write nothing." with
          Modes = [ Bootloader ]
          Settable = false }
      { flag "--config" "path" $"the configuration file (default: {DefaultConfigFile}, when it exists)." with
          Settable = false }
      { flag "--dir" "path" "stage: the absolute directory to download the kernel and ramdisk into." with
          Modes = [ StageMode ]
          Settable = false } ]

let private byName =
    flags |> List.collect (fun f -> (f.Name, f) :: (f.Aliases |> List.map (fun a -> a, f))) |> Map.ofList

/// XENMATCHBOX_CACHE_DIR for --cache-dir.
let private variableOf (name: string) =
    "XENMATCHBOX_" + name.TrimStart('-').ToUpperInvariant().Replace('-', '_')

type ClientCertificate = { CertFile: string; KeyFile: string }

type ServerSettings =
    { Host: string
      HttpPort: int
      GrpcPort: int
      CaFile: string option
      Client: ClientCertificate option }

type BootLimits =
    { DeadlineSeconds: int option
      ConnectSeconds: int
      ReadSeconds: int
      MaxKernelBytes: int64
      MaxRamdiskBytes: int64 }

type Action =
    | Install
    | DryRun
    | Stage

type Settings =
    { Action: Action
      Server: ServerSettings
      Lookup: Lookup
      ConfigArgs: string option
      RunAs: int option
      Quiet: bool
      Limits: BootLimits
      Cache: CacheSettings option
      Output: string option
      OutputFormat: OutputFormat
      OutputDirectory: string
      Disk: string option }

type Invocation =
    | ShowHelp of text: string
    | Run of Settings

type Context =
    { Environment: string -> string option
      OwnVariables: string list
      ConfigFile: (string * string) option }

let private xlExample =
    """
COMMANDS:

    xenmatchbox [libxl's flags] [bootloader_args] <disk>    what libxl runs (bootloader=)
    xenmatchbox show [flags]                      print what a boot would do; download nothing
    xenmatchbox stage --dir DIR [flags]           download into DIR, print an xl.cfg stanza

EXAMPLE (domU config for xl create):

    type = "pv"                      # or "pvh"
    bootloader = "/usr/local/bin/xenmatchbox"
    bootloader_args = [ "--lookup", "mac=52:54:00:aa:bb:cc" ]   # the rest in the config file
    vif = [ "mac=52:54:00:aa:bb:cc,bridge=xenbr0" ]
    disk = [ "format=raw,vdev=xvda,target=/dev/vg0/guest" ]   # xl requires a disk

CONFIGURATION: every flag of bootloader_args but --lookup, --config, --not-really and --dir can
also be set as XENMATCHBOX_<FLAG> (upper case, '-' as '_') or as "flag = value" in
/etc/xen/xenmatchbox.conf (or --config FILE, or XENMATCHBOX_CONFIG); the command line wins over
the environment, the environment over the file. Switches take true or false there.

libxl runs xenmatchbox with its own flags, then bootloader_args, then the disk. xenmatchbox asks
matchbox for the profile matching the labels (gRPC with mutual TLS given --cert and --key, else the
read-only /ipxe endpoint), downloads its kernel and initrds into --output-directory, expands
${label} and {{ .label }} in the profile's args and writes kernel/ramdisk/args to --output for
libxl. Errors are one line: xenmatchbox: XMB-nnn: cause — fix.
"""

let private helpText =
    let line (f: Flag) =
        let names = String.Join(", ", f.Name :: f.Aliases)
        let shown =
            match f.Value with
            | Some v -> $"{names} <{v}>"
            | None -> names
        $"    {shown, -34} {f.Usage}\n"
    let section title fromLibxl =
        title + "\n" + (flags |> List.filter (fun f -> f.FromLibxl = fromLibxl) |> List.map line |> String.concat "")
    String.concat
        "\n"
        [ "USAGE: xenmatchbox [libxl's flags] [the operator's bootloader_args] <disk>\n"
          + "       xenmatchbox show|stage [flags]\n"
          section "FLAGS LIBXL PASSES:" true
          section "FLAGS FOR bootloader_args, show and stage (each as --flag value or --flag=value):" false
          line { switch "<disk>" "the boot disk libxl passes last; not read." with Modes = [ Bootloader ] }
          + line { switch "--help" "this text." with Aliases = [ "-h" ] } ]
    + xlExample

/// Where a value came from, to name it in errors.
type private Source =
    | FromArgv
    | FromEnvironment of variable: string
    | FromFile of path: string * line: int

/// The flags of one run, by canonical name, with their values in order and where each came from;
/// and the disk.
type private Given =
    { Values: Map<string, (string * Source) list>
      Disk: string option }

    member this.All name =
        this.Values |> Map.tryFind name |> Option.defaultValue [] |> List.map fst
    member this.One name = this.All name |> List.tryHead
    member this.Has name = this.Values.ContainsKey name
    /// How errors name the setting: the flag, the variable, or the key and its file line.
    member this.Named name =
        match this.Values |> Map.tryFind name |> Option.bind List.tryHead with
        | Some(_, FromEnvironment variable) -> variable
        | Some(_, FromFile(path, line)) -> $"{name.TrimStart '-'} ({path} line {line})"
        | _ -> name

let private parsePort (given: Given) flag fallback =
    match given.One flag with
    | None -> Ok fallback
    | Some text ->
        match Int32.TryParse(text, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, port when port >= 1 && port <= 65535 -> Ok port
        | _ -> Error(CommandLine(InvalidPort(given.Named flag, text)))

let private parseHost (given: Given) =
    let invalid host reason =
        Error(CommandLine(InvalidServer(given.Named "--server", host, reason)))
    match given.One "--server" with
    | None -> Error(CommandLine MissingServer)
    | Some host when host.Length = 0 -> invalid host "it is empty"
    | Some host when host.Contains "://" -> invalid host "it is a URL, not a host"
    | Some host when host.IndexOfAny [| '/'; ' '; '?'; '#'; '@' |] >= 0 -> invalid host "it is not a host name"
    | Some host when host.StartsWith "[" && host.EndsWith "]" -> Ok(host.Trim('[', ']'))
    | Some host when host.Contains ':' && Uri.CheckHostName host <> UriHostNameType.IPv6 ->
        invalid host "it carries a port"
    | Some host when Uri.CheckHostName host = UriHostNameType.Unknown -> invalid host "it is not a host name"
    | Some host -> Ok host

/// gRPC needs all three TLS files; without a client certificate (or with --http-only) the lookup
/// goes to /ipxe and --ca, if given, still serves https:// assets.
let private tlsFiles (given: Given) =
    let ca, cert, key = given.One "--ca", given.One "--cert", given.One "--key"
    match cert, key with
    | _ when given.Has "--http-only" -> Ok(ca, None)
    | None, None -> Ok(ca, None)
    | Some cert, Some key when ca.IsSome -> Ok(ca, Some { CertFile = cert; KeyFile = key })
    | _ ->
        let files = [ "--ca", ca; "--cert", cert; "--key", key ]
        let missing = files |> List.filter (snd >> Option.isNone) |> List.map fst
        // Named as set, so that a value from the configuration file names its file and line.
        let present = files |> List.filter (snd >> Option.isSome) |> List.map (fst >> given.Named)
        Error(CommandLine(MissingTlsFlags(missing, present)))

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
        | true, 0 ->
            Error(CommandLine(InvalidRunAs(text, "uid 0 is root, and restricted mode means not running as root")))
        | true, uid -> Ok(Some uid)
        | _ -> Error(CommandLine(InvalidRunAs(text, "it is not a numeric uid")))

let private seconds (given: Given) flag fallback =
    match given.One flag with
    | None -> Ok fallback
    | Some text ->
        Limits.parseSeconds (given.Named flag) text
        |> Result.bind (function
            | Some s -> Ok s
            | None -> Error(CommandLine(InvalidDuration(given.Named flag, text))))

/// --read-timeout, which a lookup's answer time adds to --connect-timeout: the sum must fit a timer too.
let private readSeconds (given: Given) connect =
    seconds given "--read-timeout" Limits.DefaultReadSeconds
    |> Result.bind (Limits.checkAnswerTime (given.Named "--connect-timeout") connect (given.Named "--read-timeout"))

let private size (given: Given) flag fallback =
    match given.One flag with
    | None -> Ok fallback
    | Some text -> Limits.parseSize (given.Named flag) text

let private limits environment (given: Given) =
    validated {
        let! deadline =
            Limits.deadline (given.Named "--timeout") (given.One "--timeout") (environment "LIBXL_BOOTLOADER_TIMEOUT")
        let! connect = seconds given "--connect-timeout" Limits.DefaultConnectSeconds
        let! read = readSeconds given connect
        let! kernel = size given "--max-kernel-size" Limits.DefaultMaxKernelBytes
        let! ramdisk = size given "--max-ramdisk-size" Limits.DefaultMaxRamdiskBytes
        return
            { DeadlineSeconds = deadline
              ConnectSeconds = connect
              ReadSeconds = read
              MaxKernelBytes = kernel
              MaxRamdiskBytes = ramdisk }
    }

let private cache (given: Given) =
    match given.Has "--no-cache", given.One "--cache-dir" with
    | true, Some _ ->
        let noCache, cacheDir = given.Named "--no-cache", given.Named "--cache-dir"
        Error(CommandLine(CommandLineRejected $"{noCache} and {cacheDir} contradict each other; keep one"))
    | true, None -> Ok None
    | false, Some dir when not (dir.StartsWith "/") ->
        let named = given.Named "--cache-dir"
        Error(
            CommandLine(
                CommandLineRejected $"{named} '{dir}' is not an absolute path; libxl's working directory is not ours"
            )
        )
    | false, dir ->
        size given "--cache-size" DefaultMaxBytes
        |> Result.map (fun bytes -> Some { Directory = defaultArg dir DefaultDirectory; MaxBytes = bytes })

let private rejected reason = Error(CommandLine(CommandLineRejected reason))

let private directory mode (given: Given) =
    match mode with
    | Bootloader -> required (given.One "--output-directory") (CommandLine MissingOutputDirectory)
    | ShowMode -> Ok(defaultArg (given.One "--output-directory") "<output-directory>")
    | StageMode ->
        match given.One "--dir" with
        | None -> rejected "stage needs --dir DIR, the directory to download the kernel and ramdisk into"
        | Some dir when not (dir.StartsWith "/") ->
            rejected $"--dir '{dir}' is not an absolute path; xl needs absolute kernel and ramdisk paths"
        | Some dir -> Ok(if dir.Length > 1 then dir.TrimEnd '/' else dir)

let private settings mode environment (given: Given) =
    validated {
        let! runAs = parseRunAs (given.One "--runas")
        let! host = parseHost given
        let! httpPort = parsePort given "--httpport" 8080
        let! grpcPort = parsePort given "--grpcport" 8081
        let! lookup = Labels.parseLookup (given.All "--lookup")
        let! format = parseFormat (defaultArg (given.One "--output-format") "simple0")
        let! directory = directory mode given
        let! ca, client = tlsFiles given
        let! bounds = limits environment given
        let! cache = cache given
        return
            { Action =
                match mode with
                | StageMode -> Stage
                | ShowMode -> DryRun
                | Bootloader when given.Has "--not-really" -> DryRun
                | Bootloader -> Install
              Server = { Host = host; HttpPort = httpPort; GrpcPort = grpcPort; CaFile = ca; Client = client }
              Lookup = lookup
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

let private modeName mode =
    match mode with
    | Bootloader -> "a boot"
    | ShowMode -> "show"
    | StageMode -> "stage"

/// Reads argv against the table: each flag as "--flag value" or "--flag=value" (an empty value
/// allowed, as libxl passes "--args=" for an empty cmdline), switches bare, unknown flags named,
/// one-time flags at most once, and (for a boot) the disk exactly once, last. A value never starts
/// with "--", so a flag missing its value is not silently fed the next flag.
let private scan mode (argv: string array) =
    let add (flag: Flag) (value: string) (values: Map<string, (string * Source) list>) =
        match values.TryFind flag.Name with
        | _ when not (List.contains mode flag.Modes) -> rejected $"{flag.Name} is not for {modeName mode}"
        | Some _ when not flag.Repeatable -> rejected $"{flag.Name} is given more than once; keep one"
        | previous -> Ok(values.Add(flag.Name, defaultArg previous [] @ [ value, FromArgv ]))
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
        match mode, disks with
        | Bootloader, [] -> rejected "the disk path (libxl passes it last) is missing"
        | Bootloader, [ (at, disk) ] when at = argv.Length - 1 -> Ok { Values = values; Disk = Some disk }
        | Bootloader, [ (_, disk) ] ->
            rejected
                $"'{disk}' is a value without its flag, or the disk path before other flags; libxl passes the disk last"
        | Bootloader, (_, first) :: (_, second) :: _ ->
            rejected $"two disk paths, '{first}' and '{second}'; libxl passes one, last"
        | _, [] -> Ok { Values = values; Disk = None }
        | _, (_, word) :: _ -> rejected $"'{word}' is a value without its flag; {modeName mode} takes flags only")

/// A switch's value in the environment or the file.
let private switchValue (text: string) =
    match text.Trim().ToLowerInvariant() with
    | "true"
    | "yes"
    | "1"
    | "on" -> Some true
    | "false"
    | "no"
    | "0"
    | "off" -> Some false
    | _ -> None

/// One value from the environment or the file, as a flag would give it; None for a switch set to false.
let private layerValue (flag: Flag) (text: string) =
    match flag.Value with
    | Some _ -> Ok(Some text)
    | None ->
        match switchValue text with
        | Some true -> Ok(Some "")
        | Some false -> Ok None
        | None -> Error "takes true or false"

/// The XENMATCHBOX_* variables, as (flag, value, source).
let private environmentLayer (context: Context) =
    let settable = flags |> List.filter (fun f -> f.Settable) |> List.map (fun f -> variableOf f.Name, f) |> Map.ofList
    let ownVariables = context.OwnVariables |> List.filter (fun v -> v <> "XENMATCHBOX_CONFIG") |> List.sort
    let folder state variable =
        state
        |> Result.bind (fun found ->
            match settable.TryFind variable, context.Environment variable with
            | None, _ -> Error(CommandLine(ConfigRejected(variable, 0, "is not one xenmatchbox reads")))
            | Some _, None -> Ok found
            | Some flag, Some text ->
                match layerValue flag text with
                | Ok(Some value) -> Ok(found @ [ flag, value, FromEnvironment variable ])
                | Ok None -> Ok found
                | Error reason -> Error(CommandLine(ConfigRejected(variable, 0, $"'{text}' {reason}"))))
    ownVariables |> List.fold folder (Ok [])

/// The configuration file's lines, as (flag, value, source): "key = value", blank lines and '#'
/// comments; a value may be wrapped in double quotes.
let private fileLayer (path: string) (text: string) =
    let settable =
        flags
        |> List.filter (fun f -> f.Settable)
        |> List.collect (fun f -> (f.Name :: f.Aliases) |> List.map (fun n -> n.TrimStart '-', f))
        |> Map.ofList
    let lines = text.Split '\n'
    let fail line reason = Error(CommandLine(ConfigRejected(path, line, reason)))
    let rec go i (found: (Flag * string * Source) list) =
        if i >= lines.Length then
            Ok found
        else
            let number = i + 1
            let line = lines[i].TrimEnd('\r').Trim()
            if line.Length = 0 || line.StartsWith "#" then
                go (i + 1) found
            else
                match line.IndexOf '=' with
                | -1 -> fail number $"'{line}' is not 'key = value'"
                | at ->
                    let key = line.Substring(0, at).Trim()
                    let raw = line.Substring(at + 1).Trim()
                    let value =
                        if raw.Length >= 2 && raw.StartsWith "\"" && raw.EndsWith "\"" then
                            raw.Substring(1, raw.Length - 2)
                        else
                            raw
                    match settable.TryFind key with
                    | None when byName.ContainsKey("--" + key) ->
                        fail number $"'{key}' cannot be set in the configuration file; give it in bootloader_args"
                    | None -> fail number $"unknown key '{key}'"
                    | Some flag when found |> List.exists (fun (f, _, _) -> f.Name = flag.Name) ->
                        fail number $"'{key}' is set a second time"
                    | Some flag ->
                        match layerValue flag value with
                        | Ok(Some v) -> go (i + 1) (found @ [ flag, v, FromFile(path, number) ])
                        | Ok None -> go (i + 1) found
                        | Error reason -> fail number $"'{key}' {reason}, not '{value}'"
    if Seq.exists (fun c -> c = '\000') text then fail 1 "the file is not text" else go 0 []

/// Settings that exclude each other: a higher layer setting one hides the other from lower layers.
let private exclusive = [ [ "--no-cache"; "--cache-dir" ]; [ "--http-only"; "--cert"; "--key" ] ]

/// Adds a lower layer's values for flags the higher layers did not set.
let private underlay (given: Given) (layer: (Flag * string * Source) list) =
    let hidden (flag: Flag) =
        given.Has flag.Name
        || exclusive |> List.exists (fun group -> List.contains flag.Name group && group |> List.exists given.Has)
    let added = layer |> List.filter (fun (f, _, _) -> not (hidden f))
    { given with
        Values = added |> List.fold (fun values (f, v, source) -> values.Add(f.Name, [ v, source ])) given.Values }

let configFile (environment: string -> string option) (argv: string array) =
    let named =
        argv
        |> Array.indexed
        |> Array.tryPick (fun (i, token) ->
            if token.StartsWith "--config=" then Some(token.Substring "--config=".Length)
            elif token = "--config" && i + 1 < argv.Length then Some argv[i + 1]
            else None)
        |> Option.orElse (environment "XENMATCHBOX_CONFIG" |> Option.filter (fun v -> v.Length > 0))
    match named with
    | Some path -> path, true
    | None -> DefaultConfigFile, false

let parseIn (context: Context) (argv: string array) =
    if argv |> Array.exists (fun a -> a = "--help" || a = "-h") then
        Ok(ShowHelp helpText)
    else
        let mode, rest =
            match argv with
            | [||] -> Bootloader, argv
            | _ when argv[0] = "show" -> ShowMode, argv[1..]
            | _ when argv[0] = "stage" -> StageMode, argv[1..]
            | _ -> Bootloader, argv
        validated {
            let! fromArgv = scan mode rest
            let! fromEnvironment = environmentLayer context
            let! fromFile =
                match context.ConfigFile with
                | Some(path, text) -> fileLayer path text
                | None -> Ok []
            let given = underlay (underlay fromArgv fromEnvironment) fromFile
            let! settings = settings mode context.Environment given
            return Run settings
        }

let parse environment argv =
    parseIn { Environment = environment; OwnVariables = []; ConfigFile = None } argv
