/// Several matchbox servers: --server repeated or comma-separated, on the command line, in
/// XENMATCHBOX_SERVER and in the configuration file, validated into one ordered list.
module ServerListTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private file = "/etc/xen/xenmatchbox.conf"

let private run (variables: (string * string) list) (config: string option) (flags: string list) =
    let argv =
        [ "--output=/var/lib/xen/bootloader.7.out"
          "--output-directory=/var/lib/xen/bootloader.7.d"
          "--lookup=mac=52:54:00:aa:bb:cc" ]
        @ flags
        @ [ "/dev/vg0/guest" ]
    CommandLine.parseIn
        { Environment = fun name -> variables |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd
          OwnVariables = variables |> List.map fst
          ConfigFile = config |> Option.map (fun text -> file, text)
          HostConfigFile = None
          Examiner = None }
        (List.toArray argv)

let private hosts variables config flags =
    match run variables config flags with
    | Ok(CommandLine.Run settings) -> settings.Server.Servers.Hosts
    | other -> Expect.fail $"expected settings, got %A{other}"

let private hostsFrom variables config = hosts variables config []

let private invalid variables config flags =
    match run variables config flags with
    | Error(CommandLine(InvalidServer(source, value, reason))) -> source, value, reason
    | other -> Expect.fail $"expected InvalidServer, got %A{other}"

/// Distinct hosts, each with the spellings --server accepts for it.
let private distinctHosts =
    // A DNS label holds at most 63 characters.
    let name = nonEmptyTextOf "abcxyz019-" |> Gen.map (fun n -> "h" + n.Substring(0, min n.Length 40) + ".example")
    let ipv4 = Gen.choose (1, 254) |> Gen.map (fun n -> $"192.0.2.{n}", $"192.0.2.{n}")
    let ipv6 =
        Gen.choose (1, 65535)
        |> Gen.map (fun n -> $"fd00::{n:x}", $"fd00::{n:x}")
        |> Gen.bind (fun (h, _) -> Gen.elements [ h, h; h, $"[{h}]" ])
    Gen.oneof [ name |> Gen.map (fun h -> h, h); ipv4; ipv6 ]
    |> Gen.nonEmptyListOf
    |> Gen.map (List.distinctBy fst >> List.truncate 5)

/// The spelled hosts cut into --server values: each value one host or several joined by commas,
/// with spaces around the items.
let private spelled (items: string list) =
    gen {
        let! cuts = Gen.listOfLength items.Length (Gen.elements [ true; false ])
        let! pads = Gen.listOfLength items.Length (Gen.elements [ ""; " "; "  " ])
        let padded = List.map2 (fun (item: string) pad -> pad + item + pad) items pads
        let values =
            List.zip padded cuts
            |> List.fold
                (fun (values: string list list) (item, cut) ->
                    match values with
                    | current :: earlier when not cut -> (current @ [ item ]) :: earlier
                    | _ -> [ item ] :: values)
                []
            |> List.rev
            |> List.map (String.concat ",")
        return values
    }

[<Property(MaxTest = 100)>]
let ``servers repeated or comma-separated, in any mix, give the hosts in the order written`` () =
    let case =
        gen {
            let! hosts = distinctHosts
            let! values = spelled (List.map snd hosts)
            return List.map fst hosts, values
        }
    Prop.forAll (arb case) (fun (expected, values) ->
        let flags = values |> List.collect (fun v -> [ "--server"; v ])
        Expect.equal "hosts" expected (hosts [] None flags)
        Expect.equal "as =" expected (hosts [] None (values |> List.map (fun v -> $"--server={v}"))))

[<Property(MaxTest = 100)>]
let ``the environment and the configuration file give the same list as the command line`` () =
    Prop.forAll (arb distinctHosts) (fun hosts ->
        let expected = List.map fst hosts
        let joined = hosts |> List.map snd |> String.concat ", "
        Expect.equal "environment" expected (hostsFrom [ "XENMATCHBOX_SERVER", joined ] None)
        Expect.equal "file, one line" expected (hostsFrom [] (Some $"server = {joined}\n"))
        let lines = hosts |> List.map (fun (_, typed) -> $"server = {typed}\n") |> String.concat ""
        Expect.equal "file, a line each" expected (hostsFrom [] (Some lines)))

[<Property(MaxTest = 100)>]
let ``a host given twice, in any spelling, is refused naming it`` () =
    let case =
        gen {
            let! hosts = distinctHosts
            let! at = Gen.choose (0, hosts.Length - 1)
            let host, typed = hosts[at]
            let! again =
                Gen.elements (
                    if host.Contains ':' then
                        [ host; $"[{host}]"; host.ToUpperInvariant() ]
                    else
                        [ host; host.ToUpperInvariant() ]
                )
            return (hosts |> List.map snd) @ [ again ], again, typed
        }
    Prop.forAll (arb case) (fun (values, again, _) ->
        let source, value, reason = invalid [] None (values |> List.collect (fun v -> [ "--server"; v ]))
        Expect.equal "source" "--server" source
        Expect.equal "value" again value
        Expect.isTrue reason (reason.Contains "twice"))

[<Theory>]
[<InlineData("a,,b")>]
[<InlineData("a,")>]
[<InlineData(",a")>]
[<InlineData(" , ")>]
[<InlineData("")>]
let ``an empty item is refused`` (value: string) =
    let _, _, reason = invalid [] None [ "--server"; value ]
    Expect.isTrue reason (reason.Contains "empty")

[<Theory>]
[<InlineData("mb,mb2:8081", "it carries a port")>]
[<InlineData("mb,[::1]:8081", "it carries a port")>]
[<InlineData("mb,[mb2]", "only an IPv6 address goes in brackets")>]
[<InlineData("mb,http://mb2", "it is a URL, not a host")>]
[<InlineData("mb;mb2", "it is not a host name")>]
[<InlineData("mb mb2", "it is not a host name")>]
let ``an item that is not a bare host is refused with why`` (value: string, reason: string) =
    let _, _, actual = invalid [] None [ "--server"; value ]
    Expect.equal "reason" reason actual

[<Fact>]
let ``IPv6 literals in brackets or bare sit in a list beside names`` () =
    Expect.equal
        "hosts"
        [ "::1"; "127.0.0.1"; "fd00::2"; "mb" ]
        (hosts [] None [ "--server"; "[::1], 127.0.0.1,fd00::2"; "--server"; "mb" ])
    Expect.equal
        "shown"
        "[::1],127.0.0.1"
        (match run [] None [ "--server=[::1],127.0.0.1" ] with
         | Ok(CommandLine.Run s) -> Servers.display s.Server.Servers
         | other -> Expect.fail $"%A{other}")

[<Fact>]
let ``the command line's servers replace the environment's and the file's, and the environment's the file's`` () =
    let config = Some "server = f1\nserver = f2\n"
    Expect.equal
        "command line"
        [ "c1"; "c2" ]
        (hosts [ "XENMATCHBOX_SERVER", "e1" ] config [ "--server=c1"; "--server=c2" ])
    Expect.equal "environment" [ "e1"; "e2" ] (hosts [ "XENMATCHBOX_SERVER", "e1,e2" ] config [])
    Expect.equal "file" [ "f1"; "f2" ] (hosts [] config [])

[<Fact>]
let ``a bad item in the file names its line`` () =
    let source, value, _ = invalid [] (Some "# hosts\nserver = mb1\nserver = mb2,,mb3\n") []
    Expect.equal "source" $"server ({file} line 3)" source
    Expect.equal "value" "mb2,,mb3' item '" value
    let source, _, _ = invalid [ "XENMATCHBOX_SERVER", "mb1,mb1" ] None []
    Expect.equal "variable" "XENMATCHBOX_SERVER" source

[<Fact>]
let ``a key set twice in the file is still refused for a flag that is not repeatable`` () =
    match run [] (Some "server = mb\nhttpport = 1\nhttpport = 2\n") [] with
    | Error(CommandLine(ConfigRejected(_, 3, reason))) -> Expect.isTrue reason (reason.Contains "second time")
    | other -> Expect.fail $"expected ConfigRejected on line 3, got %A{other}"
