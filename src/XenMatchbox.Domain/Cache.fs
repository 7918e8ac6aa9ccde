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

type Entry =
    { Url: string
      ETag: string option
      LastModified: string option
      Length: int64
      Verified: string option }

let key (url: string) =
    SHA256.HashData(Encoding.UTF8.GetBytes url) |> Convert.ToHexString |> _.ToLowerInvariant()

[<Literal>]
let private Header = "xenmatchbox-cache 2"

let render entry =
    let line name value = $"{name} {value}\n"
    String.concat
        ""
        [ Header + "\n"
          line "url" entry.Url
          line "etag" (defaultArg entry.ETag "")
          line "last-modified" (defaultArg entry.LastModified "")
          line "length" (string entry.Length)
          line "verified" (defaultArg entry.Verified "") ]

/// A header value as it may be stored: no line breaks (HTTP forbids them, a file line needs it).
let private storable (value: string) = value.IndexOfAny [| '\r'; '\n' |] < 0

let parse url (text: string) =
    let field (line: string) (name: string) =
        if line.StartsWith(name + " ", StringComparison.Ordinal) then Some(line.Substring(name.Length + 1))
        elif line = name then Some ""
        else None
    let nonEmpty (value: string) = if value.Length > 0 then Some value else None
    match text.Split '\n' with
    | [| header; u; e; m; l; v; "" |] when header = Header ->
        match field u "url", field e "etag", field m "last-modified", field l "length", field v "verified" with
        | Some storedUrl, Some etag, Some modified, Some length, Some verified when storedUrl = url ->
            match
                Int64.TryParse(length, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture)
            with
            // Only the digits render writes: no sign, no leading zero (an entry is read back exactly).
            | true, bytes when (etag.Length > 0 || modified.Length > 0) && length = string bytes ->
                Some
                    { Url = url
                      ETag = nonEmpty etag
                      LastModified = nonEmpty modified
                      Length = bytes
                      Verified = nonEmpty verified }
            | _ -> None
        | _ -> None
    | _ -> None

let verifiedBy (record: string) entry = entry.Verified = Some record

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
