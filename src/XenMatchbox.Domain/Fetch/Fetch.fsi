/// One asset's fetch as a step machine: from its URL(s), the cache, the trust settings and each
/// step's outcome, the order of decisions that puts the asset where the plan says. Per URL: the
/// cache's entry is locked and read; under --verify-assets its signature (URL.sig) is fetched and
/// judged first; an entry is used only while its server says it is current (a conditional GET, or a
/// HEAD for an entry with only a date: Cache.revalidation) and, when verifying, only when this very
/// signature verified it (Cache.usage) and its bytes still hash to the pieces recorded then
/// (Cache.examine); else the asset is fetched, and a complete answer the cache may keep is stored.
/// A single URL through a writable cache is then placed (a hard link to the cached file); several
/// URLs, a restricted (read-only) cache or none are appended in order into one file. A cache that
/// fails (an unreadable entry, a full disk under its partial file) costs one line and the rest of
/// the asset goes without it. The shell carries each step out and reports what happened; every
/// decision is made here.
module XenMatchbox.Domain.Fetch

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Profile

/// The cache one asset's fetch may use.
type CacheUse =
    {
        /// The cache's directory (--cache-dir), as its notes name it.
        Directory: string
        /// Whether entries may be stored, or only used (Cache.access).
        Access: Cache.Access
    }

/// What to fetch, and how.
type Settings =
    {
        /// The URLs whose bytes, in order, make the asset (one for a kernel; one or more for a ramdisk).
        Urls: AssetUrl list
        /// Which file the bytes go into ("kernel", "ramdisk"), for messages.
        What: string
        /// The most bytes the asset may have (--max-kernel-size, --max-initrd-size).
        Limit: int64
        /// Whether each URL's signature is fetched and judged before its bytes are used (--verify-assets=required).
        Verifying: bool
        /// The cache, while this boot may use it; None for --no-cache, a cache that could not be
        /// opened or one this boot gave up.
        Cache: CacheUse option
    }

/// Where a GET's body goes.
type Target =
    /// The partial file of the URL's cache entry, from its start; the asset's bytes before this URL
    /// are not in it, so it may hold limit bytes (the asset's limit less those bytes). With
    /// hashPieces, the body's pieces are hashed as it is written (Fetched.Pieces), for the entry.
    | ToPartial of limit: int64 * hashPieces: bool
    /// The asset's file in libxl's directory, at offset start (the bytes of the URLs before); it
    /// may hold the asset's limit.
    | ToFile of start: int64 * limit: int64

/// The bytes a URL gives the asset, once judged.
type Source =
    /// The cache entry's data file, as stored before.
    | Entry
    /// The cache entry's data file, just stored.
    | JustStored
    /// The partial file, fetched whole and verified but not kept (the cache may not keep it): used once.
    | PartialFile

/// A step for the shell to carry out.
type Step =
    /// Open the asset's file in libxl's directory (a temporary name until Complete), to append to.
    /// Outcome: Carried.
    | OpenOutput
    /// Lock the URL's cache entry (exclusive when writable, shared when read-only; Cache.lockBackoff
    /// spaces the tries) and read it; withPartial: also create its partial file for a download.
    /// Outcome: EntryRead, CacheOff or CacheFailed.
    | OpenEntry of url: AssetUrl * withPartial: bool
    /// Fetch the signature at signature (Trust.signatureUrl) and judge it against the keys (a
    /// failure is signatureError's); keep its check for the bytes. With hashStored, start hashing
    /// the stored entry's bytes (of that length) beside it, at once: Examine may need their pieces.
    /// Outcome: SignatureRead, Failed.
    | FetchSignature of signed: Signed * signature: AssetUrl * hashStored: int64 option
    /// A conditional GET of the URL with these headers (Cache.conditionalHeaders): 304 leaves the
    /// entry; 200 writes the body to the target, through the signature's check.
    /// Outcome: NotModified, Received, Failed.
    | Revalidate of url: AssetUrl * headers: (string * string) list * target: Target
    /// A HEAD of the URL, for an entry with only a date (Cache.compareHead).
    /// Outcome: HeadRead, Failed.
    | CompareHead of url: AssetUrl
    /// A GET of the URL, its body written to the target through the signature's check (which must
    /// match before the outcome is Received). Outcome: Received, Failed.
    | Get of url: AssetUrl * target: Target
    /// The pieces of the stored bytes (of this length), hashed since FetchSignature or now.
    /// Outcome: Hashed, CacheFailed.
    | Examine of length: int64
    /// Say the note, if any (without the program's prefix), and, with remove, remove the stored
    /// entry (its bytes are altered, or the server no longer lets it be cached). Outcome: Carried.
    | Discard of note: string option * remove: bool
    /// The stored entry is used: it becomes the most recently used. Outcome: Carried.
    | UseStored
    /// The partial file, downloaded whole, becomes this entry (its length must be the entry's:
    /// Cache.holds). Outcome: Carried, CacheFailed.
    | Store of Cache.Entry
    /// Put the source's bytes at the asset's path in libxl's directory (a hard link to the cached
    /// file, or a copy). Outcome: Carried, CacheFailed (the cached file cannot be read), Failed.
    | Place of Source
    /// Append the source's bytes to the asset's file at start, the file's end checked against the
    /// limit with Transfer.checkSize for the URL. Outcome: Appended, CacheFailed, Failed.
    | Append of source: Source * url: AssetUrl * start: int64 * limit: int64
    /// Say the note once in the boot (the cache failed; Cache.unusableNote), release the URL's
    /// entry, and use the cache no more in this boot; with rewind, cut the asset's file back to
    /// that length. Outcome: Carried.
    | GiveUpCache of note: string * rewind: int64 option
    /// The asset's file is whole: rename it to the asset's path. Outcome: Carried.
    | Complete
    /// The asset is in place, with this many bytes.
    | Done of length: int64
    /// The asset cannot be fetched: nothing was placed, nothing more stored.
    | Fail of BootError

/// What a GET's 200 answer said, its body complete (and, when verifying, its signature matched).
type Received =
    {
        /// The answer's ETag, if any.
        ETag: string option
        /// The answer's Last-Modified, if any.
        LastModified: string option
        /// The Content-Length the answer declared, if any.
        Declared: int64 option
        /// Where the body ended in the target file.
        End: int64
        /// The SHA-256 of each Cache.DigestPieceBytes piece of the body, when the target asked for them.
        Pieces: string list option
    }

/// What happened when the shell carried a step out.
type Outcome =
    /// The step was carried out (OpenOutput, Discard, UseStored, Store, Place, GiveUpCache, Complete).
    | Carried
    /// OpenEntry: the entry, when one is stored whole (Cache.parse, Cache.holds), else None.
    | EntryRead of Cache.Entry option
    /// OpenEntry: this boot gave the cache up meanwhile (for another asset): go without it.
    | CacheOff
    /// FetchSignature: the signature verifies against the keys' rules; what an entry it verifies records (Trust.record).
    | SignatureRead of record: string
    /// Revalidate: 304, with the validators it repeats.
    | NotModified of etag: string option * lastModified: string option
    /// Revalidate, Get: 200, the body complete in the target.
    | Received of Received
    /// CompareHead: the HEAD's ETag, Last-Modified and Content-Length.
    | HeadRead of etag: string option * lastModified: string option * length: int64 option
    /// Examine: the pieces of the stored bytes as they are on disk.
    | Hashed of pieces: string list
    /// Append: where the asset's file now ends.
    | Appended of length: int64
    /// The cache's files failed (a lock, an entry, a partial file that cannot be made, read or
    /// renamed); why, in the operator's words.
    | CacheFailed of detail: string
    /// The step failed with this error (a download, a signature, libxl's directory).
    | Failed of BootError

/// Where one asset's fetch stands: the step to carry out next.
[<Sealed>]
type Fetching =
    /// The step to carry out; pass its outcome to next (none after Done or Fail).
    member Step: Step
    /// Which of the URLs the step is about, from 0 (what the shell holds for a URL, such as its
    /// entry's lock and its signature's check, is released when this changes, at GiveUpCache and at
    /// the end).
    member Part: int

/// The first step of fetching an asset: with a writable cache and a single URL, its entry (the
/// asset is placed from the cache); else the asset's file is opened and the URLs appended to it.
/// No URLs at all is a Fail (Unexpected): a plan always names one.
val start: settings: Settings -> Fetching

/// The step after the current one had this outcome. An outcome the step cannot have is a Fail
/// (Unexpected); after Done or Fail, the fetch stays where it is.
val next: fetching: Fetching -> outcome: Outcome -> Fetching

/// Why a signature could not be fetched, as the shell saw it.
type SignatureFailure =
    /// The request failed with this error (a status, a timeout, a refused connection).
    | Refused of BootError
    /// The answer holds more than Trust.MaxSignatureBytes; what was seen.
    | Oversized of detail: string

/// The error for a signature of signed that could not be fetched from its URL (as shown): a status
/// is XMB-703 (SignatureMissing: the server has no signature), an oversized answer XMB-704
/// (SignatureUnreadable); any other failure is the request's own error.
val signatureError: signed: Signed -> signature: string -> failure: SignatureFailure -> BootError
