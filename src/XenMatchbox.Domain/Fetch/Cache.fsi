/// The rules of the shared asset cache: what an entry is, when a response may be stored, what a
/// revalidation answer means, and which entries go when the cache is over its size. The files,
/// locks and links are the shell's; every decision about them is made here.
module XenMatchbox.Domain.Cache

/// The default cache directory, outside libxl's output directory (libxl deletes what is in that).
[<Literal>]
val DefaultDirectory: string = "/var/cache/xenmatchbox"

/// The default cap on the cache's size: 4 GiB, some twenty CoreOS or Flatcar releases.
[<Literal>]
val DefaultMaxBytes: int64 = 4294967296L

/// The mode of every cache file (0644): as public as matchbox's /assets/, and readable by the
/// restricted uid, whatever the umask.
[<Literal>]
val FileMode: int = 420

/// The mode of the cache directory (0755).
[<Literal>]
val DirectoryMode: int = 493

/// Where the cache is and how large it may grow.
type CacheSettings =
    {
        /// The cache's absolute directory (--cache-dir): each entry's metadata, data and lock files.
        Directory: string
        /// The most bytes the stored assets may take together (--cache-size); evict keeps the cache under it.
        MaxBytes: int64
    }

/// How a boot may use the cache directory.
type Access =
    /// Use entries and store them: the directory is made when missing.
    | ReadWrite
    /// Use the entries there are, and store none: a restricted (--runas) boot, which cannot write
    /// a directory root made, so that one domain's bootloader can never plant a kernel for another.
    | ReadOnly

/// How a boot uses the cache directory: a restricted one only an existing directory, read-only
/// (None when there is none: it never makes one); any other ReadWrite.
val internal access: restricted: bool -> exists: bool -> Access option

/// The milliseconds to wait before trying a locked entry's lock again, after failed tries
/// (from 1): 5, doubled after each try, at most 100.
val internal lockBackoffMilliseconds: failed: int -> int

/// Whether the cache is trimmed at the end of a boot: only when this boot stored an entry (a cache
/// it only read has not grown), and may write.
val internal trimDue: access: Access -> stored: bool -> bool

/// The one line (without the program's prefix) that says the cache failed and the boot goes on
/// without it: "cache DIRECTORY: DETAIL; downloading without it".
val internal unusableNote: directory: string -> detail: string -> string

/// The bytes each SHA-256 of a verified entry's digest covers: 4 MiB. A boot under
/// --verify-assets hashes the cached bytes before it uses them, and one SHA-256 cannot be split, so
/// the bytes are hashed in pieces that every core can take at once (an 8 MiB kernel and a 64 MiB
/// initramfs are 18 pieces); the metadata holds one digest per piece (about 1 KiB for 64 MiB).
[<Literal>]
val DigestPieceBytes: int = 4194304

/// What verified an entry's bytes, and what those bytes were.
type Verification =
    {
        /// The signature and key that verified them (Trust.record: the signature's SHA-256 and the
        /// key's fingerprint).
        Record: string
        /// The SHA-256 of each DigestPieceBytes piece of the bytes the signature verified (the last
        /// piece may be shorter; an empty asset is one empty piece), in order, lower-case hex.
        /// SHA-256 whatever digest the signature used: x86 CPUs with the SHA extensions hash it in
        /// hardware, which the signature's SHA-512 (GnuPG's choice for RSA keys) or a managed digest
        /// (text mode, EdDSA) do not get, and pieces of it can be hashed side by side where the
        /// signature's one running hash cannot.
        Pieces: string list
    }

/// One stored asset: the URL it was fetched from, the validators its server sent, and its length.
type Entry =
    {
        /// The URL the profile named, before redirects; key gives its file-name stem.
        Url: string
        /// The ETag header the server sent, sent back as If-None-Match; None when there was none.
        ETag: string option
        /// The Last-Modified header the server sent, sent back as If-Modified-Since; None when there was none.
        LastModified: string option
        /// The asset's length in bytes, as its Content-Length declared it.
        Length: int64
        /// What verified the bytes, and their digest; None when they were stored without a
        /// signature check.
        Verified: Verification option
    }

/// Whether a data file of this length holds the entry's bytes: the length its metadata records
/// (else the entry is a miss, and a download of another length is not stored).
val internal holds: entry: Entry -> dataLength: int64 -> bool

/// The file-name stem of a URL's entry: the lower-case hex SHA-256 of the URL (64 characters), so
/// no byte of the URL reaches a path.
val internal key: url: string -> string

/// How many DigestPieceBytes pieces an asset of this length is hashed in: at least one.
val internal pieceCount: length: int64 -> int64

/// An entry as its metadata file holds it: "xenmatchbox-cache 3", then "url", "etag",
/// "last-modified", "length", "verified" (Trust.record) and "digest" lines, each "name value"; the
/// digest is "sha256/4194304" and then each piece's SHA-256, and both it and "verified" are empty
/// for bytes stored without a signature check. (Entries of version 1, from before signatures, and
/// of version 2, whose verified bytes had no digest, read as misses: fetched once more.)
val internal render: Entry -> string

/// Reads a metadata file back; None for anything not written by render (a stale or foreign file
/// is then a miss, never an error). The entry must be for this URL; a verified entry must hold
/// exactly pieceCount digests of the piece size render writes, and an unverified one none.
val internal parse: url: string -> text: string -> Entry option

/// The most URLs a recent file names (renderRecent keeps the first ones; parseRecent refuses more).
[<Literal>]
val MaxRecentUrls: int = 16

/// The file-name stem of the recent file of a lookup by these labels (the lower-case hex SHA-256
/// of the sorted labels, distinct from every URL's key): its file names the URLs the last verified
/// boot by these labels used, so that the next one can hash their cached bytes while it still
/// waits for matchbox (a guess, never a decision: what is used is what the plan names, examined).
val internal recentKey: labels: (string * string) list -> string

/// A recent file's text: "xenmatchbox-recent 1", then one URL a line (distinct, at most
/// MaxRecentUrls; a URL holding a line break is left out).
val internal renderRecent: urls: string list -> string

/// The URLs of a recent file's text; none for anything renderRecent does not write (a foreign,
/// damaged or over-long file is only a guess that is not made).
val internal parseRecent: text: string -> string list

/// Whether none of a recent file's URLs has an entry among the stored keys: the file then goes
/// when the cache is trimmed.
val internal recentStale: urls: string list -> stored: Set<string> -> bool

/// Whether the entry's bytes were verified by exactly this record (Trust.record): a different
/// signature, another key or no verification at all is not.
val internal verifiedBy: record: string -> entry: Entry -> bool

/// How a boot may use a stored entry, once the server says it is current.
type Use =
    /// As its bytes are: the boot checks no signature (no --verify-assets), so nothing is claimed
    /// of them.
    | AsStored
    /// Only once the bytes on disk hash to these pieces (examine): the signature the server serves
    /// now is the very one that verified them, and the digest is what says they are still those
    /// bytes (a disk that corrupts, another program writing the cache, a bug here).
    | OnceExamined of pieces: string list
    /// Not at all, as a miss (fetched and verified again): another signature, another key or none
    /// verified the entry.
    | Refetch

/// What a boot does with a stored entry: AsStored without a signature (<paramref name="signature"/>
/// None), else OnceExamined when this record (Trust.record of the signature served now) verified it,
/// else Refetch.
val internal usage: signature: string option -> entry: Entry -> Use

/// What the pieces of the bytes on disk say of a verified entry.
type Bytes =
    /// Every piece's SHA-256 equals the recorded one: the bytes are those the signature verified.
    | Intact
    /// The piece at this index (from 0) differs, or the count does: the bytes are not those the
    /// signature verified. The entry goes, the asset is downloaded and verified again, and the
    /// change is said in one line (alteredNote); it never fails the boot.
    | Altered of piece: int

/// Compares the recorded pieces (<paramref name="expected"/>, from OnceExamined) with those of the
/// bytes on disk: Intact only when every one is equal and none is missing or extra.
val internal examine: expected: string list -> actual: string list -> Bytes

/// The one line (without the program's prefix) that says a verified entry's bytes changed: the
/// cache directory, the URL, and the bytes of the piece that differs, e.g. "cache
/// /var/cache/xenmatchbox: the bytes cached for URL are not those their signature verified (bytes
/// 4194304–8388607 differ); downloading and verifying it again".
val internal alteredNote: directory: string -> entry: Entry -> piece: int -> string

/// The request headers that revalidate an entry: If-None-Match with its ETag and
/// If-Modified-Since with its Last-Modified, each when known.
val internal conditionalHeaders: Entry -> (string * string) list

/// How a stored entry is checked against the server before it is used.
type Revalidation =
    /// A GET carrying these headers (If-None-Match with the ETag, and If-Modified-Since): the
    /// entry has an ETag, which names the server's bytes; a 304 is then checked with decide.
    | Conditional of headers: (string * string) list
    /// A HEAD whose Last-Modified and Content-Length must equal the entry's (compareHead): the entry
    /// has only a date. A conditional GET cannot be trusted then, since Go's file server (matchbox's
    /// /assets/) answers If-Modified-Since with 304 for any file not newer than the date, so an
    /// asset replaced by an older build (a rollback) would look unchanged.
    | CompareHead

/// How to revalidate the entry: Conditional when it has an ETag, else CompareHead.
val internal revalidation: Entry -> Revalidation

/// What a server's answer means for the cache.
type Answer =
    /// The stored copy is current: a 304 whose validators (where it repeats them) equal the
    /// entry's, or a HEAD whose date and length equal the entry's.
    | Current
    /// The server has other bytes than the entry (a 304 naming other validators, a HEAD with
    /// another date or length): fetch the asset again, without validators.
    | Changed
    /// 200 with a validator and a Content-Length: store the body as this entry once it is complete.
    | Store of Entry
    /// 200 without validators or without a length: use the body, never store it (and drop any old entry).
    | Bypass

/// Decides from the status and headers of the final response to a GET (after redirects). A 304
/// without a stored entry, and any status but 200 and 304, is None (the shell treats that as a
/// server error).
val internal decide:
    url: string ->
    stored: Entry option ->
    status: int ->
    etag: string option ->
    lastModified: string option ->
    contentLength: int64 option ->
        Answer option

/// Decides from a HEAD's ETag, Last-Modified and Content-Length whether the entry is Current:
/// both the date and the length must be there and equal the entry's, and an ETag, where both
/// sides have one, too; anything else is Changed. A replacement of the same length within the
/// same second of the same date cannot be seen.
val internal compareHead:
    stored: Entry -> etag: string option -> lastModified: string option -> contentLength: int64 option -> Answer

/// An entry as the shell finds it on disk, for eviction: its key, its size, and when it was last
/// used (any monotonic count, e.g. ticks of its metadata file's modification time).
type Stored =
    {
        /// The entry's file-name stem (see key).
        Key: string
        /// The size of the entry's stored asset in bytes (0 when the asset file is missing).
        Bytes: int64
        /// When the entry was last used; larger is more recent.
        LastUsed: int64
    }

/// The keys to remove so the cache fits MaxBytes: least recently used first, never one in
/// inUse. May leave the cache over its cap when the entries in use alone exceed it.
val internal evict: maxBytes: int64 -> inUse: Set<string> -> entries: Stored list -> string list
