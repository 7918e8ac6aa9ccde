/// The command line libxl runs us with: its fixed flags, the operator's bootloader_args, the disk.
module CommandLineTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators
open BootloaderArgv

let private parse (argv: string list) = CommandLine.parse (fun _ -> None) (List.toArray argv)

let private shownArgv (argv: string list) = argv |> List.map Expect.escaped |> String.concat " "

let private settingsOf (argv: string list) =
    match parse argv with
    | Ok(CommandLine.Run settings) -> settings
    | Ok(CommandLine.ShowHelp _) -> Expect.fail $"{shownArgv argv}: expected a boot, got the help text"
    | Ok CommandLine.ShowVersion -> Expect.fail $"{shownArgv argv}: expected a boot, got --version"
    | Ok(CommandLine.Check _) -> Expect.fail $"{shownArgv argv}: expected a boot, got check"
    | Error error -> Expect.fail $"{shownArgv argv}: expected a boot, got {Expect.shown error}"

[<Property(MaxTest = 60)>]
let ``libxl's and the operator's flags in any order and either form give the same settings`` () =
    let case =
        gen {
            let! boot = boot
            let! order, entries = shuffledFlags boot
            return boot, order, List.concat entries @ [ boot.Disk ]
        }
    Prop.forAll (arb case) (fun (boot, order, argv) ->
        Expect.equalText (expectedSettings boot order) (describeSettings (settingsOf argv)))

[<Fact>]
let ``the argv of the protocol doc's example parses once the endpoint is given as the operator's flags`` () =
    let argv =
        [ "--args=console=hvc0"
          "--output=/var/lib/xen/bootloader.7.out"
          "--output-format=simple0"
          "--output-directory=/var/lib/xen/bootloader.7.d"
          "--server"
          "mb"
          "--grpcport"
          "8081"
          "--ca"
          "/etc/matchbox/ca.crt"
          "--cert"
          "/etc/matchbox/client.crt"
          "--key"
          "/etc/matchbox/client.key"
          "--lookup"
          "mac=52:54:00:AA:BB:CC"
          "/dev/vg0/guest-root" ]
    let settings = settingsOf argv
    Expect.equalText
        (String.concat
            "\n"
            [ "server.host: mb"
              "server.httpPort: 8080"
              "server.grpcPort: 8081"
              "server.caFile: /etc/matchbox/ca.crt"
              "server.certFile: /etc/matchbox/client.crt"
              "server.keyFile: /etc/matchbox/client.key"
              "labels: mac=52:54:00:aa:bb:cc"
              "configArgs: \"console=hvc0\""
              "quiet: False"
              "output: \"/var/lib/xen/bootloader.7.out\""
              "outputFormat: simple0"
              "outputDirectory: /var/lib/xen/bootloader.7.d"
              "disk: /dev/vg0/guest-root" ])
        (describeSettings settings)

[<Property(MaxTest = 40)>]
let ``a disk anywhere but last is rejected`` () =
    let case =
        gen {
            let! boot = boot
            let! _, entries = shuffledFlags boot
            // between whole flags, never between a flag and its value
            let! at = Gen.choose (0, entries.Length - 1)
            return List.concat (List.insertAt at [ boot.Disk ] entries)
        }
    Prop.forAll (arb case) (fun argv ->
        match parse argv with
        | Error(CommandLine(CommandLineRejected _)) -> ()
        | other -> Expect.fail $"{shownArgv argv}: expected CommandLineRejected, got %A{other}")

/// A valid argv for the error cases: replace or drop flags to break one thing at a time.
let private valid =
    [ "--output=/var/lib/xen/bootloader.7.out"
      "--output-format=simple0"
      "--output-directory=/var/lib/xen/bootloader.7.d"
      "--server=mb"
      "--ca=/ca.crt"
      "--cert=/client.crt"
      "--key=/client.key"
      "--lookup=mac=52:54:00:aa:bb:cc" ]

let private withDisk flags = flags @ [ "/dev/vg0/guest" ]

let private without (prefix: string) = valid |> List.filter (fun a -> not (a.StartsWith prefix))

[<Fact>]
let ``the valid base argv boots`` () = settingsOf (withDisk valid) |> ignore

[<Fact>]
let ``no disk, or two, is rejected`` () =
    for argv in [ valid; valid @ [ "/dev/a"; "/dev/b" ] ] do
        match parse argv with
        | Error(CommandLine(CommandLineRejected _)) -> ()
        | other -> Expect.fail $"{shownArgv argv}: expected CommandLineRejected, got %A{other}"

[<Fact>]
let ``libxl's restricted mode (--runas, --quiet) gives the uid to drop to and quiet output`` () =
    let argv = [ "--runas=997"; "--quiet" ] @ withDisk valid
    match parse argv with
    | Ok(CommandLine.Run settings) ->
        Expect.equalText "Some 997" $"%A{settings.RunAs}"
        Assert.True(settings.Quiet, "--quiet")
    | other -> Expect.fail $"expected a boot as uid 997, got %A{other}"

[<Theory>]
[<InlineData("0")>]
[<InlineData("root")>]
[<InlineData("-5")>]
[<InlineData("997x")>]
let ``--runas that is root or not a numeric uid is refused`` (uid: string) =
    match parse ([ $"--runas={uid}" ] @ withDisk valid) with
    | Error(CommandLine(InvalidRunAs(value, _))) -> Expect.equalText uid value
    | other -> Expect.fail $"expected InvalidRunAs {uid}, got %A{other}"

[<Fact>]
let ``the deadline stays 10 s under libxl's timeout and --timeout can only shorten it`` () =
    let deadline env argv =
        match CommandLine.parse env (List.toArray (withDisk (valid @ argv))) with
        | Ok(CommandLine.Run settings) -> $"%A{settings.Limits.DeadlineSeconds}"
        | other -> $"%A{other}"
    let libxl value =
        fun name -> if name = "LIBXL_BOOTLOADER_TIMEOUT" then Some value else None
    Expect.equalText "Some 110" (deadline (fun _ -> None) [])
    Expect.equalText "Some 30" (deadline (fun _ -> None) [ "--timeout=30" ])
    Expect.equalText "None" (deadline (fun _ -> None) [ "--timeout=0" ])
    Expect.equalText "Some 110" (deadline (libxl "120") [])
    Expect.equalText "Some 290" (deadline (libxl "300") [])
    Expect.equalText "Some 50" (deadline (libxl "60") [ "--timeout=200" ])
    Expect.equalText "Some 50" (deadline (libxl "60") [ "--timeout=0" ])
    Expect.equalText "None" (deadline (libxl "0") [])
    Expect.equalText "Some 20" (deadline (libxl "0") [ "--timeout=20" ])
    Expect.equalText "Some 1" (deadline (libxl "5") [])

[<Fact>]
let ``no --server is an error`` () =
    match parse (withDisk (without "--server")) with
    | Error(CommandLine MissingServer) -> ()
    | other -> Expect.fail $"expected MissingServer, got %A{other}"

[<Theory>]
[<InlineData("--httpport", "0")>]
[<InlineData("--httpport", "65536")>]
[<InlineData("--httpport", "http")>]
[<InlineData("--httpport", "-1")>]
[<InlineData("--httpport", "80a")>]
[<InlineData("--httpport", "+80")>]
[<InlineData("--httpport", " 80")>]
[<InlineData("--grpcport", "0")>]
[<InlineData("--grpcport", "99999")>]
[<InlineData("--grpcport", "8081.0")>]
[<InlineData("--grpcport", "0x1f91")>]
let ``a port that is not 1 to 65535 is an error naming the flag`` (flag: string, value: string) =
    match parse (withDisk (valid @ [ $"{flag}={value}" ])) with
    | Error(CommandLine(InvalidPort(f, v))) -> Expect.equal "flag and value" (flag, value) (f, v)
    | other -> Expect.fail $"{flag}={value}: expected InvalidPort, got %A{other}"

[<Theory>]
[<InlineData("mb:8081")>]
[<InlineData("matchbox.example.com:8081")>]
[<InlineData("http://matchbox.example.com")>]
[<InlineData("https://mb:8081/")>]
[<InlineData("mb/assets")>]
[<InlineData("user@mb")>]
let ``a --server that is not a bare host is an error`` (server: string) =
    match parse (withDisk (without "--server" @ [ $"--server={server}" ])) with
    | Error(CommandLine(InvalidServer(flag, value, _))) ->
        Expect.equal "flag and value" ("--server", server) (flag, value)
    | other -> Expect.fail $"--server={server}: expected InvalidServer, got %A{other}"

[<Fact>]
let ``an IPv6 --server in brackets is kept without them`` () =
    let settings = settingsOf (withDisk (without "--server" @ [ "--server"; "[fd00::1]" ]))
    Expect.equal "hosts" [ "fd00::1" ] settings.Server.Servers.Hosts

[<Fact>]
let ``no --lookup is an error`` () =
    match parse (withDisk (without "--lookup")) with
    | Error(CommandLine NoLookupLabels) -> ()
    | other -> Expect.fail $"expected NoLookupLabels, got %A{other}"

[<Fact>]
let ``without a client certificate the lookup goes over HTTP, and --ca becomes optional`` () =
    let bare = without "--cert" |> List.filter (fun a -> not (a.StartsWith "--key"))
    Expect.equal "client" None (settingsOf (withDisk bare)).Server.Client
    Expect.equal "ca" (Some "/ca.crt") (settingsOf (withDisk bare)).Server.CaFile
    let noCa = bare |> List.filter (fun a -> not (a.StartsWith "--ca"))
    Expect.equal "no ca" None (settingsOf (withDisk noCa)).Server.CaFile

[<Fact>]
let ``--http-only sets the client certificate aside`` () =
    Expect.equal "client" None (settingsOf (withDisk (valid @ [ "--http-only" ]))).Server.Client

[<Theory>]
[<InlineData("--cert", "--cert")>]
[<InlineData("--key", "--key")>]
let ``half a client certificate names the half missing`` (drop: string, missing: string) =
    match parse (withDisk (without drop)) with
    | Error(CommandLine(MissingTlsFlags(names, _))) -> Expect.equal "missing" [ missing ] names
    | other -> Expect.fail $"expected MissingTlsFlags, got %A{other}"

[<Fact>]
let ``a client certificate without --ca is an error: gRPC trusts only that CA`` () =
    match parse (withDisk (without "--ca")) with
    | Error(CommandLine(MissingTlsFlags(names, given))) ->
        Expect.equal "missing" [ "--ca" ] names
        Expect.equal "given" [ "--cert"; "--key" ] given
    | other -> Expect.fail $"expected MissingTlsFlags, got %A{other}"

/// Every timeout ends up in a runtime timer (CancelAfter, TimeSpan) that holds int.MaxValue ms.
let private timeoutSource =
    Gen.elements [ "--timeout"; "--connect-timeout"; "--read-timeout"; "LIBXL_BOOTLOADER_TIMEOUT" ]

let private parseTimeout (source: string) (value: string) =
    if source.StartsWith "LIBXL" then
        CommandLine.parse (fun name -> if name = source then Some value else None) (List.toArray (withDisk valid))
    else
        parse (withDisk (valid @ [ $"{source}={value}" ]))

[<Fact>]
let ``the largest timeout is what a timer holds: int.MaxValue milliseconds`` () =
    Expect.equal "seconds" (System.Int32.MaxValue / 1000) Limits.MaxTimeoutSeconds
    System.TimeSpan.FromSeconds(float Limits.MaxTimeoutSeconds).TotalMilliseconds <= float System.Int32.MaxValue
    |> Expect.isTrue "fits CancelAfter"

[<Property(MaxTest = 200)>]
let ``a timeout over what a timer holds is XMB-113 naming its source and the maximum, never accepted`` () =
    let case =
        gen {
            let! source = timeoutSource
            let! over = Gen.choose64 (int64 Limits.MaxTimeoutSeconds + 1L, System.Int64.MaxValue)
            let! digits = Gen.elements [ string over; string over + "0000000000"; "4294978"; "2147484" ]
            return source, digits
        }
    Prop.forAll (arb case) (fun (source, value) ->
        match parseTimeout source value with
        | Error(CommandLine(InvalidDuration(named, v)) as error) ->
            Expect.equal "source and value" (source, value) (named, v)
            Expect.equalText "XMB-113" (code error)
            Expect.isTrue (describe error) ((describe error).Contains(string Limits.MaxTimeoutSeconds))
        | other -> Expect.fail $"{source}={value}: expected InvalidDuration, got %A{other}")

[<Property(MaxTest = 200)>]
let ``any timeout up to the maximum is accepted, and a lookup's connect plus read time always fits a timer`` () =
    let case =
        gen {
            let! connect = Gen.choose (1, Limits.MaxTimeoutSeconds)
            let! read = Gen.choose (1, Limits.MaxTimeoutSeconds)
            let! timeout = Gen.choose (0, Limits.MaxTimeoutSeconds)
            return connect, read, timeout
        }
    Prop.forAll (arb case) (fun (connect, read, timeout) ->
        let argv =
            withDisk (valid @ [ $"--connect-timeout={connect}"; $"--read-timeout={read}"; $"--timeout={timeout}" ])
        match parse argv, int64 connect + int64 read <= int64 Limits.MaxTimeoutSeconds with
        | Ok(CommandLine.Run settings), true ->
            Expect.equal
                "limits"
                (connect, read, (if timeout = 0 then None else Some timeout))
                (settings.Limits.ConnectSeconds, settings.Limits.ReadSeconds, settings.Limits.DeadlineSeconds)
        | Error(CommandLine(InvalidDuration(named, value))), false ->
            Expect.equalText "--connect-timeout plus --read-timeout" named
            Expect.equalText (string (int64 connect + int64 read)) value
        | other, fits -> Expect.fail $"connect {connect} read {read} (fits: {fits}): got %A{other}")

[<Theory>]
[<InlineData("--timeout", "4294968")>]
[<InlineData("--connect-timeout", "2147484")>]
[<InlineData("--read-timeout", "2147484")>]
[<InlineData("LIBXL_BOOTLOADER_TIMEOUT", "4294978")>]
let ``the timeouts of the issue are XMB-113 with the maximum`` (source: string, value: string) =
    match parseTimeout source value with
    | Error error ->
        Expect.equalText "XMB-113" (code error)
        Expect.isTrue
            (describe error)
            ((describe error).Contains $"{source} '{value}' is not a whole number of seconds from 0 to 2147483")
    | other -> Expect.fail $"expected XMB-113, got %A{other}"

[<Fact>]
let ``no --output-directory is an error`` () =
    match parse (withDisk (without "--output-directory")) with
    | Error(CommandLine MissingOutputDirectory) -> ()
    | other -> Expect.fail $"expected MissingOutputDirectory, got %A{other}"

[<Theory>]
[<InlineData("SIMPLE0")>]
[<InlineData("json")>]
let ``an unknown --output-format is an error`` (format: string) =
    match parse (withDisk (without "--output-format" @ [ $"--output-format={format}" ])) with
    | Error(CommandLine(UnknownOutputFormat f)) -> Expect.equalText format f
    | other -> Expect.fail $"expected UnknownOutputFormat, got %A{other}"

/// The protocol doc's own example passes --endpoint=mb:8081, a flag we do not have: the operator
/// must be told which flag, not that the disk is out of place.
[<Fact>]
let ``an unknown flag is rejected naming that flag`` () =
    match parse (withDisk (valid @ [ "--endpoint=mb:8081" ])) with
    | Error(CommandLine(CommandLineRejected reason)) ->
        Expect.isTrue $"{Expect.escaped reason} does not name the flag" (reason.Contains "--endpoint")
        Expect.isTrue $"{Expect.escaped reason} is not one line" (not (reason.Contains "\n"))
    | other -> Expect.fail $"expected CommandLineRejected, got %A{other}"

[<Fact>]
let ``an unknown flag is never taken for the disk`` () =
    match parse (valid @ [ "--endpoint=mb:8081" ]) with
    | Error(CommandLine(CommandLineRejected _)) -> ()
    | Ok(CommandLine.Run settings) -> Expect.fail $"--endpoint=mb:8081 was read as the disk %A{settings.Disk}"
    | other -> Expect.fail $"expected CommandLineRejected, got %A{other}"

[<Fact>]
let ``--help shows usage that explains bootloader_args`` () =
    match parse [ "--help" ] with
    | Ok(CommandLine.ShowHelp text) ->
        Expect.isTrue "the help text does not mention bootloader_args" (text.Contains "bootloader_args")
        Expect.isTrue "the help text does not list --lookup" (text.Contains "--lookup")
    | other -> Expect.fail $"expected ShowHelp, got %A{other}"

/// libxl writes its flags as --name=value (xen-bootloader-protocol.md §2); with an empty value
/// (kernel = "" in the config, say) it is still that flag, not the disk.
[<Theory>]
[<InlineData("--kernel=")>]
[<InlineData("--ramdisk=")>]
[<InlineData("--args=")>]
let ``an empty value in libxl's --flag= form is accepted`` (flag: string) =
    let settings = settingsOf (flag :: withDisk valid)
    Expect.equal "config args" None settings.ConfigArgs
