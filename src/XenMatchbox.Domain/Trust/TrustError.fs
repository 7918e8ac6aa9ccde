namespace XenMatchbox.Domain

[<RequireQualifiedAccess>]
type Signed =
    | Lookup of url: string
    | Asset of what: string * url: string

type TrustError =
    | KeyFileUnreadable of flag: string * path: string * detail: string
    | KeyFileRejected of flag: string * path: string * detail: string
    | SignatureMissing of signed: Signed * signature: string * status: int
    | SignatureUnreadable of signed: Signed * signature: string * detail: string
    | UnknownKey of signed: Signed * keyId: string * flag: string
    | BadSignature of signed: Signed * signer: string
    | KeyExpired of signed: Signed * signer: string * expired: string
    | KeyRevoked of signed: Signed * signer: string
    | SignatureOutOfDate of signed: Signed * signer: string * detail: string
    | KeyUncertified of signed: Signed * signer: string * why: string
    | KeyCannotSign of signed: Signed * signer: string
    | SignatureTooOld of signed: Signed * signer: string * signedAt: string * ageSeconds: int64 * maxAgeSeconds: int

module TrustError =

    let private subject signed =
        match signed with
        | Signed.Lookup url -> $"the lookup answer {url}"
        | Signed.Asset(what, url) -> $"the {what} {url}"

    /// Which flag names the keys for what was signed.
    let private keyFlag signed =
        match signed with
        | Signed.Lookup _ -> "--lookup-key"
        | Signed.Asset _ -> "--asset-key"

    /// Where a new signature comes from, for the fix.
    let private resign signed =
        match signed with
        | Signed.Lookup _ -> "run matchbox with -key-ring-path holding the key whose public half --lookup-key names"
        | Signed.Asset _ ->
            "publish URL.sig beside each asset (the distribution's, as get-flatcar fetches it, or gpg --detach-sign)"

    let explain error =
        match error with
        | KeyFileUnreadable(flag, path, detail) ->
            { Code = "XMB-701"
              Cause = $"cannot read the key file {flag} {path}: {detail}"
              Fix = "give a readable file of OpenPGP public keys, as 'gpg --export KEYID > FILE' writes it" }
        | KeyFileRejected(flag, path, detail) ->
            { Code = "XMB-702"
              Cause = $"{flag} {path} holds no usable OpenPGP public key: {detail}"
              Fix = "export the public key with 'gpg --export KEYID > FILE' (or --armor); never give a secret key" }
        | SignatureMissing(signed, signature, status) ->
            { Code = "XMB-703"
              Cause =
                $"{subject signed} is not signed: {signature} answered HTTP {status}, and unsigned bytes are not booted"
              Fix = resign signed }
        | SignatureUnreadable(signed, signature, detail) ->
            { Code = "XMB-704"
              Cause = $"{signature}, the signature of {subject signed}, is not a detached OpenPGP signature: {detail}"
              Fix = $"serve a detached signature there (gpg --detach-sign, binary or armoured); {resign signed}" }
        | UnknownKey(signed, keyId, flag) ->
            { Code = "XMB-705"
              Cause = $"{subject signed} is signed by key {keyId}, which no {flag} file holds"
              Fix =
                $"add that key's public half ('gpg --export {keyId}') with {flag} if you trust it, or sign with a key you gave" }
        | BadSignature(signed, signer) ->
            { Code = "XMB-706"
              Cause =
                $"{subject signed} does not match its signature by {signer}: the bytes were changed after signing, in transit or on the server"
              Fix = "do not boot it: find who changed the file; if the change is yours, sign the new file again" }
        | KeyExpired(signed, signer, expired) ->
            { Code = "XMB-707"
              Cause = $"{subject signed} is signed by {signer}, which expired on {expired}"
              Fix =
                $"extend the key's expiry (gpg --quick-set-expire) and give the new export with {keyFlag signed} (copies of one key are merged), or sign with a current key" }
        | KeyRevoked(signed, signer) ->
            { Code = "XMB-708"
              Cause = $"{subject signed} is signed by {signer}, which its owner revoked"
              Fix =
                $"sign with a key that is not revoked and give it with {keyFlag signed}; never trust a revoked key again" }
        | SignatureOutOfDate(signed, signer, detail) ->
            { Code = "XMB-709"
              Cause = $"the signature of {subject signed} by {signer} {detail}"
              Fix = $"sign the file again with a current key; check dom0's clock; {resign signed}" }
        | KeyUncertified(signed, signer, why) ->
            { Code = "XMB-710"
              Cause =
                $"{subject signed} is signed by {signer}, which the {keyFlag signed} files hold uncertified: {why}"
              Fix =
                "a key without a valid self-signature or binding vouches for nothing (anyone can append one to a key file): export the key again from its owner (gpg --export KEYID) and give only that file" }
        | KeyCannotSign(signed, signer) ->
            { Code = "XMB-711"
              Cause =
                $"{subject signed} is signed by {signer}, whose key flags do not allow signing (a certify-only or encryption key)"
              Fix =
                $"sign with a key or subkey made for signing (its usage includes S in gpg --list-keys) and give it with {keyFlag signed}" }
        | SignatureTooOld(signed, signer, signedAt, age, maxAge) ->
            { Code = "XMB-712"
              Cause =
                $"{subject signed} was signed by {signer} {age} s before dom0's clock (on {signedAt}), beyond --lookup-max-age {maxAge} s: matchbox signs each answer as it renders it, so this is an old answer replayed, or the clocks disagree"
              Fix =
                "do not boot it: check dom0's and matchbox's clocks (timedatectl, NTP); if answers rightly take that long, raise --lookup-max-age" }
