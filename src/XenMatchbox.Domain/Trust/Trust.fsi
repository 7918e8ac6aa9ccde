/// Whether the operator's OpenPGP keys vouch for a signature, as data, judged as Debian's own
/// verifiers (sqv, gpgv) judge it. The shell's OpenPGP library (BouncyCastle) reads the key files
/// and the signature and does the mathematics: for every self-signature and binding it says only
/// whether the cryptography holds. This module decides the rest: which keys of a certificate are
/// valid at an instant (a primary key by its newest valid self-signature, a subkey by its newest
/// valid binding, a signing subkey only with a valid back-signature), their flags, expiry and
/// revocation; every copy of one key merged before judging; signatures with unknown critical
/// subpackets or notations ignored; which key a signature asks for and whether that key and the
/// signature's dates vouch now; how text mode hashes line endings; how a verification is named in
/// messages, progress lines and the cache. Matchbox signs /ipxe in text mode (signature type 0x01),
/// distributions sign their files in binary mode (0x00); both are accepted, each as its packet says.
module internal XenMatchbox.Domain.Trust

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Profile

/// The largest signature answer read: a detached signature is a few hundred bytes, armoured or not.
[<Literal>]
val MaxSignatureBytes: int = 65536

/// The largest key file read (--lookup-key, --asset-key): 1 MiB, hundreds of exported keys.
[<Literal>]
val MaxKeyFileBytes: int = 1048576

/// How long a signature's creation may lie ahead of dom0's clock (clocks drift): 5 minutes.
[<Literal>]
val ClockSkewSeconds: int = 300

/// The key flag that allows a key to sign data (RFC 9580 §5.2.3.29: 0x02).
[<Literal>]
val SignFlag: int = 2

/// A public key packet (a primary key or a subkey), as read.
type KeyPacket =
    {
        /// The key's 64-bit id.
        KeyId: uint64
        /// The key's fingerprint, in upper-case hex.
        Fingerprint: string
        /// When the key was made.
        Created: DateTimeOffset
        /// The public-key algorithm's id (1 RSA, 17 DSA, 19 ECDSA, 22 EdDSA, 27 Ed25519, …).
        Algorithm: int
    }

/// What a signature on a certificate says (a self-signature over a user id or the key, a subkey
/// binding, a back-signature, a revocation), with the cryptography's verdict.
type CertificationFacts =
    {
        /// The signature type: 0x10–0x13 a user id's certification, 0x18 a subkey binding, 0x19 a
        /// back-signature, 0x1F a direct-key signature, 0x20 a key revocation, 0x28 a subkey
        /// revocation, 0x30 a certification revocation.
        Type: int
        /// When it was made.
        Created: DateTimeOffset
        /// The digest's OpenPGP algorithm id.
        Hash: int
        /// Whether the cryptography holds: made by the primary key (by the subkey, for a
        /// back-signature) over what its type covers.
        Verified: bool
        /// The key expiration time subpacket: seconds after the key's creation; 0 for never.
        KeyExpiresAfter: int64 option
        /// The signature expiration time subpacket: seconds after the signature's creation; 0 for
        /// never (expiry gives the instant).
        ExpiresAfter: int64 option
        /// The key flags subpacket's first byte; None when the signature has none.
        Flags: int option
        /// An unknown critical subpacket or a critical notation it carries, named; None for none.
        Critical: string option
        /// For a subkey binding: the back-signature (0x19) embedded in it, if any.
        Back: CertificationFacts option
    }

/// A subkey and the signatures on it (bindings and revocations), as read.
type SubkeyFacts =
    {
        /// The subkey.
        Key: KeyPacket
        /// Its bindings (0x18) and revocations (0x28).
        Signatures: CertificationFacts list
    }

/// One transferable public key from a key file, as read: a primary key with what is attached to it.
type Certificate =
    {
        /// The primary key.
        Primary: KeyPacket
        /// Its direct-key signatures (0x1F) and revocations (0x20).
        Direct: CertificationFacts list
        /// Each user id and the signatures over it.
        UserIds: (string * CertificationFacts list) list
        /// Its subkeys.
        Subkeys: SubkeyFacts list
    }

/// When something made at created expires, from an expiration time subpacket of after seconds
/// (a key's counts from the key's creation, a signature's from the signature's, RFC 9580
/// §5.2.3.18 and §5.2.3.13): None without the subpacket or with 0, which means never.
val expiry: created: DateTimeOffset -> after: int64 option -> DateTimeOffset option

/// The keys of all files one flag names, every copy of a certificate merged into one.
type Keyring

/// Several certificates as one keyring: the copies of one primary key (from several files, or
/// concatenated in one) merged, their user ids, subkeys and signatures joined, so that a revocation
/// or a newer self-signature in any copy counts.
val keyring: certificates: Certificate list -> Keyring

/// How a key stands at an instant.
type Standing =
    /// Certified by a valid self-signature or binding, neither revoked nor expired.
    | Valid
    /// No valid self-signature (primary) or binding (subkey) vouches for it at that instant; why.
    | Uncertified of why: string
    /// Its owner revoked it (or its primary key).
    | Revoked
    /// It had expired by then.
    | Expired of at: DateTimeOffset

/// One key of a keyring as judged at an instant.
type Key =
    {
        /// The key's 64-bit id.
        KeyId: uint64
        /// The key's fingerprint, in upper-case hex.
        Fingerprint: string
        /// The fingerprint of its primary key (the key's own for a primary key).
        Primary: string
        /// The primary key's user id (the one marked primary, else the first certified); empty for none.
        UserId: string
        /// When the key was made.
        Created: DateTimeOffset
        /// When it expires (the earlier of its own and its primary's); None for never.
        Expires: DateTimeOffset option
        /// Whether its flags (and its algorithm) allow it to sign data.
        Signs: bool
        /// How it stands.
        Standing: Standing
    }

/// Every key of the keyring (primary keys and subkeys, in file order) as it stands at
/// <paramref name="at"/>: what `check` shows.
val keys: at: DateTimeOffset -> keyring: Keyring -> Key list

/// A detached signature's packet, as read.
type Signature =
    {
        /// The signature type: 0x00 binary document, 0x01 canonical text, others are not over a document.
        Type: int
        /// The issuer's key id, when the signature names one.
        Issuer: uint64 option
        /// The issuer's fingerprint, when the signature names it (subpacket 33).
        IssuerFingerprint: string option
        /// The digest's OpenPGP algorithm id (1 MD5, 2 SHA-1, 3 RIPEMD-160, 8 SHA-256, 9 SHA-384,
        /// 10 SHA-512, 11 SHA-224, 12 SHA3-256, 14 SHA3-512).
        Hash: int
        /// When it was made.
        Created: DateTimeOffset
        /// The signature expiration time subpacket: seconds after its creation; 0 for never
        /// (expiry gives the instant).
        ExpiresAfter: int64 option
        /// An unknown critical subpacket or a critical notation it carries, named; None for none.
        Critical: string option
    }

/// The name of a signature subpacket that is critical but means nothing to a verifier that follows
/// RFC 9580 (an unknown tag, a notation, a reserved tag), for <see cref="CertificationFacts.Critical"/>
/// and <see cref="Signature.Critical"/>; None for a critical subpacket whose meaning is known.
val unknownCritical: tag: int -> string option

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

/// The key a signature asks for, if the keyring vouches for it at <paramref name="now"/>: the
/// signature must be over a document (type 0x00 or 0x01, else XMB-704) with a digest that still
/// resists collisions (not MD5, SHA-1 or RIPEMD-160, else XMB-704) and no unknown critical
/// subpacket or notation (XMB-704); it must name a key of <paramref name="keyring"/> (else XMB-705,
/// naming <paramref name="flag"/>); that key must be certified (XMB-710), allowed to sign
/// (XMB-711), neither revoked (XMB-708) nor expired (XMB-707) now, and have been certified and
/// valid when the signature was made; the signature must be neither expired, nor older than its
/// key, nor made more than ClockSkewSeconds ahead of <paramref name="now"/> (XMB-709). The chosen
/// key's fingerprint tells the shell which key checks the cryptography.
val choose:
    now: DateTimeOffset ->
    signed: Signed ->
    signatureAt: string ->
    flag: string ->
    keyring: Keyring ->
    signature: Signature ->
        Result<Signer, BootError>

/// The cryptography's verdict as the workflow's: the signer when the bytes match, XMB-706 when not.
val conclude: signed: Signed -> signer: Signer -> matches: bool -> Result<Signer, BootError>

/// How a signer canonicalises text mode's line endings before hashing. RFC 9580 says only that
/// line endings become CRLF; the signers that matter agree on LF and CRLF and keep a lone CR as
/// data, but differ at the edges, so a text signature verifies if it matches either signer's form.
type TextRule =
    /// GnuPG (gpg --textmode, gpgv): each line's trailing CRs dropped, then CRLF where it ended in LF.
    | GnuPg
    /// Go's openpgp (matchbox's signer): an LF becomes CRLF unless the byte before it is a CR that
    /// did not itself follow a CR.
    | Go

/// Where a canonicalisation stands between two chunks of a document.
type TextState

/// The state before a document's first byte.
val textStart: rule: TextRule -> TextState

/// The canonical form of the next <paramref name="count"/> bytes of <paramref name="input"/> from
/// <paramref name="offset"/>, and the state after them; a byte may be held back until the next
/// chunk shows what follows it.
val canonicalText: state: TextState -> input: byte array -> offset: int -> count: int -> byte array * TextState

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
