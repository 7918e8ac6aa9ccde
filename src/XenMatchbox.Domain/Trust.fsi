/// Whether the operator's OpenPGP keys vouch for a signature, as data: the shell's OpenPGP library
/// (BouncyCastle) reads the key files and the signature and checks the cryptography; this module
/// decides which key is meant, whether that key and the signature are valid now, and how a
/// verification is named in messages, progress lines and the cache. Matchbox signs /ipxe in text
/// mode (signature type 0x01), distributions sign their files in binary mode (0x00); both are
/// accepted, each as its packet says.
module XenMatchbox.Domain.Trust

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Plan

/// The largest signature answer read: a detached signature is a few hundred bytes, armoured or not.
[<Literal>]
val MaxSignatureBytes: int = 65536

/// The largest key file read (--lookup-key, --asset-key): 1 MiB, hundreds of exported keys.
[<Literal>]
val MaxKeyFileBytes: int = 1048576

/// How long a signature's creation may lie ahead of dom0's clock (clocks drift): 5 minutes.
[<Literal>]
val ClockSkewSeconds: int = 300

/// One public key (a primary key or one of its subkeys) from a key file, as read.
type Key =
    {
        /// The key's 64-bit id.
        KeyId: uint64
        /// The key's fingerprint, in upper-case hex.
        Fingerprint: string
        /// The fingerprint of its primary key (the key's own for a primary key).
        Primary: string
        /// The primary key's first user id; empty when it has none.
        UserId: string
        /// When the key was made.
        Created: DateTimeOffset
        /// When it expires (the earlier of the key's and its primary's); None for never.
        Expires: DateTimeOffset option
        /// Whether the key file holds a revocation of the key or of its primary.
        Revoked: bool
    }

/// A detached signature's packet, as read.
type Signature =
    {
        /// The signature type: 0x00 binary document, 0x01 canonical text, others are not over a document.
        Type: int
        /// The issuer's key id, when the signature names one.
        Issuer: uint64 option
        /// The digest's OpenPGP algorithm id (1 MD5, 2 SHA-1, 3 RIPEMD-160, 8 SHA-256, 9 SHA-384,
        /// 10 SHA-512, 11 SHA-224, 12 SHA3-256, 14 SHA3-512).
        Hash: int
        /// When it was made.
        Created: DateTimeOffset
        /// When it expires; None for never.
        Expires: DateTimeOffset option
    }

/// How the signed bytes were hashed, as the packet says.
type Mode =
    /// Type 0x00: the bytes as they are (distributions' .sig files, gpg --detach-sign).
    | Binary
    /// Type 0x01: line endings made CRLF first (matchbox's /ipxe.sig and /ipxe.asc, gpg --textmode).
    | Text

/// The key a signature was checked against.
type Signer =
    {
        /// The signing key's id, 16 upper-case hex digits.
        KeyId: string
        /// The signing key's fingerprint.
        Fingerprint: string
        /// The primary key's fingerprint (a subkey may sign).
        Primary: string
        /// The primary key's first user id; empty when none.
        UserId: string
        /// The signature's mode.
        Mode: Mode
    }

/// A key id as GnuPG prints it in long form: 16 upper-case hex digits.
val keyIdText: keyId: uint64 -> string

/// The signer as messages name it: "key KEYID (user id)", or "key KEYID" without a user id.
val describe: signer: Signer -> string

/// Where the detached signature of a URL is: ".sig" added to its path, the query kept
/// (/ipxe?mac=… gives /ipxe.sig?mac=…, as matchbox serves it; /assets/k gives /assets/k.sig,
/// as distributions and mirrors publish it).
val signatureUrl: url: AssetUrl -> AssetUrl

/// The key a signature asks for, if the keys vouch for it at <paramref name="now"/>: the
/// signature must be over a document (type 0x00 or 0x01, else XMB-704) with a digest that still
/// resists collisions (not MD5, SHA-1 or RIPEMD-160, else XMB-704), name a key of
/// <paramref name="keys"/> (else XMB-705, naming <paramref name="flag"/>), that key must be neither
/// revoked (XMB-708) nor expired (XMB-707), and the signature neither expired, nor older than its
/// key, nor made more than ClockSkewSeconds ahead of <paramref name="now"/> (XMB-709).
val choose:
    now: DateTimeOffset ->
    signed: Signed ->
    signatureAt: string ->
    flag: string ->
    keys: Key list ->
    signature: Signature ->
        Result<Key * Signer, BootError>

/// The cryptography's verdict as the workflow's: the signer when the bytes match, XMB-706 when not.
val conclude: signed: Signed -> signer: Signer -> matches: bool -> Result<Signer, BootError>

/// What a cache entry keeps of the verification of its bytes: the signature's SHA-256 and the
/// signing key's fingerprint, so that an entry counts as verified only against the very signature
/// the server serves now, checked with a key the operator still gives.
val record: signatureDigest: string -> signer: Signer -> string

/// The note a progress or summary line ends with: "verified (KEYID)", the ids joined by ", " when
/// several initrds were signed by different keys; empty for none.
val verifiedNote: signers: Signer list -> string

/// How old a signed lookup answer was when the boot checked it (--lookup-max-age).
type Age =
    {
        /// When the signature was made: matchbox signs each answer as it renders it.
        SignedAt: DateTimeOffset
        /// Whole seconds from then to the boot's clock; negative for a signature dated ahead of it
        /// (within ClockSkewSeconds, or choose would have refused it).
        Seconds: int64
        /// The most it may be, --lookup-max-age in seconds (ClockSkewSeconds more are allowed).
        MaxSeconds: int
    }

/// An instant as messages and reports show it: "2026-12-02 15:04:05 UTC".
val instantText: time: DateTimeOffset -> string

/// The age rule for a signed answer whose bytes matched (the lookup's, under --lookup-key): its
/// signature must have been made at most <paramref name="maxAgeSeconds"/> plus ClockSkewSeconds
/// before <paramref name="now"/> (exactly that is still taken), else XMB-712 naming the age and the
/// limit, since an older one is an answer replayed (or clocks apart). A signature dated ahead of
/// now is never this rule's to refuse: beyond ClockSkewSeconds, choose refuses it (XMB-709).
val checkAge:
    now: DateTimeOffset ->
    maxAgeSeconds: int ->
    signed: Signed ->
    signer: Signer ->
    signedAt: DateTimeOffset ->
        Result<Age, BootError>
