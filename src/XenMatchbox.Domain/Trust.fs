module XenMatchbox.Domain.Trust

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Plan

[<Literal>]
let MaxSignatureBytes = 65536

[<Literal>]
let MaxKeyFileBytes = 1048576

[<Literal>]
let ClockSkewSeconds = 300

type Key =
    { KeyId: uint64
      Fingerprint: string
      Primary: string
      UserId: string
      Created: DateTimeOffset
      Expires: DateTimeOffset option
      Revoked: bool }

type Signature =
    { Type: int
      Issuer: uint64 option
      Hash: int
      Created: DateTimeOffset
      Expires: DateTimeOffset option }

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
    match Plan.resolveAsset { Host = ""; Port = 0; Secure = false } "(signature)" builder.Uri.AbsoluteUri with
    | Ok signature -> signature
    | Error _ -> url

let private day (time: DateTimeOffset) =
    time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Globalization.CultureInfo.InvariantCulture)

let choose (now: DateTimeOffset) signed signatureAt flag (keys: Key list) (signature: Signature) =
    let fail error = Error(Trust error)
    let mode =
        match signature.Type with
        | 0x00 -> Ok Binary
        | 0x01 -> Ok Text
        | other ->
            fail (
                SignatureUnreadable(signed, signatureAt, $"its type is 0x{other:x2}, not a signature over a document")
            )
    let broken =
        match signature.Hash with
        | 1 -> Some "MD5"
        | 2 -> Some "SHA-1"
        | 3 -> Some "RIPEMD-160"
        | _ -> None
    match mode, signature.Issuer with
    | Error e, _ -> Error e
    | Ok _, _ when broken.IsSome ->
        let digest = defaultArg broken ""
        fail (
            SignatureUnreadable(
                signed,
                signatureAt,
                $"it is made with {digest}, whose collisions are within reach; sign again with SHA-256 or stronger"
            )
        )
    | Ok _, None -> fail (SignatureUnreadable(signed, signatureAt, "it names no issuer key"))
    | Ok mode, Some issuer ->
        match keys |> List.tryFind (fun k -> k.KeyId = issuer) with
        | None -> fail (UnknownKey(signed, keyIdText issuer, flag))
        | Some key ->
            let signer =
                { KeyId = keyIdText key.KeyId
                  Fingerprint = key.Fingerprint
                  Primary = key.Primary
                  UserId = key.UserId
                  Mode = mode }
            let named = describe signer
            match key.Expires, signature.Expires with
            | _ when key.Revoked -> fail (KeyRevoked(signed, named))
            | Some expires, _ when expires <= now -> fail (KeyExpired(signed, named, day expires))
            | _ when signature.Created < key.Created ->
                fail (SignatureOutOfDate(signed, named, $"was made on {day signature.Created}, before its key existed"))
            | _ when signature.Created > now.AddSeconds(float ClockSkewSeconds) ->
                fail (
                    SignatureOutOfDate(
                        signed,
                        named,
                        $"was made on {day signature.Created}, after dom0's clock ({day now})"
                    )
                )
            | _, Some expires when expires <= now ->
                fail (SignatureOutOfDate(signed, named, $"expired on {day expires}"))
            | _ -> Ok(key, signer)

let conclude signed signer matches =
    if matches then Ok signer else Error(Trust(BadSignature(signed, describe signer)))

let record (signatureDigest: string) signer =
    $"{signatureDigest.ToLowerInvariant()} {signer.Fingerprint}"

let verifiedNote (signers: Signer list) =
    match signers |> List.map _.KeyId |> List.distinct with
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
