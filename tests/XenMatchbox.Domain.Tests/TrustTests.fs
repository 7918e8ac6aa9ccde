/// Which key a signature asks for and whether that key and the signature's dates vouch for it now;
/// where signatures are; what a cache entry keeps of a verification.
module TrustTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Trust
open Generators

let private now = DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero)
let private signed = Signed.Asset("kernel", "http://mb:8080/assets/vmlinuz")
let private at = "http://mb:8080/assets/vmlinuz.sig"

let private key =
    { KeyId = 0x0123456789ABCDEFUL
      Fingerprint = "89ABCDEF0123456789ABCDEF0123456789ABCDEF"
      Primary = "89ABCDEF0123456789ABCDEF0123456789ABCDEF"
      UserId = "matchbox <ops@example.com>"
      Created = now.AddYears -1
      Expires = None
      Revoked = false }

let private signature = { Type = 0x01; Issuer = Some key.KeyId; Hash = 8; Created = now.AddDays -1.0; Expires = None }

let private choose keys signature = Trust.choose now signed at "--asset-key" keys signature

let private codeOf result =
    match result with
    | Ok _ -> "ok"
    | Error error -> code error

/// Seconds around now, from years before to years after.
let private offset = Gen.choose (-100_000_000, 100_000_000) |> Gen.map float

[<Fact>]
let ``a signature by a valid key, dated between the key's making and now, vouches with the packet's mode`` () =
    match choose [ key ] signature with
    | Ok(chosen, signer) ->
        Expect.equal "the key" key chosen
        Expect.equal "the signer" "0123456789ABCDEF" signer.KeyId
        Expect.equal "text mode" Text signer.Mode
    | Error error -> Expect.fail (Expect.shown error)
    match choose [ key ] { signature with Type = 0x00 } with
    | Ok(_, signer) -> Expect.equal "binary mode" Binary signer.Mode
    | Error error -> Expect.fail (Expect.shown error)

[<Property>]
let ``a revoked key never vouches, whatever the dates`` () =
    Prop.forAll (arb (Gen.zip offset offset)) (fun (created, expires) ->
        let revoked = { key with Revoked = true; Expires = Some(now.AddSeconds expires) }
        codeOf (choose [ revoked ] { signature with Created = now.AddSeconds created }) = "XMB-708")

[<Property>]
let ``a key that has expired by now never vouches, even for a signature made while it was valid`` () =
    Prop.forAll (arb (Gen.choose (0, 100_000_000))) (fun ago ->
        let expired = { key with Expires = Some(now.AddSeconds(float -ago)) }
        codeOf (choose [ expired ] { signature with Created = expired.Created.AddDays 1.0 }) = "XMB-707")

[<Property>]
let ``only a key the files hold vouches: another id is XMB-705 and names it`` () =
    Prop.forAll (arb (Gen.choose (1, Int32.MaxValue))) (fun n ->
        let other = key.KeyId ^^^ uint64 n
        match choose [ key ] { signature with Issuer = Some other } with
        | Error(Trust(UnknownKey(_, id, "--asset-key"))) -> id = other.ToString("X16")
        | _ -> false)

[<Property>]
let ``only signatures over a document are accepted: other types are XMB-704`` () =
    Prop.forAll (arb (Gen.choose (2, 0xff))) (fun kind ->
        codeOf (choose [ key ] { signature with Type = kind }) = "XMB-704")

[<Property>]
let ``a digest with collisions within reach is refused, every other is the key's and dates' to judge`` () =
    Prop.forAll (arb (Gen.choose (1, 14))) (fun hash ->
        let verdict = codeOf (choose [ key ] { signature with Hash = hash })
        if hash <= 3 then verdict = "XMB-704" else verdict = "ok")

[<Fact>]
let ``a signature's dates must make sense: not before its key, not ahead of the clock, not expired`` () =
    Expect.equal
        "older than its key"
        "XMB-709"
        (codeOf (choose [ key ] { signature with Created = key.Created.AddSeconds -1.0 }))
    Expect.equal
        "ahead of dom0's clock beyond the leeway"
        "XMB-709"
        (codeOf (choose [ key ] { signature with Created = now.AddSeconds(float ClockSkewSeconds + 1.0) }))
    Expect.equal
        "within the leeway"
        "ok"
        (codeOf (choose [ key ] { signature with Created = now.AddSeconds(float ClockSkewSeconds) }))
    Expect.equal "expired" "XMB-709" (codeOf (choose [ key ] { signature with Expires = Some(now.AddSeconds -1.0) }))
    Expect.equal "naming no key" "XMB-704" (codeOf (choose [ key ] { signature with Issuer = None }))

[<Fact>]
let ``the cryptography's no is XMB-706 naming the key and its user`` () =
    match choose [ key ] signature with
    | Ok(_, signer) ->
        Expect.equal "yes" (Ok signer) (conclude signed signer true)
        match conclude signed signer false with
        | Error error ->
            Expect.equal "code" "XMB-706" (code error)
            Expect.contains "names the key" "key 0123456789ABCDEF (matchbox <ops@example.com>)" (cause error)
        | Ok _ -> Expect.fail "expected XMB-706"
    | Error error -> Expect.fail (Expect.shown error)

let private asUrl text =
    Plan.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "p" text |> Expect.ok "url"

[<Fact>]
let ``the signature is beside the URL: .sig on the path, the query and credentials kept`` () =
    Expect.equalText
        "http://mb:8080/ipxe.sig?mac=52%3A54%3A00%3Aaa%3Abb%3Acc&uuid=1"
        (signatureUrl (asUrl "http://mb:8080/ipxe?mac=52%3A54%3A00%3Aaa%3Abb%3Acc&uuid=1")).Value
    Expect.equalText "http://mb:8080/assets/fcos/kernel.sig" (signatureUrl (asUrl "/assets/fcos/kernel")).Value
    let secret = signatureUrl (asUrl "https://u:p@mirror.example/flatcar/vmlinuz")
    Expect.equalText "https://***@mirror.example/flatcar/vmlinuz.sig" secret.Shown
    Expect.equal "credentials" (Some("u", "p")) secret.Credentials

[<Property>]
let ``a signature URL is its URL's path plus .sig, for any path and query`` () =
    let segment = Gen.elements [ "a"; "fcos"; "x-1.2"; "%20"; "initrd.img" ]
    Prop.forAll (arb (Gen.zip (Gen.nonEmptyListOf segment) (Gen.optionOf segment))) (fun (segments, query) ->
        let path = "/" + String.Join("/", segments)
        let q = query |> Option.map (fun v -> "?k=" + v) |> Option.defaultValue ""
        let url = asUrl $"http://mb:8080{path}{q}"
        (signatureUrl url).Value = url.Value.Replace(path + q, path + ".sig" + q))

[<Property>]
let ``a cache entry counts as verified only by the very signature and key that verified it`` () =
    let digest = Gen.elements [ "00"; "ab12"; "FF00" ]
    Prop.forAll (arb (Gen.zip digest digest)) (fun (stored, now') ->
        let signer =
            { KeyId = "0123456789ABCDEF"
              Fingerprint = key.Fingerprint
              Primary = key.Primary
              UserId = ""
              Mode = Binary }
        let entry: Cache.Entry =
            { Url = "http://mb/a"
              ETag = Some "\"1\""
              LastModified = None
              Length = 1L
              Verified = Some { Record = record stored signer; Pieces = [ String('0', 64) ] } }
        Cache.verifiedBy (record now' signer) entry = (stored.ToLowerInvariant() = now'.ToLowerInvariant())
        && not (Cache.verifiedBy (record stored { signer with Fingerprint = "00" }) entry)
        && not (Cache.verifiedBy (record stored signer) { entry with Verified = None }))

[<Fact>]
let ``progress lines say which keys verified the bytes`` () =
    let signer id =
        { KeyId = id; Fingerprint = ""; Primary = ""; UserId = ""; Mode = Binary }
    Expect.equalText "kernel 1.0 KiB" (Progress.verified "kernel 1.0 KiB" [])
    Expect.equalText
        "ramdisk 2 B, verified (AA, BB)"
        (Progress.verified "ramdisk 2 B" [ signer "AA"; signer "BB"; signer "AA" ])
