/// The boot plan made from a matched profile: what to download, the local file names libxl will
/// be given, and the kernel command line.
module BootPlanTests

open System.Text
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators
open TemplateGenerators

let private httpBase: Profile.HttpBase = { Host = "matchbox.example.com"; Port = 8080; Secure = false }

let private labels = labelsOf [ "mac", "52:54:00:aa:bb:cc"; "uuid", "0b7c5b08" ]

let private profile kernel initrds args : Profile.UnvalidatedProfile =
    { Id = "fcos"; Kernel = kernel; Initrds = initrds; Args = args }

let private plan configArgs profile =
    Profile.create httpBase "/var/lib/xen/bootloader.7.d" labels configArgs profile

[<Theory>]
[<InlineData("")>]
[<InlineData("   ")>]
let ``a profile without a kernel cannot be booted`` (kernel: string) =
    match plan None (profile kernel [ "/assets/i" ] []) with
    | Error(Plan(ProfileWithoutKernel "fcos")) -> ()
    | other -> Expect.fail $"expected ProfileWithoutKernel, got %A{other}"

[<Fact>]
let ``a profile without initrds boots with no ramdisk`` () =
    let plan = plan None (profile "/assets/k" [] []) |> Expect.ok "the plan"
    Expect.equal "ramdisk path" None plan.RamdiskPath
    Expect.equal "initrds" [] (plan.Initrds |> List.map (fun u -> u.Value))

[<Fact>]
let ``the FCOS live profile becomes kernel, one named initrd and its expanded args`` () =
    let fcos =
        profile
            "/assets/fedora-coreos/fedora-coreos-36.20220906.3.2-live-kernel-x86_64"
            [ "--name main /assets/fedora-coreos/fedora-coreos-36.20220906.3.2-live-initramfs.x86_64.img" ]
            [ "initrd=main"
              "ignition.firstboot"
              "ignition.config.url=http://matchbox.example.com:8080/ignition?uuid=${uuid}&mac=${mac:hexhyp}" ]
    let plan = plan (Some "console=hvc0") fcos |> Expect.ok "the plan"
    Expect.equalText
        "http://matchbox.example.com:8080/assets/fedora-coreos/fedora-coreos-36.20220906.3.2-live-kernel-x86_64"
        plan.Kernel.Value
    Expect.equal
        "initrds"
        [ "http://matchbox.example.com:8080/assets/fedora-coreos/fedora-coreos-36.20220906.3.2-live-initramfs.x86_64.img" ]
        (plan.Initrds |> List.map (fun u -> u.Value))
    Expect.equalText "/var/lib/xen/bootloader.7.d/kernel" plan.KernelPath
    Expect.equal "ramdisk path" (Some "/var/lib/xen/bootloader.7.d/ramdisk") plan.RamdiskPath
    Expect.equal
        "command line"
        (Some
            "initrd=main ignition.firstboot ignition.config.url=http://matchbox.example.com:8080/ignition?uuid=0b7c5b08&mac=52-54-00-aa-bb-cc console=hvc0")
        plan.CommandLine

[<Property>]
let ``the kernel and ramdisk are always <dir>/kernel and <dir>/ramdisk, whatever the URLs name`` () =
    let case =
        gen {
            let! dir = nonEmptyTextOf "abcxyz019._-" |> Gen.map (fun d -> "/var/lib/xen/" + d)
            let! slash = Gen.elements [ ""; "/"; "//" ]
            let! names =
                Gen.nonEmptyListOf (
                    Gen.elements
                        [ "kernel"; "vmlinuz"; "../../etc/passwd"; "ramdisk"; "a%2Fb"; "initrd.img?x=1"; "k%23frag" ]
                )
            let! count = Gen.choose (0, 3)
            return dir, dir + slash, names, count
        }
    Prop.forAll (arb case) (fun (dir, given, names, count) ->
        let refs = names |> List.map (fun n -> "/assets/" + n)
        let initrds = List.replicate count refs |> List.concat
        let plan =
            Profile.create httpBase given labels None (profile (List.head refs) initrds []) |> Expect.ok "the plan"
        Expect.equalText (dir + "/kernel") plan.KernelPath
        Expect.equal "ramdisk path" (if count = 0 then None else Some(dir + "/ramdisk")) plan.RamdiskPath
        let each = initrds |> List.map (fun r -> (Profile.resolveAsset httpBase "fcos" r |> Expect.ok r).Value)
        Expect.equal "initrds, each resolved, in order" each (plan.Initrds |> List.map (fun u -> u.Value)))

[<Property>]
let ``the command line is the expanded profile args then the config's args, or none when both are empty`` () =
    let case =
        gen {
            let! args = Gen.listOf (nonEmptyTextOf "abc019=:/._-")
            let! config =
                Gen.oneof [ Gen.constant None; Gen.constant (Some ""); nonEmptyTextOf "abc019=:/._- " |> Gen.map Some ]
            return args, config
        }
    Prop.forAll (arb case) (fun (args, config) ->
        let plan = plan config (profile "/assets/k" [] args) |> Expect.ok "the plan"
        let expected =
            match String.concat " " args, defaultArg config "" with
            | "", "" -> None
            | profileArgs, "" -> Some profileArgs
            | "", configArgs -> Some configArgs
            | profileArgs, configArgs -> Some(profileArgs + " " + configArgs)
        Expect.equal "command line" expected plan.CommandLine)

/// Text of exactly n UTF-8 bytes, mixing 1-, 2-, 3- and 4-byte characters.
let private textOfBytes (n: int) =
    gen {
        let! pieces = Gen.listOfLength n (Gen.elements [ "a"; "="; " "; "é"; "€"; "😀" ])
        let out = StringBuilder()
        let mutable bytes = 0
        for piece in pieces do
            let size = Encoding.UTF8.GetByteCount piece
            if bytes + size <= n then
                out.Append piece |> ignore
                bytes <- bytes + size
        out.Append('a', n - bytes) |> ignore
        return out.ToString()
    }

[<Property>]
let ``a command line of up to 1023 UTF-8 bytes is kept and a longer one refused`` () =
    let case =
        gen {
            let! bytes = Gen.oneof [ Gen.choose (1000, 1050); Gen.elements [ 1022; 1023; 1024 ] ]
            // the line from the profile's args alone, the config's args alone, or both joined by a space
            let! profileBytes = Gen.oneof [ Gen.constant bytes; Gen.constant 0; Gen.choose (1, bytes - 2) ]
            let configBytes =
                if profileBytes = bytes then 0
                elif profileBytes = 0 then bytes
                else bytes - profileBytes - 1
            let! profileArgs =
                if profileBytes = 0 then Gen.constant [] else textOfBytes profileBytes |> Gen.map List.singleton
            let! configArgs = if configBytes = 0 then Gen.constant None else textOfBytes configBytes |> Gen.map Some
            return bytes, profileArgs, configArgs
        }
    Prop.forAll (arb case) (fun (bytes, profileArgs, configArgs) ->
        let line = (profileArgs @ Option.toList configArgs) |> String.concat " "
        Expect.equal "bytes of the generated line" bytes (Encoding.UTF8.GetByteCount line)
        match plan configArgs (profile "/assets/k" [] profileArgs) with
        | Ok plan when bytes <= Profile.MaxCommandLineBytes -> Expect.equal "command line" (Some line) plan.CommandLine
        | Error(Plan(ArgsTooLong(counted, limit))) when bytes > Profile.MaxCommandLineBytes ->
            Expect.equal "bytes and limit" (bytes, 1023) (counted, limit)
        | other -> Expect.fail $"{bytes} bytes: got %A{other}")
