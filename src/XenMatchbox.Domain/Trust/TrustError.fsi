namespace XenMatchbox.Domain

/// What a signature vouches for: matchbox's /ipxe answer (HTTP-only lookups under --lookup-key) or
/// a kernel or initrd (under --verify-assets=required).
[<RequireQualifiedAccess>]
type Signed =
    /// The /ipxe answer; its URL as shown.
    | Lookup of url: string
    /// An asset; which file it goes into ("kernel", "ramdisk") and its URL as shown.
    | Asset of what: string * url: string

/// The operator's keys do not vouch for what was fetched: XMB-7xx, exit status 8. Nothing is
/// written for libxl; the bytes that were fetched are removed.
type TrustError =
    /// XMB-701: a key file (--lookup-key, --asset-key) cannot be read; the flag as set, the path and the reason.
    | KeyFileUnreadable of flag: string * path: string * detail: string
    /// XMB-702: a key file holds no usable OpenPGP public key (a secret key, a certificate, text);
    /// the flag as set, the path and what was found.
    | KeyFileRejected of flag: string * path: string * detail: string
    /// XMB-703: the server has no signature beside what it served (404 and the like); what was
    /// signed, the signature's URL and the status.
    | SignatureMissing of signed: Signed * signature: string * status: int
    /// XMB-704: what the signature's URL answered is not a detached OpenPGP signature over a
    /// document (not OpenPGP, armour broken, another signature type, too large); what was signed,
    /// the signature's URL and what was wrong.
    | SignatureUnreadable of signed: Signed * signature: string * detail: string
    /// XMB-705: the signature was made by a key none of the flag's files holds; what was signed,
    /// the signer's key id and the flag.
    | UnknownKey of signed: Signed * keyId: string * flag: string
    /// XMB-706: the bytes do not match the signature: changed in transit or on the server after
    /// signing; what was signed and the key that signed.
    | BadSignature of signed: Signed * signer: string
    /// XMB-707: the signing key had expired when the boot checked it; what was signed, the key and when it expired.
    | KeyExpired of signed: Signed * signer: string * expired: string
    /// XMB-708: the signing key (or its primary key) is revoked in the key file; what was signed and the key.
    | KeyRevoked of signed: Signed * signer: string
    /// XMB-709: the signature itself had expired, or was made before its key existed or after the
    /// boot's clock; what was signed, the key and what is wrong with its dates.
    | SignatureOutOfDate of signed: Signed * signer: string * detail: string
    /// XMB-710: the signing key is in the key file, but no valid self-signature (a primary key) or
    /// binding signature by its primary key (a subkey; with a back-signature for a signing subkey)
    /// vouches for it: appended by someone, or its certification broken; what was signed, the key
    /// and why.
    | KeyUncertified of signed: Signed * signer: string * why: string
    /// XMB-711: the signing key's flags do not allow it to sign (a certify-only or encryption key);
    /// what was signed and the key.
    | KeyCannotSign of signed: Signed * signer: string
    /// XMB-712: the signature was made longer before the boot's clock than --lookup-max-age (and
    /// the clock skew) allows: matchbox signs each answer as it renders it, so this is an old answer
    /// replayed, or the clocks disagree; what was signed, the key, when it was signed, how many
    /// seconds before the boot's clock, and --lookup-max-age in seconds.
    | SignatureTooOld of signed: Signed * signer: string * signedAt: string * ageSeconds: int64 * maxAgeSeconds: int

/// Code, cause and fix of each trust error.
module TrustError =

    /// The error's code, cause and fix.
    val explain: TrustError -> Explanation
