/// Settings from three places: the command line, XENMATCHBOX_* variables and the configuration
/// file, in that order of precedence; and the show and stage commands.
module ConfigurationTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private file = "/etc/xen/xenmatchbox.conf"

let private bootArgv extra =
    [ "--output=/var/lib/xen/bootloader.7.out"
      "--output-directory=/var/lib/xen/bootloader.7.d"
      "--lookup=mac=52:54:00:aa:bb:cc" ]
    @ extra
    @ [ "/dev/vg0/guest" ]

let private run (variables: (string * string) list) (config: string option) (argv: string list) =
    CommandLine.parseIn
        { Environment = fun name -> variables |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd
          OwnVariables = variables |> List.map fst |> List.filter (fun n -> n.StartsWith "XENMATCHBOX_")
          ConfigFile = config |> Option.map (fun text -> file, text)
          HostConfigFile = None
          Examiner = None }
        (List.toArray argv)

let private settings variables config argv =
    match run variables config argv with
    | Ok(CommandLine.Run settings) -> settings
    | other -> Expect.fail $"expected settings, got %A{other}"

let private rejected variables config argv =
    match run variables config argv with
    | Error error -> error
    | Ok other -> Expect.fail $"expected an error, got %A{other}"

[<Property(MaxTest = 100)>]
let ``each setting comes from the command line, else the environment, else the file`` () =
    let port = Gen.choose (1, 65535) |> Gen.optionOf
    Prop.forAll (arb (Gen.zip3 port port port)) (fun (onArgv, inEnvironment, inFile) ->
        let argv = onArgv |> Option.map (fun p -> [ $"--httpport={p}" ]) |> Option.defaultValue []
        let variables =
            inEnvironment |> Option.map (fun p -> [ "XENMATCHBOX_HTTPPORT", string p ]) |> Option.defaultValue []
        let config = inFile |> Option.map (fun p -> $"# matchbox\n\nhttpport = {p}\n")
        let expected = onArgv |> Option.orElse inEnvironment |> Option.orElse inFile |> Option.defaultValue 8080
        let actual = (settings (("XENMATCHBOX_SERVER", "mb") :: variables) config (bootArgv argv)).Server.HttpPort
        Expect.equal "http port" expected actual)

[<Fact>]
let ``a domU config needs only its labels when the file holds the rest`` () =
    let config =
        String.concat
            "\n"
            [ "# matchbox for this rack"
              "server = mb.example.com"
              "grpcport = 18081"
              "ca = /etc/matchbox/ca.crt"
              "cert = \"/etc/matchbox/client.crt\""
              "key = /etc/matchbox/client.key"
              "timeout = 60"
              "read-timeout = 5"
              "max-ramdisk-size = 512M"
              "cache-size = 2G"
              "" ]
    let s = settings [] (Some config) (bootArgv [])
    Expect.equal "host" [ "mb.example.com" ] s.Server.Servers.Hosts
    Expect.equal "grpc port" 18081 s.Server.GrpcPort
    Expect.equal
        "client"
        (Some
            { CommandLine.CertFile = "/etc/matchbox/client.crt"
              CommandLine.KeyFile = "/etc/matchbox/client.key" })
        s.Server.Client
    Expect.equal "deadline" (Some 60) s.Limits.DeadlineSeconds
    Expect.equal "read" 5 s.Limits.ReadSeconds
    Expect.equal "ramdisk" (512L <<< 20) s.Limits.MaxRamdiskBytes
    Expect.equal "cache" (Some(2L <<< 30)) (s.Cache |> Option.map (fun c -> c.MaxBytes))

[<Property(MaxTest = 50)>]
let ``an unknown key is an error naming the key and its line`` () =
    let padding = Gen.elements [ ""; "# comment"; "   "; "server = mb" ] |> Gen.listOf
    Prop.forAll (arb (Gen.zip padding (nonEmptyTextOf "abcdefghijklmnopqrstuvwxyz"))) (fun (before, key) ->
        let before = before |> List.filter (fun l -> l <> "server = mb") // at most one server line
        let key = "x" + key
        let config = String.concat "\n" (before @ [ $"{key} = 1"; "server = mb" ])
        match rejected [] (Some config) (bootArgv []) with
        | CommandLine(ConfigRejected(path, line, reason)) ->
            Expect.equal "path" file path
            Expect.equal "line" (before.Length + 1) line
            Expect.isTrue $"the reason names '{key}': {reason}" (reason.Contains $"'{key}'")
        | other -> Expect.fail $"expected ConfigRejected, got {Expect.shown other}")

[<Theory>]
[<InlineData("lookup = mac=52:54:00:aa:bb:cc", 1)>]
[<InlineData("server = mb\ngrpcport = 1\ngrpcport = 2", 3)>]
[<InlineData("server mb", 1)>]
[<InlineData("server = mb\nno-cache = maybe", 2)>]
[<InlineData("server = mb\n\n# runas\nrunas = 997", 4)>]
let ``lines the file cannot hold are errors with their line number`` (config: string, line: int) =
    match rejected [] (Some config) (bootArgv []) with
    | CommandLine(ConfigRejected(_, at, _)) -> Expect.equal "line" line at
    | other -> Expect.fail $"expected ConfigRejected, got {Expect.shown other}"

[<Fact>]
let ``a bad value from the file is named by its key, file and line`` () =
    match rejected [] (Some "server = mb\nhttpport = eighty") (bootArgv []) with
    | CommandLine(InvalidPort(named, value)) ->
        Expect.equalText $"httpport ({file} line 2)" named
        Expect.equalText "eighty" value
    | other -> Expect.fail $"expected InvalidPort, got {Expect.shown other}"

[<Fact>]
let ``a misspelt XENMATCHBOX_ variable is XMB-115 naming it`` () =
    match rejected [ "XENMATCHBOX_SEVER", "mb" ] None (bootArgv [ "--server=mb" ]) with
    | CommandLine(ConfigRejected(variable, 0, _)) as error ->
        Expect.equalText "XENMATCHBOX_SEVER" variable
        Expect.equalText "XMB-115" (code error)
        Expect.isTrue
            (describe error)
            ((describe error).Contains "the environment variable XENMATCHBOX_SEVER is not one")
    | other -> Expect.fail $"expected ConfigRejected, got {Expect.shown other}"

[<Fact>]
let ``a switch variable that is not true or false is XMB-115 naming it`` () =
    match rejected [ "XENMATCHBOX_NO_CACHE", "maybe" ] None (bootArgv [ "--server=mb" ]) with
    | CommandLine(ConfigRejected(variable, 0, reason)) as error ->
        Expect.equalText "XENMATCHBOX_NO_CACHE" variable
        Expect.isTrue reason (reason.Contains "'maybe'")
        Expect.equalText "XMB-115" (code error)
    | other -> Expect.fail $"expected ConfigRejected, got {Expect.shown other}"

[<Fact>]
let ``a bad value from the environment names its variable`` () =
    let error = rejected [ "XENMATCHBOX_HTTPPORT", "eighty" ] None (bootArgv [ "--server=mb" ])
    Expect.equalText "XMB-104" (code error)
    Expect.isTrue (describe error) ((describe error).Contains "XENMATCHBOX_HTTPPORT 'eighty'")

/// Every XMB-10x a value of the file can cause names the file and the line that set it.
[<Theory>]
[<InlineData("server = http://mb", "XMB-103", "server")>]
[<InlineData("server = mb\nhttpport = eighty", "XMB-104", "httpport")>]
[<InlineData("server = mb\ncert = /c", "XMB-108", "cert")>]
[<InlineData("server = mb\nkey = /k\nca = /ca", "XMB-108", "key")>]
[<InlineData("server = mb\ntimeout = soon", "XMB-113", "timeout")>]
[<InlineData("server = mb\ntimeout = 99999999", "XMB-113", "timeout")>]
[<InlineData("server = mb\nconnect-timeout = 2147484", "XMB-113", "connect-timeout")>]
[<InlineData("server = mb\nread-timeout = x", "XMB-113", "read-timeout")>]
[<InlineData("server = mb\nmax-kernel-size = 12Q", "XMB-114", "max-kernel-size")>]
[<InlineData("server = mb\ncache-size = 0", "XMB-114", "cache-size")>]
[<InlineData("server = mb\ncache-dir = cache", "XMB-101", "cache-dir")>]
[<InlineData("server = mb\nno-cache = true\ncache-dir = /c", "XMB-101", "cache-dir")>]
[<InlineData("server = mb\ncache-dir = /c\nno-cache = yes", "XMB-101", "no-cache")>]
[<InlineData("server = mb\nbogus = 1", "XMB-115", "bogus")>]
let ``every command-line error a file value causes names the file and its line``
    (text: string, expected: string, key: string)
    =
    let text = text.Replace("\\n", "\n")
    let lines = text.Split '\n'
    let line = 1 + (lines |> Array.findIndex (fun l -> l.StartsWith key))
    let error = rejected [] (Some text) (bootArgv [])
    Expect.equalText expected (code error)
    Expect.isTrue (describe error) ((describe error).Contains $"{file} line {line}")

[<Theory>]
[<InlineData("true", true)>]
[<InlineData("yes", true)>]
[<InlineData("1", true)>]
[<InlineData("false", false)>]
[<InlineData("0", false)>]
let ``switches take true or false from the environment and the file`` (value: string, set: bool) =
    let fromEnvironment = settings [ "XENMATCHBOX_NO_CACHE", value ] None (bootArgv [ "--server=mb" ])
    let fromFile = settings [] (Some $"server = mb\nno-cache = {value}") (bootArgv [])
    Expect.equal "environment" set fromEnvironment.Cache.IsNone
    Expect.equal "file" set fromFile.Cache.IsNone

[<Fact>]
let ``a higher layer's setting hides the settings it excludes below it`` () =
    let cacheDir = settings [] (Some "server = mb\nno-cache = true") (bootArgv [ "--cache-dir=/srv/cache" ])
    Expect.equal "cache" (Some "/srv/cache") (cacheDir.Cache |> Option.map (fun c -> c.Directory))
    let certs =
        settings [ "XENMATCHBOX_HTTP_ONLY", "true" ] (Some "server = mb\nca = /ca\ncert = /c\nkey = /k") (bootArgv [])
    Expect.equal "client" None certs.Server.Client

[<Fact>]
let ``the configuration file: --config, else XENMATCHBOX_CONFIG, else the default, which may be absent`` () =
    let env name =
        if name = "XENMATCHBOX_CONFIG" then Some "/srv/env.conf" else None
    Expect.equal "flag" ("/srv/flag.conf", true) (CommandLine.configFile env [| "--config=/srv/flag.conf"; "/disk" |])
    Expect.equal
        "flag, two words"
        ("/srv/flag.conf", true)
        (CommandLine.configFile env [| "--config"; "/srv/flag.conf"; "/disk" |])
    Expect.equal "environment" ("/srv/env.conf", true) (CommandLine.configFile env [| "/disk" |])
    Expect.equal "default" (CommandLine.DefaultConfigFile, false) (CommandLine.configFile (fun _ -> None) [| "/disk" |])

[<Fact>]
let ``show needs neither libxl's paths nor a disk, and is a dry run`` () =
    let s = settings [] None [ "show"; "--server=mb"; "--lookup=mac=52:54:00:aa:bb:cc" ]
    Expect.equal "action" CommandLine.DryRun s.Action
    Expect.equal "disk" None s.Disk

[<Fact>]
let ``--not-really makes a boot a dry run`` () =
    Expect.equal "action" CommandLine.DryRun (settings [] None (bootArgv [ "--server=mb"; "--not-really" ])).Action
    Expect.equal "action" CommandLine.Install (settings [] None (bootArgv [ "--server=mb" ])).Action

[<Fact>]
let ``stage downloads into its --dir`` () =
    let s = settings [] None [ "stage"; "--dir=/srv/guests/fcos/"; "--server=mb"; "--lookup=mac=52:54:00:aa:bb:cc" ]
    Expect.equal "action" CommandLine.Stage s.Action
    Expect.equalText "/srv/guests/fcos" s.OutputDirectory

[<Theory>]
[<InlineData("stage --server=mb --lookup=os=x", "--dir")>]
[<InlineData("stage --dir=guests --server=mb --lookup=os=x", "absolute")>]
[<InlineData("show --server=mb --lookup=os=x --runas=997", "--runas is not for show")>]
[<InlineData("show --server=mb --lookup=os=x --dir=/x", "--dir is not for show")>]
[<InlineData("show --server=mb --lookup=os=x /dev/vg0/guest", "takes flags only")>]
[<InlineData("--server=mb --lookup=os=x --dir=/x /dev/vg0/guest", "--dir is not for a boot")>]
let ``show and stage refuse what does not belong to them`` (argv: string, reason: string) =
    match rejected [] None (List.ofArray (argv.Split ' ')) with
    | CommandLine(CommandLineRejected text) -> Expect.isTrue $"'{text}' mentions '{reason}'" (text.Contains reason)
    | other -> Expect.fail $"expected CommandLineRejected, got {Expect.shown other}"

[<Theory>]
[<InlineData("uuid")>]
[<InlineData("name")>]
[<InlineData("UUID")>]
let ``a bare uuid or name lookup is read from the domain`` (key: string) =
    let s = settings [] None (bootArgv [ "--server=mb"; $"--lookup={key}" ])
    Expect.equal "from domain" [ key.ToLowerInvariant() ] s.Lookup.FromDomain
    Expect.equal "given" [ "mac=52:54:00:aa:bb:cc" ] s.Lookup.Given

[<Fact>]
let ``any other bare lookup is an invalid label`` () =
    match rejected [] None (bootArgv [ "--server=mb"; "--lookup=os" ]) with
    | CommandLine(InvalidLabel("os", _)) -> ()
    | other -> Expect.fail $"expected InvalidLabel, got {Expect.shown other}"

[<Fact>]
let ``web-ssl and web-ca come from the file or the environment, and make matchbox's HTTP API https`` () =
    let fromFile = settings [] (Some "server = mb\nweb-ssl = true\nweb-ca = /etc/matchbox/web-ca.crt\n") (bootArgv [])
    Expect.isTrue "web-ssl from the file" fromFile.Server.WebSsl
    Expect.equal "web-ca from the file" (Some "/etc/matchbox/web-ca.crt") fromFile.Server.WebCaFile
    let labels = Labels.fromLookups [ "mac=52:54:00:aa:bb:cc" ] |> Expect.ok "labels"
    match Boot.routes fromFile.Server labels with
    | [ Boot.Ipxe(_, endpoint, _) ] -> Expect.equalText "https://mb:8080/ipxe" endpoint
    | _ -> Expect.fail "expected one /ipxe route"
    let fromEnvironment = settings [ "XENMATCHBOX_WEB_SSL", "true" ] None (bootArgv [ "--server=mb" ])
    Expect.isTrue "web-ssl from the environment" fromEnvironment.Server.WebSsl
    Expect.isTrue "off unless asked" (not (settings [] None (bootArgv [ "--server=mb" ])).Server.WebSsl)

[<Fact>]
let ``key files add up over the file's lines, and the command line's replace them with fewer, or where the host names none``
    ()
    =
    let conf =
        "server = mb\nlookup-key = /etc/xen/matchbox.gpg\nasset-key = /etc/xen/fedora.gpg\nasset-key = /etc/xen/flatcar.asc\nverify-assets = required\n"
    let fromFile = settings [] (Some conf) (bootArgv [])
    Expect.equal "lookup keys" [ "/etc/xen/matchbox.gpg" ] fromFile.Trust.LookupKeys
    Expect.equal "asset keys, in order" [ "/etc/xen/fedora.gpg"; "/etc/xen/flatcar.asc" ] fromFile.Trust.AssetKeys
    Expect.isTrue "verify-assets from the file" fromFile.Trust.VerifyAssets
    let fewer = settings [] (Some conf) (bootArgv [ "--asset-key=/etc/xen/flatcar.asc" ])
    Expect.equal "the command line's keys only" [ "/etc/xen/flatcar.asc" ] fewer.Trust.AssetKeys
    let overridden =
        settings [] (Some "server = mb\n") (bootArgv [ "--asset-key=/root/a.gpg"; "--asset-key=/root/b.gpg" ])
    Expect.equal "the command line's own keys" [ "/root/a.gpg"; "/root/b.gpg" ] overridden.Trust.AssetKeys
    let fromEnvironment = settings [ "XENMATCHBOX_LOOKUP_KEY", "/etc/xen/m.gpg" ] None (bootArgv [ "--server=mb" ])
    Expect.equal "lookup key from the environment" [ "/etc/xen/m.gpg" ] fromEnvironment.Trust.LookupKeys
    let plain = settings [] None (bootArgv [ "--server=mb" ])
    Expect.isTrue "off unless asked" (not plain.Trust.VerifyAssets && plain.Trust.LookupKeys.IsEmpty)

[<Fact>]
let ``verify-assets is required or off, and required needs an asset key`` () =
    let named = bootArgv [ "--server=mb"; "--verify-assets=required" ]
    match rejected [] None named with
    | CommandLine(CommandLineRejected reason) -> Expect.contains "names the missing flag" "--asset-key" reason
    | other -> Expect.fail $"expected XMB-101, got {Expect.shown other}"
    match rejected [] (Some "server = mb\nverify-assets = yes\n") (bootArgv [ "--asset-key=/k.gpg" ]) with
    | CommandLine(CommandLineRejected reason) ->
        Expect.contains "names the file's line" "verify-assets (/etc/xen/xenmatchbox.conf line 2)" reason
    | other -> Expect.fail $"expected XMB-101, got {Expect.shown other}"
    let off = settings [] None (bootArgv [ "--server=mb"; "--verify-assets=off"; "--asset-key=/k.gpg" ])
    Expect.isTrue "off with a key is off" (not off.Trust.VerifyAssets)

[<Fact>]
let ``lookup keys are read before the drop only for an HTTP-only lookup; asset keys only when required`` () =
    let httpOnly =
        settings [] None (bootArgv [ "--server=mb"; "--lookup-key=/k.gpg"; "--asset-key=/a.gpg"; "--runas=1000" ])
    let prepared = Boot.prepare httpOnly false
    Expect.equal "HTTP-only: the lookup key" [ "/k.gpg" ] prepared.LookupKeys
    Expect.equal "verify-assets off: no asset key" [] prepared.AssetKeys
    let grpc =
        settings
            []
            None
            (bootArgv
                [ "--server=mb"
                  "--ca=/ca"
                  "--cert=/c"
                  "--key=/k"
                  "--lookup-key=/k.gpg"
                  "--asset-key=/a.gpg"
                  "--verify-assets=required" ])
    let prepared = Boot.prepare grpc false
    Expect.equal "gRPC: mutual TLS vouches for the lookup" [] prepared.LookupKeys
    Expect.equal "required: the asset key" [ "/a.gpg" ] prepared.AssetKeys
