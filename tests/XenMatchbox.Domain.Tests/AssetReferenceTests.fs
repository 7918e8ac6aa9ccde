/// A profile's kernel and initrd references, written for iPXE or GRUB, turned into the URL to
/// download (matchbox-api.md §3.3).
module AssetReferenceTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private resolved (httpBase: Profile.HttpBase) (reference: string) =
    Profile.resolveAsset httpBase "fcos" reference |> Expect.ok reference |> fun url -> url.Value

/// Host names as written in --server (lower case: URLs carry hosts in lower case).
let private hostName =
    gen {
        // each label starts with a letter, so no host reads as a numeric IPv4 address
        let label =
            Gen.map2
                (fun first rest -> first + rest)
                (nonEmptyTextOf "abcdefghijklmnopqrstuvwxyz")
                (textOf "abcdefghijklmnopqrstuvwxyz0123456789-")
        let! labels =
            Gen.listOfLength
                3
                (label |> Gen.map (fun l -> (if l.Length > 10 then l.Substring(0, 10) else l).TrimEnd '-'))
        let! count = Gen.choose (1, 3)
        return labels |> List.truncate count |> String.concat "."
    }

/// Ports that are no scheme's default, so they always show in the URL.
let private port = Gen.choose (1024, 65535)

/// Server paths such as /assets/fedora-coreos/fedora-coreos-…-live-kernel-x86_64.
let private assetPath =
    Gen.nonEmptyListOf (nonEmptyTextOf "abcdefghijklmnopqrstuvwxyz0123456789-_.")
    |> Gen.map (List.filter (fun s -> s <> "." && s <> "..") >> List.truncate 4)
    |> Gen.filter (not << List.isEmpty)
    |> Gen.map (fun segments -> "/assets/" + String.concat "/" segments)

[<Property>]
let ``a server path resolves against matchbox's HTTP address`` () =
    Prop.forAll (arb (Gen.zip3 hostName port assetPath)) (fun (host, port, path) ->
        Expect.equalText $"http://{host}:{port}{path}" (resolved { Host = host; Port = port; Secure = false } path))

[<Theory>]
[<InlineData("fd00::1", "http://[fd00::1]:8080/assets/k")>]
[<InlineData("2001:db8::8", "http://[2001:db8::8]:8080/assets/k")>]
[<InlineData("192.0.2.10", "http://192.0.2.10:8080/assets/k")>]
let ``a server path on an IP address host gets a valid URL, IPv6 in brackets`` (host: string, expected: string) =
    Expect.equalText expected (resolved { Host = host; Port = 8080; Secure = false } "/assets/k")

[<Property>]
let ``an absolute http or https URL is fetched as it is`` () =
    let url =
        gen {
            let! scheme = Gen.elements [ "http"; "https" ]
            let! host = hostName
            let! port = Gen.oneof [ Gen.constant ""; port |> Gen.map (sprintf ":%d") ]
            let! path = assetPath
            return $"{scheme}://{host}{port}{path}"
        }
    Prop.forAll (arb (Gen.zip hostName url)) (fun (server, url) ->
        Expect.equalText url (resolved { Host = server; Port = 8080; Secure = false } url))

[<Property>]
let ``iPXE options in front of the reference are dropped`` () =
    let case =
        gen {
            let! reference = Gen.oneof [ assetPath; assetPath |> Gen.map (fun p -> "https://builds.example.org" + p) ]
            let! option =
                Gen.elements [ "--name main "; "-n main "; "--name=main "; "--name  main\t"; "-n initrd.img " ]
            return reference, option + reference
        }
    Prop.forAll (arb case) (fun (reference, withOptions) ->
        let httpBase: Profile.HttpBase = { Host = "matchbox.example.com"; Port = 8080; Secure = false }
        Expect.equalText (resolved httpBase reference) (resolved httpBase withOptions))

[<Theory>]
[<InlineData("(http;matchbox.example.com:8080)/assets/k", "http://matchbox.example.com:8080/assets/k")>]
[<InlineData("(http,matchbox.example.com)/assets/k", "http://matchbox.example.com/assets/k")>]
let ``a GRUB (http) device in front of the path becomes an http URL`` (reference: string, expected: string) =
    Expect.equalText expected (resolved { Host = "other.example.com"; Port = 9999; Secure = false } reference)

[<Theory>]
[<InlineData("file:///etc/shadow")>]
[<InlineData("tftp://boot.example.com/vmlinuz")>]
[<InlineData("ftp://boot.example.com/vmlinuz")>]
[<InlineData("--name main file:///var/lib/matchbox/assets/k")>]
[<InlineData("nfs://server/export/k")>]
let ``a file, tftp or other non-http URL is refused`` (reference: string) =
    match Profile.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "fcos" reference with
    | Error(Plan(InvalidAssetReference("fcos", shown, _))) -> Expect.equalText reference shown
    | Error other -> Expect.fail $"{reference}: expected InvalidAssetReference, got {Expect.shown other}"
    | Ok url -> Expect.fail $"{reference}: expected an error, got {url.Value}"

/// A scheme without "//" is still a scheme: the result must never be anything but http(s).
[<Theory>]
[<InlineData("tftp:boot/vmlinuz")>]
[<InlineData("file:etc/shadow")>]
[<InlineData("C:/xen/vmlinuz")>]
[<InlineData("data:text/plain,kernel")>]
[<InlineData("--name main tftp:initrd.img")>]
let ``a reference with a scheme other than http or https is refused even without '//'`` (reference: string) =
    match Profile.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "fcos" reference with
    | Error(Plan(InvalidAssetReference("fcos", shown, _))) -> Expect.equalText reference shown
    | Error other -> Expect.fail $"{reference}: expected InvalidAssetReference, got {Expect.shown other}"
    | Ok url -> Expect.fail $"{reference}: expected an error, got the download URL {url.Value}"

[<Fact>]
let ``a GRUB https device is never downgraded to plain http`` () =
    match
        Profile.resolveAsset
            { Host = "mb"; Port = 8080; Secure = false }
            "fcos"
            "(https;matchbox.example.com:8443)/assets/k"
    with
    | Ok url when url.Value.StartsWith "http://" -> Expect.fail $"(https;…) became the plain-http URL {url.Value}"
    | Ok _
    | Error(Plan(InvalidAssetReference _)) -> ()
    | Error other -> Expect.fail $"expected https or InvalidAssetReference, got {Expect.shown other}"

[<Theory>]
[<InlineData("")>]
[<InlineData("--name main")>]
[<InlineData("--bogus /assets/k")>]
let ``a reference that names no URL is refused`` (reference: string) =
    match Profile.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "fcos" reference with
    | Error(Plan(InvalidAssetReference _)) -> ()
    | Error other -> Expect.fail $"{reference}: expected InvalidAssetReference, got {Expect.shown other}"
    | Ok url -> Expect.fail $"{reference}: expected an error, got {url.Value}"
