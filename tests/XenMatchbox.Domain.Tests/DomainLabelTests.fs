/// The domain's own uuid and name: where the domid comes from, what xenstore-read answers, and
/// how the labels use them (a bare --lookup uuid, or ${uuid} in the profile's args).
module DomainLabelTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private uuid = "5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90"

[<Property(MaxTest = 100)>]
let ``the domid is read from libxl's output file, else from its directory`` () =
    Prop.forAll
        (arb (Gen.zip (Gen.choose (1, 32751)) (Gen.elements [ "/var/lib/xen"; "/var/run/xen"; "/run/xen/" ])))
        (fun (domid, dir) ->
            let dir = dir.TrimEnd '/'
            Expect.equal
                "from the file"
                (Some domid)
                (Xenstore.domid (Some $"{dir}/bootloader.{domid}.out") "/elsewhere")
            Expect.equal "from the directory" (Some domid) (Xenstore.domid None $"{dir}/bootloader.{domid}.d")
            Expect.equal
                "from the directory, trailing slash"
                (Some domid)
                (Xenstore.domid (Some "-") $"{dir}/bootloader.{domid}.d/"))

[<Theory>]
[<InlineData("/tmp/out", "/tmp/dir")>]
[<InlineData("/var/lib/xen/bootloader.out", "/var/lib/xen/bootloader.d")>]
[<InlineData("/var/lib/xen/bootloader.x7.out", "/var/lib/xen/bootloader.-7.d")>]
[<InlineData("/var/lib/xen/bootloader.0.out", "/var/lib/xen/bootloader.0.d")>]
let ``paths that name no domU give no domid`` (output: string, directory: string) =
    Expect.equal "domid" None (Xenstore.domid (Some output) directory)

[<Fact>]
let ``xenstore-read's two lines give the uuid (lower case) and the name`` () =
    Expect.equal "paths" [ "/local/domain/7/vm"; "/local/domain/7/name" ] (Xenstore.paths 7)
    let identity = Expect.ok "answer" (Xenstore.parseAnswer 7 $"/vm/{uuid.ToUpperInvariant()}\nfcos-1\n")
    Expect.equal "labels" [ "uuid", uuid; "name", "fcos-1" ] (Xenstore.labels identity)

[<Theory>]
[<InlineData("/vm/not-a-uuid\nfcos-1\n", "uuid")>]
[<InlineData("5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90\nfcos-1\n", "uuid")>]
[<InlineData("/vm/5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90\n\n", "name")>]
[<InlineData("/vm/5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90\n", "uuid")>]
[<InlineData("", "uuid")>]
let ``an answer that is not a vm path and a name is refused, naming the label`` (answer: string, key: string) =
    match Xenstore.parseAnswer 7 answer with
    | Error(Lookup(DomainLabelUnavailable([ k ], _))) -> Expect.equalText key k
    | other -> Expect.fail $"expected DomainLabelUnavailable, got %A{other}"

[<Fact>]
let ``a bare lookup is completed from the domain, after the given labels`` () =
    let lookup = Expect.ok "lookup" (Labels.parseLookup [ "uuid"; "mac=52-54-00-AA-BB-CC" ])
    let labels = Expect.ok "complete" (Labels.complete lookup [ "uuid", uuid; "name", "fcos-1" ] "")
    Expect.equalText $"mac=52:54:00:aa:bb:cc uuid={uuid}" (Labels.display labels)

[<Fact>]
let ``a bare lookup without the domain's value is DomainLabelUnavailable with the reason`` () =
    let lookup = Expect.ok "lookup" (Labels.parseLookup [ "name" ])
    match Labels.complete lookup [] "xenstore-read is not on PATH" with
    | Error(Lookup(DomainLabelUnavailable([ "name" ], detail))) ->
        Expect.equalText "xenstore-read is not on PATH" detail
    | other -> Expect.fail $"expected DomainLabelUnavailable, got %A{other}"

[<Fact>]
let ``a run by hand that needs the domain's uuid and name says how to give both with --lookup`` () =
    let lookup = Expect.ok "lookup" (Labels.parseLookup [ "uuid"; "name"; "os=fcos" ])
    match Labels.complete lookup [] Xenstore.NotUnderXl with
    | Error error ->
        Expect.equalText
            "XMB-212: the domain's uuid and the domain's name are needed but cannot be read from xenstore: libxl's output paths (bootloader.<domid>.out) name no domain, so this is a run by hand, not xl's — give them with --lookup uuid=<the domain's uuid> --lookup name=<the domain's name>, or run xenmatchbox under xl in dom0 (xenstore-read on PATH)"
            (Errors.describe error)
    | other -> Expect.fail $"expected DomainLabelUnavailable, got %A{other}"

[<Fact>]
let ``a run by hand that needs the domain's uuid names the label and the flag`` () =
    let lookup = Expect.ok "lookup" (Labels.parseLookup [ "uuid" ])
    match Labels.complete lookup [ "name", "fcos-1" ] Xenstore.NotUnderXl with
    | Error error ->
        Expect.isTrue
            (Errors.describe error)
            ((Errors.fix error).StartsWith "give it with --lookup uuid=<the domain's uuid>")
        Expect.equal "code" "XMB-212" (Errors.code error)
    | other -> Expect.fail $"expected DomainLabelUnavailable, got %A{other}"

[<Fact>]
let ``a key both bare and with a value is refused`` () =
    match Labels.parseLookup [ "uuid"; $"uuid={uuid}" ] with
    | Error(CommandLine(InvalidLabel _)) -> ()
    | other -> Expect.fail $"expected InvalidLabel, got %A{other}"

[<Property(MaxTest = 100)>]
let ``extending labels never replaces one that is there`` () =
    Prop.forAll (arb (Gen.zip labelSet (Gen.zip labelKey labelValue))) (fun (pairs, (key, value)) ->
        let labels = Expect.ok "labels" (Labels.fromLookups (pairs |> List.map (fun (k, v) -> $"{k}={v}")))
        let extended = Labels.extend labels [ key, value ]
        match Labels.tryFind key labels with
        | Some before -> Expect.equal "kept" (Some before) (Labels.tryFind key extended)
        | None -> Expect.equal "added" (Labels.keys labels @ [ key ]) (Labels.keys extended))

[<Theory>]
[<InlineData("xmb.uuid=${uuid}|console=hvc0", "uuid")>]
[<InlineData("a={{ .name }}|b=${net0/mac:hexhyp}|c=${uuid:uristring}", "name mac uuid")>]
[<InlineData("console=hvc0", "")>]
[<InlineData("${uuid}${UUID}|{{.uuid}}", "uuid")>]
[<InlineData("broken=${uuid|fine=${name}", "name")>]
let ``the args' references name the labels they need`` (args: string, keys: string) =
    let expected = keys.Split(' ', System.StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
    Expect.equal "references" expected (Template.references (List.ofArray (args.Split '|')))
