module XenMatchbox.Domain.Cache

open System
open System.Security.Cryptography
open System.Text

[<Literal>]
let DefaultDirectory = "/var/cache/xenmatchbox"

[<Literal>]
let DefaultMaxBytes = 4294967296L

[<Literal>]
let FileMode = 0o644

[<Literal>]
let DirectoryMode = 0o755

type CacheSettings = { Directory: string; MaxBytes: int64 }

type Access =
    | ReadWrite
    | ReadOnly

let access restricted exists =
    match restricted, exists with
    | false, _ -> Some ReadWrite
    | true, true -> Some ReadOnly
    | true, false -> None

let lockBackoffMilliseconds (failed: int) =
    // 5, 10, 20, 40, 80, then 100: past five tries the doubling would only pass the cap.
    if failed >= 6 then 100 else min 100 (5 <<< (max 1 failed - 1))

let trimDue access stored = access = ReadWrite && stored

let unusableNote (directory: string) (detail: string) = $"cache {directory}: {detail}; downloading without it"

[<Literal>]
let DigestPieceBytes = 4194304

type Verification = { Record: string; Pieces: string list }

type Entry =
    { Url: string
      ETag: string option
      LastModified: string option
      Length: int64
      Verified: Verification option }

let holds entry (dataLength: int64) = dataLength = entry.Length

let key (url: string) =
    SHA256.HashData(Encoding.UTF8.GetBytes url) |> Convert.ToHexString |> _.ToLowerInvariant()

let pieceCount (length: int64) =
    if length <= 0L then 1L else (length - 1L) / int64 DigestPieceBytes + 1L

[<Literal>]
let private Header = "xenmatchbox-cache 3"

/// The digest line's first word: the hash and the piece size, so that another choice reads as a miss.
let private DigestScheme = $"sha256/{DigestPieceBytes}"

let render entry =
    let line name value = $"{name} {value}\n"
    let digest =
        match entry.Verified with
        | Some verified -> String.Join(" ", DigestScheme :: verified.Pieces)
        | None -> ""
    String.concat
        ""
        [ Header + "\n"
          line "url" entry.Url
          line "etag" (defaultArg entry.ETag "")
          line "last-modified" (defaultArg entry.LastModified "")
          line "length" (string entry.Length)
          line "verified" (entry.Verified |> Option.map _.Record |> Option.defaultValue "")
          line "digest" digest ]

/// A SHA-256 as render writes it: 64 lower-case hex digits.
let private isDigest (text: string) =
    text.Length = 64 && text |> Seq.forall (fun c -> Char.IsAsciiDigit c || (c >= 'a' && c <= 'f'))

/// The verification an entry of this length records: both lines empty, or a record and exactly
/// its pieces' digests; Error for anything else.
let private verification length (record: string) (digest: string) =
    match record, digest.Split ' ' |> List.ofArray with
    | "", [ "" ] -> Ok None
    | record, scheme :: pieces when
        record.Length > 0
        && scheme = DigestScheme
        && int64 pieces.Length = pieceCount length
        && List.forall isDigest pieces
        ->
        Ok(Some { Record = record; Pieces = pieces })
    | _ -> Error()

/// A header value as it may be stored: no line breaks (HTTP forbids them, a file line needs it).
let private storable (value: string) = value.IndexOfAny [| '\r'; '\n' |] < 0

let parse url (text: string) =
    let field (line: string) (name: string) =
        if line.StartsWith(name + " ", StringComparison.Ordinal) then Some(line.Substring(name.Length + 1))
        elif line = name then Some ""
        else None
    let nonEmpty (value: string) = if value.Length > 0 then Some value else None
    match text.Split '\n' with
    | [| header; u; e; m; l; v; d; "" |] when header = Header ->
        match
            field u "url",
            field e "etag",
            field m "last-modified",
            field l "length",
            field v "verified",
            field d "digest"
        with
        | Some storedUrl, Some etag, Some modified, Some length, Some record, Some digest when storedUrl = url ->
            match
                Int64.TryParse(length, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture)
            with
            // Only the digits render writes: no sign, no leading zero (an entry is read back exactly).
            | true, bytes when (etag.Length > 0 || modified.Length > 0) && length = string bytes ->
                match verification bytes record digest with
                | Ok verified ->
                    Some
                        { Url = url
                          ETag = nonEmpty etag
                          LastModified = nonEmpty modified
                          Length = bytes
                          Verified = verified }
                | Error() -> None
            | _ -> None
        | _ -> None
    | _ -> None

[<Literal>]
let MaxRecentUrls = 16

[<Literal>]
let private RecentHeader = "xenmatchbox-recent 1"

let recentKey (labels: (string * string) list) =
    let lines = labels |> List.sort |> List.map (fun (k, v) -> $"{k}={v}\n")
    key (String.concat "" (RecentHeader + "\n" :: lines))

let renderRecent (urls: string list) =
    urls
    |> List.filter storable
    |> List.distinct
    |> List.truncate MaxRecentUrls
    |> List.map (fun url -> url + "\n")
    |> List.append [ RecentHeader + "\n" ]
    |> String.concat ""

let parseRecent (text: string) =
    match text.Split '\n' |> List.ofArray with
    | header :: rest when header = RecentHeader ->
        match List.rev rest with
        | "" :: urls when urls.Length <= MaxRecentUrls && List.forall (fun (u: string) -> u.Length > 0) urls ->
            List.rev urls
        | _ -> []
    | _ -> []

let recentStale (urls: string list) (stored: Set<string>) =
    urls |> List.forall (fun url -> not (stored.Contains(key url)))

let verifiedBy (record: string) entry =
    entry.Verified |> Option.exists (fun verified -> verified.Record = record)

type Use =
    | AsStored
    | OnceExamined of pieces: string list
    | Refetch

let usage (signature: string option) entry =
    match signature, entry.Verified with
    | None, _ -> AsStored
    | Some record, Some verified when verifiedBy record entry -> OnceExamined verified.Pieces
    | Some _, _ -> Refetch

type Bytes =
    | Intact
    | Altered of piece: int

let examine (expected: string list) (actual: string list) =
    let rec compare index expected actual =
        match expected, actual with
        | [], [] -> Intact
        | e :: expected, a :: actual when String.Equals(e, a, StringComparison.Ordinal) ->
            compare (index + 1) expected actual
        | _ -> Altered index
    compare 0 expected actual

let alteredNote (directory: string) entry (piece: int) =
    let first = int64 piece * int64 DigestPieceBytes
    let last = min entry.Length (first + int64 DigestPieceBytes) - 1L
    let where = if first < entry.Length then $"bytes {first}–{last} differ" else "its pieces are not those recorded"
    $"cache {directory}: the bytes cached for {entry.Url} are not those their signature verified ({where}); downloading and verifying it again"

let conditionalHeaders entry =
    [ match entry.ETag with
      | Some etag -> "If-None-Match", etag
      | None -> ()
      match entry.LastModified with
      | Some modified -> "If-Modified-Since", modified
      | None -> () ]

type Revalidation =
    | Conditional of headers: (string * string) list
    | CompareHead

let revalidation entry =
    match entry.ETag with
    | Some _ -> Conditional(conditionalHeaders entry)
    | None -> CompareHead

type Answer =
    | Current
    | Changed
    | Store of Entry
    | Bypass

/// A validator the answer carries that differs from the stored one (absent on either side is no
/// difference: a 304 need not repeat them).
let private differs (stored: string option) (answered: string option) =
    match stored, answered with
    | Some s, Some a -> s <> a
    | _ -> false

let decide url (stored: Entry option) status etag lastModified contentLength =
    let usable = Option.filter (fun (v: string) -> v.Length > 0 && storable v)
    match status, stored with
    | 304, Some entry ->
        if differs entry.ETag etag || differs entry.LastModified lastModified then Some Changed else Some Current
    | 200, _ ->
        match usable etag, usable lastModified, contentLength with
        | None, None, _
        | _, _, None -> Some Bypass
        | etag, modified, Some length when length >= 0L && storable url ->
            Some(Store { Url = url; ETag = etag; LastModified = modified; Length = length; Verified = None })
        | _ -> Some Bypass
    | _ -> None

let compareHead (stored: Entry) etag lastModified contentLength =
    let same = not (differs stored.ETag etag)
    match lastModified, contentLength with
    | Some modified, Some length when same && Some modified = stored.LastModified && length = stored.Length -> Current
    | _ -> Changed

type Stored = { Key: string; Bytes: int64; LastUsed: int64 }

let evict maxBytes (inUse: Set<string>) (entries: Stored list) =
    let total = entries |> List.sumBy _.Bytes
    entries
    |> List.filter (fun e -> not (inUse.Contains e.Key))
    |> List.sortBy (fun e -> e.LastUsed, e.Key)
    |> List.fold
        (fun (left, doomed) e -> if left > maxBytes then left - e.Bytes, e.Key :: doomed else left, doomed)
        (total, [])
    |> snd
    |> List.rev
