module internal XenMatchbox.Domain.Flags

open XenMatchbox.Domain.Cache

[<Literal>]
let DefaultHttpPort = 8080

[<Literal>]
let DefaultGrpcPort = 8081

[<Literal>]
let DefaultOutputFormat = "simple0"

[<Literal>]
let VariablePrefix = "XENMATCHBOX_"

type Mode =
    | Bootloader
    | ShowMode
    | StageMode
    | CheckMode

type Place =
    | OnCommandLine
    | InEnvironment
    | InConfigFile

type Flag =
    | Kernel
    | Ramdisk
    | Args
    | RunAs
    | Quiet
    | Output
    | OutputFormat
    | OutputDirectory
    | Server
    | HttpPort
    | GrpcPort
    | Ca
    | Cert
    | Key
    | HttpOnly
    | WebSsl
    | WebCa
    | LookupKey
    | LookupMaxAge
    | AssetKey
    | VerifyAssets
    | Lookup
    | Timeout
    | ConnectTimeout
    | ReadTimeout
    | MaxKernelSize
    | MaxRamdiskSize
    | CacheDir
    | CacheSize
    | NoCache
    | NotReally
    | Json
    | Config
    | Dir
    | Help
    | Version

type FlagSpec =
    { Name: string
      Aliases: string list
      Value: string option
      Repeatable: bool
      FromLibxl: bool
      Modes: Mode list
      Places: Place list
      Help: string
      Default: string option
      Floor: bool }

let showSize (bytes: int64) =
    let units = [ 1L <<< 30, "G"; 1L <<< 20, "M"; 1L <<< 10, "K" ]
    match units |> List.tryFind (fun (unit, _) -> bytes >= unit && bytes % unit = 0L) with
    | Some(unit, suffix) -> $"{bytes / unit}{suffix}"
    | None -> string bytes

let private allModes = [ Bootloader; ShowMode; StageMode; CheckMode ]
let private everywhere = [ OnCommandLine; InEnvironment; InConfigFile ]

/// An operator's flag with a value, valid in every mode and settable everywhere.
let private valued name value help =
    { Name = name
      Aliases = []
      Value = Some value
      Repeatable = false
      FromLibxl = false
      Modes = allModes
      Places = everywhere
      Help = help
      Default = None
      Floor = false }

let private switch name help = { valued name "" help with Value = None }

/// A flag libxl passes: on the command line only.
let private libxl name value modes help =
    { valued name value help with FromLibxl = true; Modes = modes; Places = [ OnCommandLine ] }

let private defaults shown spec = { spec with Default = Some shown }

/// The table. A match, not a list, so that FS0025 (an error here) demands a spec for every case.
let spec flag =
    match flag with
    | Kernel ->
        libxl
            "--kernel"
            "path"
            [ Bootloader ]
            "the config's kernel=; accepted and not used: the profile names the kernel"
    | Ramdisk ->
        libxl
            "--ramdisk"
            "path"
            [ Bootloader ]
            "the config's ramdisk=; accepted and not used: the profile names the initrds"
    | Args -> libxl "--args" "cmdline" allModes "the config's cmdline/extra; appended to the profile's args"
    | RunAs -> libxl "--runas" "uid" [ Bootloader ] "restricted mode: the uid to run as"
    | Quiet ->
        // check prints its verdicts; a check that prints nothing but errors would hide its warnings.
        { libxl "--quiet" "" [ Bootloader; ShowMode; StageMode ] "restricted mode: print nothing but errors" with
            Value = None }
    | Output ->
        libxl "--output" "path" [ Bootloader ] "the pre-created file to write the result to"
        |> defaults "standard output"
    | OutputFormat ->
        libxl "--output-format" "format" [ Bootloader; ShowMode ] "simple0 (what libxl reads), simple or sxp"
        |> defaults DefaultOutputFormat
    | OutputDirectory ->
        libxl "--output-directory" "path" [ Bootloader; ShowMode ] "where to write the kernel and ramdisk"
    | Server ->
        { valued
              "--server"
              "host"
              "matchbox host name or IP address (required); several, repeated or comma-separated, are asked in order until one answers" with
            Repeatable = true }
    | HttpPort ->
        valued "--httpport" "port" "matchbox HTTP port, for /ipxe and /assets/..." |> defaults (string DefaultHttpPort)
    | GrpcPort -> valued "--grpcport" "port" "matchbox gRPC port" |> defaults (string DefaultGrpcPort)
    | Ca ->
        { valued
              "--ca"
              "path"
              "PEM file of the CA that signed matchbox's server certificate; the only CA trusted for gRPC" with
            Aliases = [ "--ca-file" ] }
    | Cert ->
        { valued
              "--cert"
              "path"
              "PEM client certificate for matchbox's gRPC API; without it, the profile comes from /ipxe" with
            Aliases = [ "--cert-file" ] }
    | Key ->
        { valued "--key" "path" "PEM private key of the client certificate" with
            Aliases = [ "--key-file" ] }
    | HttpOnly ->
        switch "--http-only" "look the profile up from matchbox's read-only /ipxe endpoint, even with --cert/--key"
    | WebSsl ->
        switch
            "--web-ssl"
            "reach matchbox's HTTP API (/ipxe, /assets/...) over https://, as matchbox's -web-ssl serves it"
    | WebCa ->
        valued
            "--web-ca"
            "path"
            "PEM file of the CA that signed matchbox's HTTPS certificate, where another CA than --ca's did"
    | LookupKey ->
        { valued
              "--lookup-key"
              "path"
              "OpenPGP public keys (gpg --export, binary or armoured) one of which must sign /ipxe; an HTTP-only lookup then fetches /ipxe.sig and uses no unsigned answer (repeatable)" with
            Repeatable = true
            Floor = true }
    | LookupMaxAge ->
        valued
            "--lookup-max-age"
            "seconds"
            $"seconds since matchbox signed an /ipxe answer (--lookup-key) within which it is booted, {Trust.ClockSkewSeconds} more for clocks that drift; an older answer is a replay"
        |> defaults $"{Limits.DefaultLookupMaxAgeSeconds}, at most {Limits.MaxLookupMaxAgeSeconds}"
        |> fun spec -> { spec with Floor = true }
    | AssetKey ->
        { valued
              "--asset-key"
              "path"
              "OpenPGP public keys (gpg --export, binary or armoured) one of which must sign each kernel and initrd, in URL.sig, under --verify-assets=required (repeatable)" with
            Repeatable = true
            Floor = true }
    | VerifyAssets ->
        valued
            "--verify-assets"
            "mode"
            "required: boot only a kernel and initrds whose URL.sig an --asset-key made; off: no asset signatures"
        |> defaults "off"
        |> fun spec -> { spec with Floor = true }
    | Lookup ->
        { valued
              "--lookup"
              "label"
              "a label to select the profile by, key=value (repeatable, at least one), e.g. mac=52:54:00:aa:bb:cc; a bare uuid or name is the domain's own, from xenstore" with
            Repeatable = true
            Places = [ OnCommandLine ] }
    | Timeout ->
        valued "--timeout" "seconds" "seconds the whole boot may take, 0 for no limit"
        |> defaults
            $"{Limits.DefaultDeadlineSeconds}, and {Limits.LibxlMarginSeconds} under LIBXL_BOOTLOADER_TIMEOUT when set"
    | ConnectTimeout ->
        valued "--connect-timeout" "seconds" "seconds to connect to a server, TLS included"
        |> defaults (string Limits.DefaultConnectSeconds)
    | ReadTimeout ->
        valued "--read-timeout" "seconds" "seconds to wait for the next bytes of an answer"
        |> defaults (string Limits.DefaultReadSeconds)
    | MaxKernelSize ->
        valued "--max-kernel-size" "size" "largest kernel accepted, e.g. 256M"
        |> defaults (showSize Limits.DefaultMaxKernelBytes)
    | MaxRamdiskSize ->
        valued "--max-ramdisk-size" "size" "largest ramdisk (all initrds together) accepted"
        |> defaults $"{showSize Limits.DefaultMaxRamdiskBytes}, Xen's own limit"
    | CacheDir ->
        valued "--cache-dir" "path" "directory of the shared asset cache, revalidated on every boot"
        |> defaults DefaultDirectory
    | CacheSize ->
        valued "--cache-size" "size" "largest the cache may grow; least recently used assets go first"
        |> defaults (showSize DefaultMaxBytes)
    | NoCache -> switch "--no-cache" "download every asset afresh and keep no copy"
    | NotReally ->
        { switch
              "--not-really"
              "dry run: print the profile, asset sizes, args and the result libxl would get; write nothing" with
            Modes = [ Bootloader ]
            Places = [ OnCommandLine ] }
    | Json ->
        // Not for --not-really: there the report goes to libxl's log, which a person reads.
        { switch "--json" "show: print the report as one JSON object, for scripts (keys in the README)" with
            Modes = [ ShowMode ]
            Places = [ OnCommandLine ] }
    | Config ->
        // The environment names it as XENMATCHBOX_CONFIG; the file cannot name another file.
        { valued "--config" "path" "the configuration file" with Places = [ OnCommandLine; InEnvironment ] }
        |> defaults $"{ConfigFile.DefaultPath}, when it exists"
    | Dir ->
        { valued "--dir" "path" "stage: the absolute directory to download the kernel and ramdisk into" with
            Modes = [ StageMode ]
            Places = [ OnCommandLine ] }
    | Help ->
        { switch "--help" "print the usage with every flag" with
            Aliases = [ "-h" ]
            Places = [ OnCommandLine ] }
    | Version ->
        { switch "--version" "print the version and the git commit it was built from" with
            Aliases = [ "-V" ]
            Places = [ OnCommandLine ] }

let all =
    [ Kernel
      Ramdisk
      Args
      RunAs
      Quiet
      Output
      OutputFormat
      OutputDirectory
      Server
      HttpPort
      GrpcPort
      Ca
      Cert
      Key
      HttpOnly
      WebSsl
      WebCa
      LookupKey
      LookupMaxAge
      AssetKey
      VerifyAssets
      Lookup
      Timeout
      ConnectTimeout
      ReadTimeout
      MaxKernelSize
      MaxRamdiskSize
      CacheDir
      CacheSize
      NoCache
      NotReally
      Json
      Config
      Dir
      Help
      Version ]

let names flag =
    let s = spec flag
    s.Name :: s.Aliases

let private byName = all |> List.collect (fun f -> names f |> List.map (fun n -> n, f)) |> Map.ofList

let tryFind name = byName.TryFind name

let settableIn place flag = List.contains place (spec flag).Places

let variable flag =
    VariablePrefix + (spec flag).Name.TrimStart('-').ToUpperInvariant().Replace('-', '_')

let keys flag =
    names flag |> List.filter (fun n -> n.StartsWith "--") |> List.map (fun n -> n.Substring 2)
