/// Which keys of a certificate are valid (self-signatures, bindings, back-signatures, copies merged),
/// which key a signature asks for and whether that key and the signature's dates vouch for it now;
/// text mode's line endings; where signatures are; what a cache entry keeps of a verification.
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

let private primaryPacket =
    { KeyId = 0x0123456789ABCDEFUL
      Fingerprint = "89ABCDEF0123456789ABCDEF0123456789ABCDEF"
      Created = now.AddYears -1
      Algorithm = 1 }

let private subkeyPacket =
    { KeyId = 0xFEDCBA9876543210UL
      Fingerprint = "0123456789ABCDEF0123FEDCBA9876543210"
      Created = now.AddMonths -6
      Algorithm = 1 }

/// A signature on a key that verifies, made when its key was, with nothing else said.
let private certification kind (created: DateTimeOffset) : CertificationFacts =
    { Type = kind
      Created = created
      Hash = 10
      Verified = true
      KeyExpiresAfter = None
      ExpiresAfter = None
      Flags = None
      Critical = None
      Back = None }

let private certifySign = 0x03

let private selfSignature = { certification 0x13 primaryPacket.Created with Flags = Some certifySign }

let private userId = "matchbox <ops@example.com>"

let private certificate =
    { Primary = primaryPacket; Direct = []; UserIds = [ userId, [ selfSignature ] ]; Subkeys = [] }

/// A certify-only primary key with a signing subkey, bound and back-signed: how GnuPG makes them.
let private withSubkey =
    let binding =
        { certification 0x18 subkeyPacket.Created with
            Flags = Some SignFlag
            Back = Some(certification 0x19 subkeyPacket.Created) }
    { certificate with
        UserIds = [ userId, [ { selfSignature with Flags = Some 0x01 } ] ]
        Subkeys = [ { Key = subkeyPacket; Signatures = [ binding ] } ] }

let private signature =
    { Type = 0x01
      Issuer = Some primaryPacket.KeyId
      IssuerFingerprint = None
      Hash = 8
      Created = now.AddDays -1.0
      ExpiresAfter = None
      Critical = None }

let private bySubkey = { signature with Issuer = Some subkeyPacket.KeyId }

let private chooseIn certificates signature =
    Trust.choose now signed at "--asset-key" (keyring certificates) signature

let private choose signature = chooseIn [ certificate ] signature

let private codeOf result =
    match result with
    | Ok _ -> "ok"
    | Error error -> code error

/// Seconds around now, from years before to years after.
let private offset = Gen.choose (-100_000_000, 100_000_000) |> Gen.map float

let private onlySubkeySignatures (f: CertificationFacts list -> CertificationFacts list) =
    { withSubkey with
        Subkeys = withSubkey.Subkeys |> List.map (fun s -> { s with Signatures = f s.Signatures }) }

let private binding = withSubkey.Subkeys.Head.Signatures.Head

[<Fact>]
let ``a signature by a certified signing key, dated between the key's making and now, vouches with the packet's mode``
    ()
    =
    match choose signature with
    | Ok signer ->
        Expect.equal "the signer" "0123456789ABCDEF" signer.KeyId
        Expect.equal "the fingerprint" primaryPacket.Fingerprint signer.Fingerprint
        Expect.equal "the user id" userId signer.UserId
        Expect.equal "text mode" Text signer.Mode
    | Error error -> Expect.fail (Expect.shown error)
    match choose { signature with Type = 0x00 } with
    | Ok signer -> Expect.equal "binary mode" Binary signer.Mode
    | Error error -> Expect.fail (Expect.shown error)
    match chooseIn [ withSubkey ] bySubkey with
    | Ok signer ->
        Expect.equal "the subkey signs" "FEDCBA9876543210" signer.KeyId
        Expect.equal "for its primary" primaryPacket.Fingerprint signer.Primary
    | Error error -> Expect.fail (Expect.shown error)

[<Fact>]
let ``a signature that names its issuer by fingerprint alone finds that key`` () =
    Expect.equal
        "by fingerprint"
        "ok"
        (codeOf (
            chooseIn
                [ withSubkey ]
                { bySubkey with
                    Issuer = None
                    IssuerFingerprint = Some(subkeyPacket.Fingerprint.ToLowerInvariant()) }
        ))
    Expect.equal
        "another fingerprint with the same key id"
        "XMB-705"
        (codeOf (chooseIn [ withSubkey ] { bySubkey with IssuerFingerprint = Some "00" }))

/// Each way a primary key's only self-signature can fail to count: it never certified the key.
let private brokenSelfSignatures =
    [ "does not verify", { selfSignature with Verified = false }
      "unknown critical subpacket", { selfSignature with Critical = unknownCritical 99 }
      "critical notation", { selfSignature with Critical = unknownCritical 20 }
      "SHA-1", { selfSignature with Hash = 2 }
      "RIPEMD-160", { selfSignature with Hash = 3 }
      "MD5", { selfSignature with Hash = 1 }
      "expired itself",
      { selfSignature with
          ExpiresAfter = Some(int64 (now.AddDays -1.0 - primaryPacket.Created).TotalSeconds) }
      "dated after now", { selfSignature with Created = now.AddDays 1.0 } ]

[<Fact>]
let ``a primary key counts only with a valid self-signature: otherwise XMB-710 says why`` () =
    for name, broken in brokenSelfSignatures do
        match chooseIn [ { certificate with UserIds = [ userId, [ broken ] ] } ] signature with
        | Error(Trust(KeyUncertified(_, _, why))) -> Expect.contains name "self-signature" why
        | other -> Expect.fail $"{name}: {other}"
    Expect.equal
        "no self-signature at all"
        "XMB-710"
        (codeOf (chooseIn [ { certificate with UserIds = [ userId, [] ] } ] signature))
    Expect.equal
        "a third party's certification does not certify"
        "XMB-710"
        (codeOf (
            chooseIn
                [ { certificate with UserIds = [ userId, [ { selfSignature with Verified = false; Type = 0x10 } ] ] } ]
                signature
        ))
    Expect.equal
        "a direct-key self-signature certifies"
        "ok"
        (codeOf (
            chooseIn [ { certificate with UserIds = []; Direct = [ { selfSignature with Type = 0x1F } ] } ] signature
        ))
    Expect.equal
        "a SHA-1 self-signature does not certify, even one made in 2021, as sqv judges it"
        "XMB-710"
        (let old = DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero)
         let sha1 = { selfSignature with Hash = 2; Created = old }
         codeOf (
             chooseIn
                 [ { certificate with Primary = { primaryPacket with Created = old }; UserIds = [ userId, [ sha1 ] ] } ]
                 signature
         ))

[<Fact>]
let ``a subkey counts only with a valid binding by its primary, and a signing subkey only with a valid back-signature``
    ()
    =
    let cases =
        [ "no binding", onlySubkeySignatures (fun _ -> [])
          "a binding that does not verify (another primary made it)",
          onlySubkeySignatures (fun _ -> [ { binding with Verified = false } ])
          "no back-signature", onlySubkeySignatures (fun _ -> [ { binding with Back = None } ])
          "a back-signature that does not verify",
          onlySubkeySignatures (fun _ -> [ { binding with Back = Some { binding.Back.Value with Verified = false } } ])
          "a critical notation in the binding",
          onlySubkeySignatures (fun _ -> [ { binding with Critical = unknownCritical 20 } ])
          "a primary key without a self-signature", { withSubkey with UserIds = [] } ]
    for name, broken in cases do
        Expect.equal name "XMB-710" (codeOf (chooseIn [ broken ] bySubkey))
    Expect.equal
        "an encryption subkey needs no back-signature, and cannot sign"
        "XMB-711"
        (codeOf (
            chooseIn [ onlySubkeySignatures (fun _ -> [ { binding with Flags = Some 0x0C; Back = None } ]) ] bySubkey
        ))

[<Property>]
let ``only a key whose flags say sign may sign: certify-only, encryption-only or no flags is XMB-711`` () =
    Prop.forAll (arb (Gen.choose (0, 255))) (fun flags ->
        let flagged = { certificate with UserIds = [ userId, [ { selfSignature with Flags = Some flags } ] ] }
        let verdict = codeOf (chooseIn [ flagged ] signature)
        let withoutFlags = { certificate with UserIds = [ userId, [ { selfSignature with Flags = None } ] ] }
        (if flags &&& SignFlag <> 0 then verdict = "ok" else verdict = "XMB-711")
        && codeOf (chooseIn [ withoutFlags ] signature) = "XMB-711"
        && codeOf (chooseIn [ { flagged with Primary = { primaryPacket with Algorithm = 16 } } ] signature) <> "ok")

[<Fact>]
let ``the newest valid self-signature decides: a later one that narrows the flags or the expiry wins`` () =
    let later = now.AddMonths -1
    let narrowed = { selfSignature with Created = later; Flags = Some 0x01 }
    Expect.equal
        "flags"
        "XMB-711"
        (codeOf (chooseIn [ { certificate with UserIds = [ userId, [ selfSignature; narrowed ] ] } ] signature))
    let shortened = { selfSignature with Created = later; KeyExpiresAfter = Some 60L }
    Expect.equal
        "expiry"
        "XMB-707"
        (codeOf (chooseIn [ { certificate with UserIds = [ userId, [ shortened; selfSignature ] ] } ] signature))
    let broken = { shortened with Verified = false }
    Expect.equal
        "a newer one that does not verify counts for nothing"
        "ok"
        (codeOf (chooseIn [ { certificate with UserIds = [ userId, [ selfSignature; broken ] ] } ] signature))

/// Every signature of the certificate with a subkey, in some order, shared out between two copies.
let private copies =
    gen {
        let signatures =
            [ for s in
                  selfSignature :: [ { selfSignature with Created = now.AddMonths -2; KeyExpiresAfter = Some 1000L } ] ->
                  Choice1Of2 s ]
            @ [ Choice2Of2 binding ]
        let! inFirst = Gen.listOfLength signatures.Length (Gen.elements [ true; false ])
        let! swap = Gen.elements [ true; false ]
        let copy keep =
            let chosen = List.zip signatures inFirst |> List.filter (fun (_, first) -> first = keep) |> List.map fst
            { withSubkey with
                UserIds =
                    [ userId,
                      chosen
                      |> List.choose (function
                          | Choice1Of2 s -> Some s
                          | _ -> None) ]
                Subkeys =
                    [ { Key = subkeyPacket
                        Signatures =
                          chosen
                          |> List.choose (function
                              | Choice2Of2 s -> Some s
                              | _ -> None) } ] }
        return if swap then [ copy true; copy false ] else [ copy false; copy true ]
    }

[<Property>]
let ``copies of one key are merged before judging: the verdict is that of one key holding every signature, in any order``
    ()
    =
    Prop.forAll (arb copies) (fun parts ->
        let whole =
            { withSubkey with
                UserIds = [ userId, parts |> List.collect (fun c -> c.UserIds |> List.collect snd) ]
                Subkeys =
                    [ { Key = subkeyPacket; Signatures = parts |> List.collect (fun c -> c.Subkeys.Head.Signatures) } ] }
        let verdict certificates = codeOf (chooseIn certificates bySubkey)
        verdict parts = verdict [ whole ] && verdict parts = verdict (List.rev parts))

[<Property>]
let ``a valid revocation in any copy wins, whatever the dates; one that does not verify is nothing`` () =
    let revocations =
        Gen.elements
            [ (fun (c: Certificate) (r: CertificationFacts) -> { c with Direct = [ { r with Type = 0x20 } ] }),
              primaryPacket.KeyId
              (fun c r ->
                  { c with
                      Subkeys =
                          c.Subkeys
                          |> List.map (fun s -> { s with Signatures = s.Signatures @ [ { r with Type = 0x28 } ] }) }),
              subkeyPacket.KeyId ]
    Prop.forAll (arb (Gen.zip3 revocations offset (Gen.elements [ true; false ]))) (fun ((revoke, _), at, first) ->
        let revocation = certification 0 (now.AddSeconds at)
        let revoked = revoke withSubkey revocation
        let order = if first then [ revoked; withSubkey ] else [ withSubkey; revoked ]
        let unverified = revoke withSubkey { revocation with Verified = false }
        codeOf (chooseIn order bySubkey) = "XMB-708" && codeOf (chooseIn [ unverified; withSubkey ] bySubkey) = "ok")

[<Property>]
let ``a key that has expired by now never vouches, even for a signature made while it was valid`` () =
    Prop.forAll (arb (Gen.choose (1, 100_000_000))) (fun ago ->
        let lifetime = int64 (now - primaryPacket.Created).TotalSeconds - int64 ago
        let expiring = { selfSignature with KeyExpiresAfter = Some lifetime }
        let expired = { certificate with UserIds = [ userId, [ expiring ] ] }
        let made = primaryPacket.Created.AddSeconds(float (max 1L (lifetime / 2L)))
        lifetime <= 1L || codeOf (chooseIn [ expired ] { signature with Created = made }) = "XMB-707")

[<Fact>]
let ``a key is judged as it stood when the signature was made, too: certified, unexpired, allowed to sign`` () =
    let late =
        { binding with
            Created = now.AddDays -2.0
            Back = Some { binding.Back.Value with Created = now.AddDays -2.0 } }
    Expect.equal
        "signed before the subkey was bound"
        "XMB-709"
        (codeOf (chooseIn [ onlySubkeySignatures (fun _ -> [ late ]) ] { bySubkey with Created = now.AddDays -3.0 }))
    let extended =
        [ { selfSignature with KeyExpiresAfter = Some 100L }; { selfSignature with Created = now.AddDays -2.0 } ]
    Expect.equal
        "signed while the key had expired, though it has been extended since"
        "XMB-709"
        (codeOf (
            chooseIn
                [ { certificate with UserIds = [ userId, extended ] } ]
                { signature with Created = now.AddDays -3.0 }
        ))

[<Property>]
let ``a revoked key never vouches, whatever the dates`` () =
    Prop.forAll (arb (Gen.zip offset offset)) (fun (created, revokedAt) ->
        let revoked = { certificate with Direct = [ certification 0x20 (now.AddSeconds revokedAt) ] }
        codeOf (chooseIn [ revoked ] { signature with Created = now.AddSeconds created }) = "XMB-708")

[<Property>]
let ``only a key the files hold vouches: another id is XMB-705 and names it`` () =
    Prop.forAll (arb (Gen.choose (1, Int32.MaxValue))) (fun n ->
        let other = primaryPacket.KeyId ^^^ uint64 n
        match choose { signature with Issuer = Some other } with
        | Error(Trust(UnknownKey(_, id, "--asset-key"))) -> id = other.ToString("X16")
        | _ -> false)

[<Property>]
let ``only signatures over a document are accepted: other types are XMB-704`` () =
    Prop.forAll (arb (Gen.choose (2, 0xff))) (fun kind -> codeOf (choose { signature with Type = kind }) = "XMB-704")

[<Property>]
let ``only SHA-2 and SHA-3 digests are accepted for what is booted: MD5, SHA-1, RIPEMD-160 and unknown ids are XMB-704``
    ()
    =
    Prop.forAll (arb (Gen.choose (0, 120))) (fun hash ->
        let verdict = codeOf (choose { signature with Hash = hash })
        if List.contains hash [ 8; 9; 10; 11; 12; 14 ] then verdict = "ok" else verdict = "XMB-704")

[<Property>]
let ``an unknown critical subpacket or a critical notation makes the signature invalid: XMB-704`` () =
    Prop.forAll (arb (Gen.choose (0, 127))) (fun tag ->
        match unknownCritical tag with
        | Some critical ->
            match choose { signature with Critical = Some critical } with
            | Error(Trust(SignatureUnreadable(_, _, detail))) -> detail.Contains critical
            | _ -> false
        | None -> tag <> 20 && tag <> 0 && tag <> 1 && tag <> 8 && tag <> 13 && tag <> 14 && tag <> 15)

[<Fact>]
let ``a signature's dates must make sense: not before its key, not ahead of the clock, not expired`` () =
    Expect.equal
        "older than its key"
        "XMB-709"
        (codeOf (choose { signature with Created = primaryPacket.Created.AddSeconds -1.0 }))
    Expect.equal
        "ahead of dom0's clock beyond the leeway"
        "XMB-709"
        (codeOf (choose { signature with Created = now.AddSeconds(float ClockSkewSeconds + 1.0) }))
    Expect.equal
        "within the leeway"
        "ok"
        (codeOf (choose { signature with Created = now.AddSeconds(float ClockSkewSeconds) }))
    Expect.equal "expired" "XMB-709" (codeOf (choose { signature with ExpiresAfter = Some(86_399L) }))
    Expect.equal "naming no key" "XMB-704" (codeOf (choose { signature with Issuer = None }))

[<Property>]
let ``an expiration time counts from its creation; none, or 0, is never`` () =
    Prop.forAll (arb (Gen.zip offset (Gen.choose (-1, 2_000_000_000)))) (fun (shift, after) ->
        let created = now.AddSeconds shift
        match after with
        | -1 -> Expect.equal "no subpacket" None (Trust.expiry created None)
        | 0 -> Expect.equal "0 is never" None (Trust.expiry created (Some 0L))
        | seconds ->
            Expect.equal
                $"{seconds} s after {created}"
                (Some(created.AddSeconds(float seconds)))
                (Trust.expiry created (Some(int64 seconds))))

[<Property>]
let ``a signature vouches up to the second before it expires, and not from that second on`` () =
    Prop.forAll (arb (Gen.choose (1, 10_000_000))) (fun lifetime ->
        // Made a day ago: it expires lifetime seconds after that.
        let expiring = { signature with ExpiresAfter = Some(int64 lifetime) }
        let expected = if lifetime > 86_400 then "ok" else "XMB-709"
        Expect.equal $"{lifetime} s after a day ago" expected (codeOf (choose expiring)))

[<Fact>]
let ``the cryptography's no is XMB-706 naming the key and its user`` () =
    match choose signature with
    | Ok signer ->
        Expect.equal "yes" (Ok signer) (conclude signed signer true)
        match conclude signed signer false with
        | Error error ->
            Expect.equal "code" "XMB-706" (code error)
            Expect.contains "names the key" "key 0123456789ABCDEF (matchbox <ops@example.com>)" (cause error)
        | Ok _ -> Expect.fail "expected XMB-706"
    | Error error -> Expect.fail (Expect.shown error)

[<Fact>]
let ``keys lists every key of the merged certificates as it stands`` () =
    let listed = keys now (keyring [ withSubkey; certificate ])
    Expect.equal "one primary, its subkey, merged" 2 listed.Length
    Expect.equal "the primary certifies only" false listed.Head.Signs
    Expect.equal "the subkey signs" true listed[1].Signs
    Expect.equal "both valid" [ Valid; Valid ] (listed |> List.map _.Standing)
    match keys now (keyring [ { withSubkey with Subkeys = [ { Key = subkeyPacket; Signatures = [] } ] } ]) with
    | [ _; appended ] ->
        match appended.Standing with
        | Uncertified why -> Expect.contains "why" "binding" why
        | other -> Expect.fail $"{other}"
    | other -> Expect.fail $"{other}"

let private canonical rule (text: string) =
    let bytes = System.Text.Encoding.Latin1.GetBytes text
    let out, _ = canonicalText (textStart rule) bytes 0 bytes.Length
    System.Text.Encoding.Latin1.GetString out

[<Fact>]
let ``text mode as the signers hash it: LF becomes CRLF, a lone CR is data, the edges as each signer has them`` () =
    for rule in [ GnuPg; Go ] do
        Expect.equalText "a\r\nb\r\n" (canonical rule "a\nb\n")
        Expect.equalText "a\r\nb" (canonical rule "a\r\nb")
        Expect.equalText "a\rb\r\n" (canonical rule "a\rb\n")
    Expect.equalText "a\r\n" (canonical GnuPg "a\r\r\n")
    Expect.equalText "a" (canonical GnuPg "a\r")
    Expect.equalText "a\r\r\r\n" (canonical Go "a\r\r\n")
    Expect.equalText "a\r" (canonical Go "a\r")

let private textBytes = Gen.elements [ 10uy; 13uy; 97uy; 32uy ] |> Gen.arrayOf

[<Property>]
let ``text mode's form does not depend on how the bytes arrive`` () =
    Prop.forAll
        (arb (Gen.zip3 textBytes (Gen.listOf (Gen.choose (0, 8))) (Gen.elements [ GnuPg; Go ])))
        (fun (bytes, cuts, rule) ->
            let whole, _ = canonicalText (textStart rule) bytes 0 bytes.Length
            let mutable state = textStart rule
            let mutable offset = 0
            let pieces = ResizeArray<byte>()
            for cut in cuts @ [ bytes.Length ] do
                let count = min cut (bytes.Length - offset)
                let out, next = canonicalText state bytes offset count
                pieces.AddRange out
                state <- next
                offset <- offset + count
            whole = pieces.ToArray())

[<Property>]
let ``without a CR both signers hash alike, and every LF ends up in a CRLF`` () =
    Prop.forAll (arb (Gen.elements [ 10uy; 97uy; 32uy ] |> Gen.arrayOf)) (fun bytes ->
        let gnupg, _ = canonicalText (textStart GnuPg) bytes 0 bytes.Length
        let go, _ = canonicalText (textStart Go) bytes 0 bytes.Length
        let lfs = bytes |> Array.filter ((=) 10uy) |> Array.length
        gnupg = go && gnupg.Length = bytes.Length + lfs)

let private asUrl text =
    Profile.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "p" text |> Expect.ok "url"

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
              Fingerprint = primaryPacket.Fingerprint
              Primary = primaryPacket.Fingerprint
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
