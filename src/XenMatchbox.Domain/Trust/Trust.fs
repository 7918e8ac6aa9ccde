module internal XenMatchbox.Domain.Trust

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Profile

[<Literal>]
let MaxSignatureBytes = 65536

[<Literal>]
let MaxKeyFileBytes = 1048576

[<Literal>]
let ClockSkewSeconds = 300

[<Literal>]
let SignFlag = 2

type KeyPacket = { KeyId: uint64; Fingerprint: string; Created: DateTimeOffset; Algorithm: int }

type CertificationFacts =
    { Type: int
      Created: DateTimeOffset
      Hash: int
      Verified: bool
      KeyExpiresAfter: int64 option
      ExpiresAfter: int64 option
      Flags: int option
      Critical: string option
      Back: CertificationFacts option }

type SubkeyFacts = { Key: KeyPacket; Signatures: CertificationFacts list }

type Certificate =
    { Primary: KeyPacket
      Direct: CertificationFacts list
      UserIds: (string * CertificationFacts list) list
      Subkeys: SubkeyFacts list }

let expiry (created: DateTimeOffset) (after: int64 option) =
    match after with
    | Some seconds when seconds > 0L -> Some(created.AddSeconds(float seconds))
    | _ -> None

type Keyring = private { Certificates: Certificate list }

/// Joins lists of things that may repeat across copies, first appearance first.
let private joined (lists: 'a list list) = lists |> List.concat |> List.distinct

let keyring (certificates: Certificate list) =
    let merge (copies: Certificate list) =
        { Primary = (List.head copies).Primary
          Direct = copies |> List.map _.Direct |> joined
          UserIds =
            copies
            |> List.collect _.UserIds
            |> List.groupBy fst
            |> List.map (fun (userId, signed) -> userId, signed |> List.map snd |> joined)
          Subkeys =
            copies
            |> List.collect _.Subkeys
            |> List.groupBy _.Key.Fingerprint
            |> List.map (fun (_, subkeys) ->
                { Key = (List.head subkeys).Key; Signatures = subkeys |> List.map _.Signatures |> joined }) }
    { Certificates = certificates |> List.groupBy _.Primary.Fingerprint |> List.map (fun (_, copies) -> merge copies) }

type Standing =
    | Valid
    | Uncertified of why: string
    | Revoked
    | Expired of at: DateTimeOffset

type Key =
    { KeyId: uint64
      Fingerprint: string
      Primary: string
      UserId: string
      Created: DateTimeOffset
      Expires: DateTimeOffset option
      Signs: bool
      Standing: Standing }

let private day (time: DateTimeOffset) =
    time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Globalization.CultureInfo.InvariantCulture)

let private hashName hash =
    match hash with
    | 1 -> "MD5"
    | 2 -> "SHA-1"
    | 3 -> "RIPEMD-160"
    | other -> $"digest {other}"

/// A digest a self-signature or binding may not use: MD5, SHA-1 and RIPEMD-160, whatever the
/// signature's date (sqv refuses a key certified only with SHA-1, even by a self-signature of 2020).
let private brokenForCertification (signature: CertificationFacts) = signature.Hash >= 1 && signature.Hash <= 3

/// What makes one certification count for nothing at <paramref name="at"/>; None when it counts.
let private flaw (at: DateTimeOffset) (noun: string) (signature: CertificationFacts) =
    match signature.Critical, expiry signature.Created signature.ExpiresAfter with
    | _ when not signature.Verified -> Some $"its {noun} does not verify"
    | Some critical, _ -> Some $"its {noun} carries {critical}, which makes it invalid"
    | _ when brokenForCertification signature ->
        Some $"its {noun} is made with {hashName signature.Hash}, which no longer certifies a key"
    | _ when signature.Created > at.AddSeconds(float ClockSkewSeconds) ->
        Some $"its {noun} is dated {day signature.Created}, after {day at}"
    | _, Some expires when expires <= at -> Some $"its {noun} expired on {day expires}"
    | _ -> None

/// A revocation counts whenever it was made: the owner said the key is not to be trusted.
let private revokes kind (signature: CertificationFacts) =
    signature.Type = kind && signature.Verified && signature.Critical.IsNone && not (brokenForCertification signature)

let private maySign (flags: int option) = (defaultArg flags 0 &&& SignFlag) <> 0

/// Algorithms that can make signatures (RSA, RSA sign-only, DSA, ECDSA, EdDSA, Ed25519, Ed448).
let private signingAlgorithm algorithm = List.contains algorithm [ 1; 3; 17; 19; 22; 27; 28 ]

/// The newest of the certifications that count at the instant, or why none does (the newest's flaw).
let private newest at noun (flawOf: CertificationFacts -> string option) (candidates: CertificationFacts list) =
    match candidates |> List.filter (fun c -> (flawOf c).IsNone) with
    | [] ->
        match candidates |> List.sortByDescending _.Created with
        | [] -> Error $"it has no {noun}"
        | latest :: _ -> Error(defaultArg (flawOf latest) $"it has no {noun}")
    | valid -> Ok(valid |> List.maxBy _.Created)
    |> Result.mapError (fun why -> $"{why} (as of {day at})")

/// When the key made at created expires by the self-signature or binding.
let private keyExpiry (created: DateTimeOffset) (signature: CertificationFacts) =
    expiry created signature.KeyExpiresAfter

let private earlier (a: DateTimeOffset option) (b: DateTimeOffset option) =
    match a, b with
    | Some x, Some y -> Some(min x y)
    | Some _, None -> a
    | None, _ -> b

let private standing at revoked (certified: Result<_, string>) (expires: DateTimeOffset option) =
    match certified, expires with
    | _ when revoked -> Revoked
    | Error why, _ -> Uncertified why
    | Ok _, Some expires when expires <= at -> Expired expires
    | Ok _, _ -> Valid

/// A certificate's keys at an instant: the primary by its newest valid self-signature (over a user
/// id that is not revoked, or on the key itself), each subkey by its newest valid binding.
let private judge (at: DateTimeOffset) (certificate: Certificate) =
    let primary = certificate.Primary
    let revoked = certificate.Direct |> List.exists (revokes 0x20)
    let userIds =
        certificate.UserIds |> List.filter (fun (_, signatures) -> not (signatures |> List.exists (revokes 0x30)))
    let selfSignatures =
        (certificate.Direct |> List.filter (fun s -> s.Type = 0x1F))
        @ (userIds
           |> List.collect (fun (_, signatures) ->
               signatures |> List.filter (fun s -> s.Type >= 0x10 && s.Type <= 0x13)))
    let certified = newest at "valid self-signature" (flaw at "self-signature") selfSignatures
    let userId =
        userIds
        |> List.tryFind (fun (_, signatures) -> signatures |> List.exists (fun s -> (flaw at "" s).IsNone))
        |> Option.map fst
        |> Option.defaultValue ""
    let primaryExpires = certified |> Result.toOption |> Option.bind (keyExpiry primary.Created)
    let primaryKey =
        { KeyId = primary.KeyId
          Fingerprint = primary.Fingerprint
          Primary = primary.Fingerprint
          UserId = userId
          Created = primary.Created
          Expires = primaryExpires
          Signs =
            signingAlgorithm primary.Algorithm
            && (certified |> Result.map (fun s -> maySign s.Flags) |> Result.defaultValue false)
          Standing = standing at revoked certified primaryExpires }
    let subkey (facts: SubkeyFacts) =
        let bindingFlaw (binding: CertificationFacts) =
            match flaw at "binding signature" binding with
            | Some why -> Some why
            | None when not (maySign binding.Flags) -> None
            | None ->
                match binding.Back with
                | None -> Some "it may sign but its binding has no back-signature by the subkey"
                | Some back -> flaw at "back-signature" back
        let bound =
            match certified with
            | Error why -> Error $"its primary key {primary.Fingerprint} is not certified: {why}"
            | Ok _ ->
                facts.Signatures
                |> List.filter (fun s -> s.Type = 0x18)
                |> newest at $"valid binding signature by its primary key {primary.Fingerprint}" bindingFlaw
        let expires = bound |> Result.toOption |> Option.bind (keyExpiry facts.Key.Created) |> earlier primaryExpires
        { KeyId = facts.Key.KeyId
          Fingerprint = facts.Key.Fingerprint
          Primary = primary.Fingerprint
          UserId = userId
          Created = facts.Key.Created
          Expires = expires
          Signs =
            signingAlgorithm facts.Key.Algorithm
            && (bound |> Result.map (fun s -> maySign s.Flags) |> Result.defaultValue false)
          Standing = standing at (revoked || facts.Signatures |> List.exists (revokes 0x28)) bound expires }
    primaryKey :: (certificate.Subkeys |> List.map subkey)

let keys at (keyring: Keyring) = keyring.Certificates |> List.collect (judge at)

type Signature =
    { Type: int
      Issuer: uint64 option
      IssuerFingerprint: string option
      Hash: int
      Created: DateTimeOffset
      ExpiresAfter: int64 option
      Critical: string option }

/// The subpacket tags RFC 9580 and RFC 4880 define and a verifier may honour when critical:
/// creation and expiry times, exportable, trust, regular expression, revocable, key expiry, the
/// preferences, revocation key, issuer, key server, primary user id, policy URI, key flags,
/// signer's user id, revocation reason, features, signature target, embedded signature, issuer
/// fingerprint, intended recipient. A notation (20) is known only by its name, and none is known here.
let private knownTags =
    set [ 2; 3; 4; 5; 6; 7; 9; 11; 12; 16; 21; 22; 23; 24; 25; 26; 27; 28; 29; 30; 31; 32; 33; 34; 35; 39 ]

let unknownCritical tag =
    if tag = 20 then Some "a critical notation"
    elif knownTags.Contains tag then None
    else Some $"an unknown critical subpacket (type {tag})"

type Mode =
    | Binary
    | Text

type Signer = { KeyId: string; Fingerprint: string; Primary: string; UserId: string; Mode: Mode }

let keyIdText (keyId: uint64) = keyId.ToString("X16")

let describe signer =
    if signer.UserId.Length = 0 then $"key {signer.KeyId}" else $"key {signer.KeyId} ({Text.shown 100 signer.UserId})"

let signatureUrl (url: AssetUrl) =
    let builder = UriBuilder(url.Value)
    builder.Path <- builder.Path + ".sig"
    builder.Fragment <- ""
    // The same URL with ".sig" on its path is as absolute and as http(s) as the URL was.
    match Profile.resolveAsset { Host = ""; Port = 0; Secure = false } "(signature)" builder.Uri.AbsoluteUri with
    | Ok signature -> signature
    | Error _ -> url

/// Whether a key is the one a signature names: by fingerprint when it gives one, else by key id.
let private named (signature: Signature) (key: Key) =
    match signature.IssuerFingerprint, signature.Issuer with
    | Some fingerprint, _ -> String.Equals(fingerprint, key.Fingerprint, StringComparison.OrdinalIgnoreCase)
    | None, Some issuer -> issuer = key.KeyId
    | None, None -> false

/// One candidate key judged for a signature: now, and as it stood when the signature was made.
let private vouch (now: DateTimeOffset) signed (signature: Signature) mode (atNow: Key) (atSigning: Key option) =
    let fail error = Error(Trust error)
    let signer =
        { KeyId = keyIdText atNow.KeyId
          Fingerprint = atNow.Fingerprint
          Primary = atNow.Primary
          UserId = atNow.UserId
          Mode = mode }
    let named = describe signer
    let outOfDate detail = fail (SignatureOutOfDate(signed, named, detail))
    let made = $"was made on {day signature.Created}"
    match atNow.Standing, expiry signature.Created signature.ExpiresAfter with
    | Revoked, _ -> fail (KeyRevoked(signed, named))
    | _ when signature.Created < atNow.Created -> outOfDate $"{made}, before its key existed"
    | _ when signature.Created > now.AddSeconds(float ClockSkewSeconds) ->
        outOfDate $"{made}, after dom0's clock ({day now})"
    | _, Some expires when expires <= now -> outOfDate $"expired on {day expires}"
    | Uncertified why, _ -> fail (KeyUncertified(signed, named, why))
    | _ when not atNow.Signs -> fail (KeyCannotSign(signed, named))
    | Expired at, _ -> fail (KeyExpired(signed, named, day at))
    | _ ->
        match atSigning with
        | Some { Standing = Uncertified _ } -> outOfDate $"{made}, before its key was certified for signing"
        | Some { Standing = Expired at } -> outOfDate $"{made}, after its key had expired on {day at}"
        | Some { Signs = false } -> fail (KeyCannotSign(signed, named))
        | _ -> Ok signer

let choose (now: DateTimeOffset) signed signatureAt flag (keyring: Keyring) (signature: Signature) =
    let fail error = Error(Trust error)
    let unreadable detail = fail (SignatureUnreadable(signed, signatureAt, detail))
    let mode =
        match signature.Type with
        | 0x00 -> Ok Binary
        | 0x01 -> Ok Text
        | other -> unreadable $"its type is 0x{other:x2}, not a signature over a document"
    match mode, signature.Critical with
    | Error e, _ -> Error e
    | Ok _, _ when signature.Hash >= 1 && signature.Hash <= 3 ->
        unreadable
            $"it is made with {hashName signature.Hash}, whose collisions are within reach; sign again with SHA-256 or stronger"
    | Ok _, _ when not (List.contains signature.Hash [ 8; 9; 10; 11; 12; 14 ]) ->
        unreadable
            $"it is made with {hashName signature.Hash}, not one of SHA-224, SHA-256, SHA-384, SHA-512, SHA3-256 and SHA3-512"
    | Ok _, Some critical -> unreadable $"it carries {critical}, which makes a signature invalid"
    | Ok _, None when signature.Issuer.IsNone && signature.IssuerFingerprint.IsNone ->
        unreadable "it names no issuer key"
    | Ok mode, None ->
        let atSigning = keys signature.Created keyring
        match keys now keyring |> List.filter (named signature) with
        | [] ->
            let issuer =
                match signature.Issuer, signature.IssuerFingerprint with
                | Some id, _ -> keyIdText id
                | None, Some fingerprint when fingerprint.Length > 16 -> fingerprint.Substring(fingerprint.Length - 16)
                | None, fingerprint -> defaultArg fingerprint ""
            fail (UnknownKey(signed, issuer, flag))
        | candidates ->
            let verdicts =
                candidates
                |> List.map (fun key ->
                    atSigning
                    |> List.tryFind (fun k -> k.Fingerprint = key.Fingerprint && k.Primary = key.Primary)
                    |> vouch now signed signature mode key)
            verdicts |> List.tryFind Result.isOk |> Option.defaultValue (List.head verdicts)

let conclude signed signer matches =
    if matches then Ok signer else Error(Trust(BadSignature(signed, describe signer)))

type TextRule =
    | GnuPg
    | Go

type TextState = { Rule: TextRule; PendingCr: int; AfterCr: bool }

let textStart rule = { Rule = rule; PendingCr = 0; AfterCr = false }

[<Literal>]
let private CR = 13uy

[<Literal>]
let private LF = 10uy

let canonicalText (state: TextState) (input: byte array) offset count =
    let output = Array.zeroCreate (2 * count + state.PendingCr)
    let mutable written = 0
    let put (b: byte) =
        output[written] <- b
        written <- written + 1
    let mutable pending = state.PendingCr
    let mutable afterCr = state.AfterCr
    for i in offset .. offset + count - 1 do
        let b = input[i]
        match state.Rule with
        | GnuPg ->
            // A line's trailing CRs are held back until its end shows whether they trail it.
            if b = CR then
                pending <- pending + 1
            elif b = LF then
                put CR
                put LF
                pending <- 0
            else
                for _ in 1..pending do
                    put CR
                put b
                pending <- 0
        | Go ->
            if afterCr then
                put b
                afterCr <- false
            elif b = CR then
                put b
                afterCr <- true
            elif b = LF then
                put CR
                put LF
            else
                put b
    Array.sub output 0 written, { state with PendingCr = pending; AfterCr = afterCr }

let record (signatureDigest: string) signer =
    $"{signatureDigest.ToLowerInvariant()} {signer.Fingerprint}"

let verifiedNote (signers: Signer list) =
    match signers |> List.map (fun (signer: Signer) -> signer.KeyId) |> List.distinct with
    | [] -> ""
    | ids -> $"""verified ({String.Join(", ", ids)})"""

type Age = { SignedAt: DateTimeOffset; Seconds: int64; MaxSeconds: int }

let instantText (time: DateTimeOffset) =
    time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Globalization.CultureInfo.InvariantCulture)

let checkAge (now: DateTimeOffset) maxAgeSeconds signed signer (signedAt: DateTimeOffset) =
    let seconds = int64 (Math.Floor (now - signedAt).TotalSeconds)
    let oldest = now.AddSeconds(-(float maxAgeSeconds + float ClockSkewSeconds))
    if signedAt < oldest then
        Error(Trust(SignatureTooOld(signed, describe signer, instantText signedAt, seconds, maxAgeSeconds)))
    else
        Ok { SignedAt = signedAt; Seconds = seconds; MaxSeconds = maxAgeSeconds }
