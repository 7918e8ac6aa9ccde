module internal XenMatchbox.Domain.CommandLine

open System
open XenMatchbox.Domain.Argv
open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Flags
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output

/// A command-line error, as the boot workflow carries it.
let private fail error : Result<'a, BootError> = Error(BootError.CommandLine error)

let DefaultConfigFile = ConfigFile.DefaultPath

type ClientCertificate = { CertFile: string; KeyFile: string }

type ServerSettings =
    { Servers: Servers.ServerList
      HttpPort: int
      GrpcPort: int
      CaFile: string option
      Client: ClientCertificate option
      WebSsl: bool
      WebCaFile: string option }

type BootLimits =
    { DeadlineSeconds: int option
      ConnectSeconds: int
      ReadSeconds: int
      MaxKernelBytes: int64
      MaxRamdiskBytes: int64 }

type TrustSettings =
    { LookupKeys: string list
      LookupMaxAgeSeconds: int
      AssetKeys: string list
      VerifyAssets: bool
      HostFloor: Floor.Setting list }

type Action =
    | Install
    | DryRun
    | Stage

type Settings =
    { Action: Action
      Server: ServerSettings
      Lookup: Lookup
      Trust: TrustSettings
      ConfigArgs: string option
      RunAs: int option
      Quiet: bool
      Limits: BootLimits
      Cache: CacheSettings option
      Output: string option
      OutputFormat: OutputFormat
      OutputDirectory: string
      Report: DryRun.ReportFormat
      Disk: string option }

type RootFile = { Flag: string; Setting: string; Path: string; Verdict: Ownership.Verdict }

type Invocation =
    | ShowHelp of text: string
    | ShowVersion
    | Run of Settings
    | Check of Settings * rootFiles: RootFile list

type Context =
    { Environment: string -> string option
      OwnVariables: string list
      ConfigFile: (string * string) option
      HostConfigFile: (string * string) option
      Examiner: Ownership.Examiner option }

/// A flag's canonical name, for messages.
let private name flag = (spec flag).Name

let private parsePort (given: Given) flag fallback =
    match given.One flag with
    | None -> Ok fallback
    | Some text ->
        match Int32.TryParse(text, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, port when port >= 1 && port <= 65535 -> Ok port
        | _ -> Error(CommandLine(InvalidPort(given.Named flag, text)))

/// gRPC needs all three TLS files; without a client certificate (or with --http-only) the lookup
/// goes to /ipxe and --ca, if given, still serves https:// assets.
let private tlsFiles (given: Given) =
    let ca, cert, key = given.One Ca, given.One Cert, given.One Key
    match cert, key with
    | _ when given.Has HttpOnly -> Ok(ca, None)
    | None, None -> Ok(ca, None)
    | Some cert, Some key when ca.IsSome -> Ok(ca, Some { CertFile = cert; KeyFile = key })
    | _ ->
        let files = [ Ca, ca; Cert, cert; Key, key ]
        let missing = files |> List.filter (snd >> Option.isNone) |> List.map (fst >> name)
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
    seconds given ReadTimeout Limits.DefaultReadSeconds
    |> Result.bind (Limits.checkAnswerTime (given.Named ConnectTimeout) connect (given.Named ReadTimeout))

let private size (given: Given) flag fallback =
    match given.One flag with
    | None -> Ok fallback
    | Some text -> Limits.parseSize (given.Named flag) text

let private limits environment (given: Given) =
    validated {
        let! deadline =
            Limits.deadline (given.Named Timeout) (given.One Timeout) (environment "LIBXL_BOOTLOADER_TIMEOUT")
        let! connect = seconds given ConnectTimeout Limits.DefaultConnectSeconds
        let! read = readSeconds given connect
        let! kernel = size given MaxKernelSize Limits.DefaultMaxKernelBytes
        let! ramdisk = size given MaxRamdiskSize Limits.DefaultMaxRamdiskBytes
        return
            { DeadlineSeconds = deadline
              ConnectSeconds = connect
              ReadSeconds = read
              MaxKernelBytes = kernel
              MaxRamdiskBytes = ramdisk }
    }

let private cache (given: Given) =
    match given.Has NoCache, given.One CacheDir with
    | true, Some _ ->
        let noCache, cacheDir = given.Named NoCache, given.Named CacheDir
        fail (CommandLineRejected $"{noCache} and {cacheDir} contradict each other; keep one")
    | true, None -> Ok None
    | false, Some dir when not (dir.StartsWith "/") ->
        let named = given.Named CacheDir
        fail (CommandLineRejected $"{named} '{dir}' is not an absolute path; libxl's working directory is not ours")
    | false, dir ->
        size given CacheSize DefaultMaxBytes
        |> Result.map (fun bytes -> Some { Directory = defaultArg dir DefaultDirectory; MaxBytes = bytes })

/// --lookup-max-age, within its bounds.
let private lookupMaxAge (given: Given) =
    match given.One LookupMaxAge with
    | None -> Ok Limits.DefaultLookupMaxAgeSeconds
    | Some text -> Limits.parseMaxAge (given.Named LookupMaxAge) text

/// --verify-assets is required or off; required needs the keys to verify with.
let private trust (given: Given) =
    let assetKeys = given.All AssetKey
    let settings maxAge verify =
        { LookupKeys = given.All LookupKey
          LookupMaxAgeSeconds = maxAge
          AssetKeys = assetKeys
          VerifyAssets = verify
          HostFloor = [] }
    match lookupMaxAge given, given.One VerifyAssets |> Option.map _.Trim().ToLowerInvariant() with
    | Error e, _ -> Error e
    | Ok maxAge, None
    | Ok maxAge, Some "off" -> Ok(settings maxAge false)
    | _, Some "required" when assetKeys.IsEmpty ->
        fail (
            CommandLineRejected
                $"{given.Named VerifyAssets} is required but no {name AssetKey} names the keys to verify with; give {name AssetKey} FILE (gpg --export of the signing key)"
        )
    | Ok maxAge, Some "required" -> Ok(settings maxAge true)
    | _, Some other ->
        fail (CommandLineRejected $"{given.Named VerifyAssets} '{other}' is neither required nor off; give one of them")

let private directory mode (given: Given) =
    match mode with
    | Bootloader -> required (given.One OutputDirectory) (BootError.CommandLine MissingOutputDirectory)
    | ShowMode -> Ok(defaultArg (given.One OutputDirectory) "<output-directory>")
    | CheckMode -> Ok "<output-directory>"
    | StageMode ->
        match given.One Dir with
        | None ->
            fail (
                CommandLineRejected $"stage needs {name Dir} DIR, the directory to download the kernel and ramdisk into"
            )
        | Some dir when not (dir.StartsWith "/") ->
            fail (
                CommandLineRejected
                    $"{name Dir} '{dir}' is not an absolute path; xl needs absolute kernel and ramdisk paths"
            )
        | Some dir -> Ok(if dir.Length > 1 then dir.TrimEnd '/' else dir)

let private settings mode environment (given: Given) =
    validated {
        let! runAs = parseRunAs (given.One RunAs)
        let! servers = Servers.create (given.Sourced Server)
        let! httpPort = parsePort given HttpPort DefaultHttpPort
        let! grpcPort = parsePort given GrpcPort DefaultGrpcPort
        let! lookup =
            match mode, given.All Lookup with
            | CheckMode, [] -> Ok Labels.noLookup
            | _, texts -> Labels.parseLookup texts
        let! format = parseFormat (defaultArg (given.One OutputFormat) DefaultOutputFormat)
        let! directory = directory mode given
        let! ca, client = tlsFiles given
        let! bounds = limits environment given
        let! cache = cache given
        let! trust = trust given
        return
            { Action =
                match mode with
                | StageMode -> Stage
                | ShowMode
                | CheckMode -> DryRun
                | Bootloader when given.Has NotReally -> DryRun
                | Bootloader -> Install
              Server =
                { Servers = servers
                  HttpPort = httpPort
                  GrpcPort = grpcPort
                  CaFile = ca
                  Client = client
                  WebSsl = given.Has WebSsl
                  WebCaFile = given.One WebCa }
              Lookup = lookup
              Trust = trust
              ConfigArgs = given.One Args |> Option.filter (fun a -> a.Length > 0)
              RunAs = runAs
              Quiet = given.Has Quiet
              Limits = bounds
              Cache = cache
              Output = given.One Output |> Option.filter (fun o -> o <> "-")
              OutputFormat = format
              OutputDirectory = directory
              Report = if given.Has Json then DryRun.JsonReport else DryRun.TextReport
              Disk = given.Disk }
    }


/// What argv asks for before a flag is read: a help page (--help or -h anywhere, with a command
/// word first for its page; "help" [COMMAND]) or the version (--version or -V anywhere, or
/// "version" first). --help wins over --version; nothing else is read for either, so a missing
/// --server or a bad configuration file does not stand in their way.
let private answeredAlone (argv: string array) =
    let first = argv |> Array.tryHead |> Option.bind Usage.tryCommandWord
    let page command =
        match command with
        | Some command -> Usage.commandText command
        | None -> Usage.text
    match first with
    | _ when Argv.wantsHelp argv -> Some(Ok(ShowHelp(page first)))
    | Some Usage.HelpCommand ->
        match argv[1..] with
        | [||] -> Some(Ok(ShowHelp Usage.text))
        | [| word |] when (Usage.tryTopic word).IsSome -> Some(Ok(ShowHelp(page (Usage.tryTopic word))))
        | words -> Some(fail (UnknownCommand(Text.printable (String.Join(" ", words)), Usage.topics)))
    | Some Usage.VersionCommand -> Some(Ok ShowVersion)
    | _ when Argv.wantsVersion argv -> Some(Ok ShowVersion)
    | _ -> None

let needsContext argv = (answeredAlone argv).IsNone

let noContext environment =
    { Environment = environment
      OwnVariables = []
      ConfigFile = None
      HostConfigFile = None
      Examiner = None }

let isOwnVariable (name: string) = name.StartsWith(VariablePrefix, StringComparison.Ordinal)

let configFile (environment: string -> string option) (argv: string array) =
    let named =
        Argv.configFlag argv |> Option.orElse (environment ConfigFile.Variable |> Option.filter (fun v -> v.Length > 0))
    match named with
    | Some path -> path, true
    | None -> ConfigFile.DefaultPath, false

let hostConfigFile environment (argv: string array) =
    let host = configFile environment [||]
    match Argv.configFlag argv with
    | Some path when path <> fst host -> Some host
    | _ -> None

/// How errors name the host's configuration file: XENMATCHBOX_CONFIG, or the default.
let private hostSetting (environment: string -> string option) =
    match environment ConfigFile.Variable with
    | Some named when named.Length > 0 -> ConfigFile.Variable
    | _ -> "the configuration file"

/// How errors name the configuration file read: --config, or as the host's is named.
let private configSetting (environment: string -> string option) (argv: string array) =
    match Argv.configFlag argv with
    | Some _ -> name Config
    | None -> hostSetting environment

/// The trust settings as some layers set them, each with where it was set, for Floor.
let private trustOf (given: Given) : Floor.Trust =
    let settings flag =
        let values = given.Values |> Map.tryFind flag |> Option.defaultValue []
        List.zip values (given.Sourced flag)
        |> List.map (fun ((value, source), (_, named)) ->
            ({ Key = (spec flag).Name.TrimStart '-'
               Value = value
               Named = named
               Where =
                 match source with
                 | FromArgv -> "the command line"
                 | FromEnvironment variable -> variable
                 | FromFile(path, line) -> $"{path} line {line}" }
            : Floor.Setting))
    { VerifyAssets = settings VerifyAssets |> List.tryHead
      AssetKeys = settings AssetKey
      LookupKeys = settings LookupKey
      LookupMaxAge = settings LookupMaxAge |> List.tryHead }

/// Nothing given: the start of the host's layers.
let private nothing: Given = { Values = Map.empty; Disk = None }

/// The files the settings have root read, in the order a boot reads them, each judged.
let private rootFiles examiner (given: Given) (settings: Settings) =
    let server = settings.Server
    let one flag (path: string option) =
        path |> Option.map (fun p -> name flag, given.Named flag, p) |> Option.toList
    let each flag =
        given.Sourced flag |> List.map (fun (path, setting) -> name flag, setting, path)
    [ yield! one Ca server.CaFile
      yield! one Cert (server.Client |> Option.map _.CertFile)
      yield! one Key (server.Client |> Option.map _.KeyFile)
      yield! one WebCa server.WebCaFile
      yield! each LookupKey
      yield! each AssetKey ]
    |> List.map (fun (flag, setting, path) ->
        { Flag = flag; Setting = setting; Path = path; Verdict = Ownership.judge examiner path })

/// The first file that is not root's alone, as XMB-118.
let private refuseUnsafe (files: RootFile list) =
    match
        files
        |> List.tryPick (fun f ->
            match f.Verdict with
            | Ownership.Faulty faults -> Some(f, faults)
            | _ -> None)
    with
    | Some(file, faults) -> fail (UnsafeFile(file.Setting, file.Path, faults))
    | None -> Ok()

let parseIn (context: Context) (argv: string array) =
    match answeredAlone argv with
    | Some answer -> answer
    | None ->
        let mode, rest = Argv.split argv
        // Judged before a line of them is read: check reports them instead of refusing the run.
        let judge setting (file: (string * string) option) =
            match context.Examiner, file with
            | Some examiner, Some(path, _) ->
                [ { Flag = name Config; Setting = setting; Path = path; Verdict = Ownership.judge examiner path } ]
            | _ -> []
        let configJudged =
            judge (configSetting context.Environment argv) context.ConfigFile
            @ judge (hostSetting context.Environment) context.HostConfigFile
        // The file read is the host's unless the command line's --config names another.
        let replacedBy: Floor.Setting option =
            match Argv.configFlag argv, hostConfigFile context.Environment argv with
            | Some path, Some _ ->
                Some { Key = "config"; Value = path; Named = name Config; Where = "the command line" }
            | _ -> None
        validated {
            do! if mode = CheckMode then Ok() else refuseUnsafe configJudged
            let! fromArgv = Argv.scan mode rest
            let! fromEnvironment = Layers.environmentLayer context.Environment context.OwnVariables
            let! fromFile =
                match context.ConfigFile with
                | Some(path, text) -> Layers.fileLayer path text
                | None -> Ok []
            let! fromHostFile =
                match replacedBy, context.HostConfigFile with
                | None, _ -> Ok fromFile
                | Some _, Some(path, text) -> Layers.fileLayer path text
                | Some _, None -> Ok []
            let given = Layers.underlay (Layers.underlay fromArgv fromEnvironment) fromFile
            let host = Layers.underlay (Layers.underlay nothing fromEnvironment) fromHostFile
            let! parsed = settings mode context.Environment given
            let! floor = Floor.check (trustOf host) (trustOf given) replacedBy
            let settings = { parsed with Trust = { parsed.Trust with HostFloor = floor } }
            let judged =
                match context.Examiner with
                | Some examiner -> configJudged @ rootFiles examiner given settings
                | None -> []
            if mode = CheckMode then
                return Check(settings, judged)
            else
                do! refuseUnsafe judged
                return Run settings
        }

let parse environment argv = parseIn (noContext environment) argv
