/// The steps of a run as the Domain plans them: what is prepared as root, how the profile is looked
/// up, and the plan a boot, show and stage each carry out.
module BootWorkflowTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Boot
open Generators

let private noEnvironment (_: string) : string option = None

let private tls = [ "--ca"; "/etc/mb/ca.crt"; "--cert"; "/etc/mb/c.crt"; "--key"; "/etc/mb/c.key" ]

/// Settings from argv as libxl (a boot) or an operator (show, stage) writes it.
let private settings (argv: string list) =
    match CommandLine.parse noEnvironment (Array.ofList argv) |> Expect.ok (String.concat " " argv) with
    | CommandLine.Run settings -> settings
    | CommandLine.ShowHelp _ -> failwith "help, not a run"
    | CommandLine.ShowVersion -> failwith "--version, not a run"
    | CommandLine.Check _ -> failwith "check, not a run"

let private libxl more =
    [ "--output=/var/lib/xen/bootloader.7.out"
      "--output-format=simple0"
      "--output-directory=/var/lib/xen/bootloader.7.d" ]
    @ [ "--server"; "mb" ]
    @ more
    @ [ "/dev/vg/disk" ]

let private boot more =
    settings (libxl ([ "--lookup"; "mac=52:54:00:aa:bb:cc" ] @ tls @ more))
let private show more =
    settings ([ "show"; "--server"; "mb"; "--lookup"; "mac=52:54:00:aa:bb:cc" ] @ tls @ more)
let private stage more =
    settings ([ "stage"; "--dir"; "/srv/xen/g1"; "--server"; "mb"; "--lookup"; "mac=52:54:00:aa:bb:cc" ] @ tls @ more)

let private profile args : Profile.UnvalidatedProfile =
    { Id = "fcos"
      Kernel = "/assets/vmlinuz"
      Initrds = [ "/assets/a.img"; "/assets/b.img" ]
      Args = args }

let private labels = Expect.ok "labels" (Labels.fromLookups [ "mac=52:54:00:aa:bb:cc" ])

let private plan (s: CommandLine.Settings) args =
    create s (routes s.Server labels |> List.head) labels labels (profile args)

[<Fact>]
let ``a boot opens libxl's file, links cached files, and drops privileges only when asked`` () =
    let plain = prepare (boot []) true
    Assert.True(plain.OpenResultFile)
    Assert.True(plain.LinkCachedFiles)
    Assert.Equal(None, plain.DropTo)
    Assert.Equal(WhenArgsNeedIt, plain.Identity)
    Assert.True(plain.CacheWritable)
    let restricted = prepare (boot [ "--runas=997"; "--quiet" ]) true
    Assert.Equal(Some([ "kernel"; "ramdisk" ], 997), restricted.DropTo)
    // The dropped uid could not read xenstore later, nor may it store into the cache.
    Assert.Equal(BeforeLookup, restricted.Identity)
    Assert.False(restricted.CacheWritable)
    Assert.Equal(Silent, restricted.Progress)

[<Fact>]
let ``stage creates its directory and never links, and a dry run uses no cache and shows no progress`` () =
    let staging = prepare (stage []) true
    Assert.Equal(Some "/srv/xen/g1", staging.CreateDirectory)
    Assert.False(staging.LinkCachedFiles)
    Assert.False(staging.OpenResultFile)
    Assert.Equal(Redrawn, staging.Progress)
    let dry = prepare (show []) true
    Assert.Equal(None, dry.Cache)
    Assert.Equal(Silent, dry.Progress)
    Assert.Equal(None, (prepare (boot [ "--not-really" ]) true).Cache)

[<Property>]
let ``progress is redrawn only on a terminal that does not carry the result`` (terminal: bool) =
    let toFile = prepare (boot []) terminal
    let toStdout =
        prepare
            (settings (
                [ "--output-directory=/var/lib/xen/bootloader.7.d"; "--server"; "mb"; "--lookup"; "a=b" ]
                @ tls
                @ [ "/d" ]
            ))
            terminal
    toFile.Progress = (if terminal then Redrawn else Summaries) && toStdout.Progress = Summaries

[<Fact>]
let ``a lookup by the domain's own uuid reads xenstore before the lookup`` () =
    Assert.Equal(BeforeLookup, (prepare (boot [ "--lookup"; "uuid" ]) false).Identity)

[<Fact>]
let ``the route is gRPC with a client certificate, else /ipxe with the labels, an IPv6 host in brackets`` () =
    Assert.Equal<LookupRoute list>([ Grpc("mb", "mb:8081") ], routes (boot []).Server labels)
    let httpOnly = settings [ "show"; "--server"; "fd00::1"; "--lookup"; "mac=52:54:00:aa:bb:cc" ]
    match routes httpOnly.Server labels with
    | [ Ipxe(host, endpoint, url) as only ] ->
        Assert.Equal("fd00::1", host)
        Assert.Equal("http://[fd00::1]:8080/ipxe", endpoint)
        Assert.Equal("http://[fd00::1]:8080/ipxe?mac=52%3A54%3A00%3Aaa%3Abb%3Acc", url)
        Assert.Equal("HTTP " + url, describeRoute only)
        Assert.Equal(endpoint, routeServer only)
    | _ -> failwith "expected one /ipxe route"

[<Theory>]
[<InlineData("xmb.uuid=${uuid}", "uuid")>]
[<InlineData("n={{ .name }}", "name")>]
[<InlineData("console=hvc0", "")>]
[<InlineData("m=${mac:hexhyp}", "")>]
let ``xenstore is needed only for a domain label the args use and no label gives`` (arg: string, expected: string) =
    Assert.Equal((if expected = "" then None else Some expected), missingDomainLabel labels (profile [ arg ]))
    let given = Expect.ok "labels" (Labels.fromLookups [ "uuid=u1"; "name=n1" ])
    Assert.Equal(None, missingDomainLabel given (profile [ arg ]))

[<Fact>]
let ``a boot fetches the kernel and the ramdisk into libxl's directory and writes what libxl reads`` () =
    let run = plan (boot []) [ "console=hvc0" ] |> Expect.ok "plan"
    match run.Work with
    | Install([ kernel; ramdisk ], bytes, keep) ->
        Assert.Equal(Kernel, kernel.Role)
        Assert.Equal("/var/lib/xen/bootloader.7.d/kernel", kernel.Target)
        Assert.Equal(Limits.DefaultMaxKernelBytes, kernel.MaxBytes)
        Assert.Equal(2, ramdisk.Urls.Length)
        Assert.Equal("/var/lib/xen/bootloader.7.d/ramdisk", ramdisk.Target)
        Assert.Equal(Limits.DefaultMaxRamdiskBytes, ramdisk.MaxBytes)
        Assert.Equal<byte array>(run.Result, bytes)
        Assert.Equal<string list>([ kernel.Target; ramdisk.Target ], keep)
    | _ -> failwith "expected two downloads and the result"
    Assert.Equal(
        Some "kernel /var/lib/xen/bootloader.7.d/kernel, ramdisk /var/lib/xen/bootloader.7.d/ramdisk ready",
        readyLine run
    )
    Assert.Equal("profile fcos matches mac=52:54:00:aa:bb:cc", foundLine run)

[<Fact>]
let ``stage fetches into its directory and prints the stanza; a dry run probes the kernel then each initrd`` () =
    match (plan (stage []) []) |> Expect.ok "stage" with
    | { Work = Stage([ k; r ], text, keep) } ->
        Assert.Equal("/srv/xen/g1/kernel", k.Target)
        Assert.StartsWith("kernel = \"/srv/xen/g1/kernel\"", text)
        Assert.Equal<string list>([ k.Target; r.Target ], keep)
    | _ -> failwith "expected stage's plan"
    match (plan (show []) []) |> Expect.ok "show" with
    | { Work = Show(probes, DryRun.TextReport) } as run ->
        Assert.Equal<DryRun.Probed list>(
            [ DryRun.Probed.Kernel; DryRun.Probed.Initrd; DryRun.Probed.Initrd ],
            probes |> List.map _.Role
        )
        Assert.Equal<string list>([ "kernel"; "initrd"; "initrd" ], probes |> List.map (_.Role >> DryRun.probedName))
        Assert.Equal(None, readyLine run)
        let release = Release.ofInformationalVersion "0.1.0"
        let report =
            report
                release
                (show [])
                run
                None
                None
                (List.zip3
                    probes
                    [ DryRun.Declared 5L; DryRun.Undeclared; DryRun.Declared 0L ]
                    [ DryRun.Unchecked; DryRun.Unchecked; DryRun.Unchecked ])
        Assert.Equal(3, report.Assets.Length)
        Assert.Equal<DryRun.Probed list>(probes |> List.map _.Role, report.Assets |> List.map _.Role)
        Assert.Equal(DryRun.Declared 5L, report.Assets.Head.Head)
        Assert.Equal("gRPC mb:8081", report.LookupVia)
    | _ -> failwith "expected a dry run's plan"

[<Fact>]
let ``every check a boot makes before downloading fails the plan, so nothing is fetched`` () =
    Assert.Equal("XMB-315", plan (stage []) [ "a\u0007b" ] |> Expect.error "stanza" |> Errors.code)
    Assert.Equal("XMB-310", plan (boot []) [ "x=${nolabel}" ] |> Expect.error "args" |> Errors.code)
    Assert.Equal("XMB-310", plan (show []) [ "x=${nolabel}" ] |> Expect.error "args" |> Errors.code)

[<Fact>]
let ``hashing ahead may go on with every planned URL, and the recent file names only the single-URL downloads`` () =
    match (plan (boot []) [ "console=hvc0" ] |> Expect.ok "plan").Work with
    | Install(downloads, _, _) ->
        let kernel, initrds = downloads.Head.Urls.Head.Shown, downloads.[1].Urls |> List.map _.Shown
        Assert.Equal<string list>(kernel :: initrds, plannedUrls downloads)
        // Two initrds are appended into one file: no entry of their own to remember.
        Assert.Equal(2, initrds.Length)
        Assert.Equal<string list>([ kernel ], recentUrls downloads)
        Assert.Equal<string list>([ kernel ], recentUrls [ downloads.Head ])
        Assert.Equal<string list>(
            kernel :: [ initrds.Head ],
            recentUrls [ downloads.Head; { downloads.[1] with Urls = [ downloads.[1].Urls.Head ] } ]
        )
    | _ -> failwith "expected a boot"
