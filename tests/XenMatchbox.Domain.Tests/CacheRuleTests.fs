/// The asset cache's rules: entries on disk, revalidation answers, and least-recently-used eviction.
module CacheRuleTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Cache
open Generators

/// Header values as servers send them: printable, no line breaks.
let private headerValue =
    Gen.elements [ 'a'; 'Z'; '0'; '"'; '/'; ' '; ','; ':'; '-'; 'W' ] |> Gen.arrayOfLength 12 |> Gen.map System.String

let private url = Gen.choose (0, 9999) |> Gen.map (fun n -> $"http://mb.example:8080/assets/os/{n}/vmlinuz")

/// 4 MiB, the piece size, written out here rather than taken from the Domain.
let private piece = 4L * 1024L * 1024L

/// How many pieces an asset of this length has, worked out independently: whole pieces and a
/// shorter last one; an empty asset is one empty piece.
let private piecesOf (length: int64) =
    if length = 0L then 1 else int (System.Math.Ceiling(float length / float piece))

/// A SHA-256 in lower-case hex, of some number.
let private sha256 (n: int) =
    System.Security.Cryptography.SHA256.HashData(System.BitConverter.GetBytes n)
    |> System.Convert.ToHexString
    |> _.ToLowerInvariant()

let private digest = Gen.choose (0, 1_000_000) |> Gen.map sha256

let private record = Gen.elements [ "ab12 F00D"; "0123456789abcdef 89ABCDEF0123456789ABCDEF0123456789ABCDEF" ]

/// Lengths from empty to 2 GiB, with pieces' edges (a whole number of pieces, one byte either side) often.
let private length =
    Gen.oneof
        [ Gen.choose (0, System.Int32.MaxValue) |> Gen.map int64
          Gen.zip (Gen.choose (0, 300)) (Gen.choose (-1, 1))
          |> Gen.map (fun (n, d) -> max 0L (int64 n * piece + int64 d)) ]

let private verificationOf length =
    gen {
        let! record = record
        let! pieces = Gen.listOfLength (piecesOf length) digest
        return { Record = record; Pieces = pieces }
    }

let private entry =
    gen {
        let! url = url
        let! etag = Gen.optionOf headerValue
        let! modified = Gen.optionOf headerValue
        let! length = length
        let! verified = Gen.optionOf (verificationOf length)
        // An entry always has a validator: a response without one is never stored.
        let etag = if etag.IsNone && modified.IsNone then Some "\"v1\"" else etag
        return { Url = url; ETag = etag; LastModified = modified; Length = length; Verified = verified }
    }

let private verifiedEntry =
    gen {
        let! e = entry
        let! verified = verificationOf e.Length
        return { e with Verified = Some verified }
    }

[<Property>]
let ``an entry reads back as itself from its metadata file`` () =
    Prop.forAll (arb entry) (fun e -> parse e.Url (render e) = Some e)

[<Property>]
let ``an entry for another URL is a miss`` () =
    Prop.forAll (arb entry) (fun e -> parse (e.Url + "x") (render e) = None)

/// Metadata files as a crash, a full disk or another program may leave them: a rendered entry with
/// one character changed, cut, or doubled.
let private damagedText =
    gen {
        let! e = entry
        let text = render { e with Url = "http://mb/a" }
        let! at = Gen.choose (0, text.Length - 1)
        let! c = Gen.elements [ '\n'; ' '; '0'; '-'; 'x' ]
        return!
            Gen.elements
                [ text.Substring(0, at) + string c + text.Substring(at + 1); text.Substring(0, at); text + text ]
    }

[<Property>]
let ``any text read as an entry is exactly what render writes for it`` () =
    Prop.forAll (arb damagedText) (fun text ->
        match parse "http://mb/a" text with
        | Some e -> render e = text
        | None -> true)

[<Fact>]
let ``a truncated or foreign metadata file is a miss, never an error`` () =
    let full =
        render
            { Url = "http://mb/a"
              ETag = Some "\"1\""
              LastModified = None
              Length = 5L
              Verified = Some { Record = "ab12 F00D"; Pieces = [ sha256 5 ] } }
    for cut in 0 .. full.Length - 1 do
        Assert.Equal(None, parse "http://mb/a" (full.Substring(0, cut)))
    Assert.Equal(
        None,
        parse "http://mb/a" "xenmatchbox-cache 2\nurl http://mb/a\netag \"1\"\nlast-modified \nlength 5\n"
    )
    // An entry of version 2, verified or not: its verified bytes had no digest. A miss: fetched once more.
    Assert.Equal(
        None,
        parse "http://mb/a" "xenmatchbox-cache 2\nurl http://mb/a\netag \"1\"\nlast-modified \nlength 5\nverified \n"
    )
    Assert.Equal(
        None,
        parse
            "http://mb/a"
            "xenmatchbox-cache 2\nurl http://mb/a\netag \"1\"\nlast-modified \nlength 5\nverified ab12 F00D\n"
    )
    Assert.Equal(None, parse "http://mb/a" (full.Replace("xenmatchbox-cache 3", "xenmatchbox-cache 2")))
    Assert.Equal(None, parse "http://mb/a" "xenmatchbox-cache 1\nurl http://mb/a\netag \nlast-modified \nlength 5\n")
    // An entry from before signatures (version 1, no verified line) is a miss: fetched once more.
    Assert.Equal(
        None,
        parse "http://mb/a" "xenmatchbox-cache 1\nurl http://mb/a\netag \"1\"\nlast-modified \nlength 5\n"
    )
    Assert.Equal(
        None,
        parse "http://mb/a" "xenmatchbox-cache 1\nurl http://mb/a\netag \"1\"\nlast-modified \nlength -5\n"
    )
    // A length render never writes: a changed digit must not pass for another entry.
    Assert.Equal(
        None,
        parse "http://mb/a" "xenmatchbox-cache 1\nurl http://mb/a\netag \"1\"\nlast-modified \nlength 05\n"
    )

/// A verified entry's text with its verification damaged: a piece less or more, another piece size
/// or hash, a digest cut, upper-case or not hex, a record without a digest or a digest without a
/// record, another header.
let private hostileVerified =
    gen {
        let! e = verifiedEntry
        let verified = e.Verified.Value
        let text = render e
        let digestLine = "digest " + String.concat " " ($"sha256/{piece}" :: verified.Pieces)
        let withDigest (line: string) = text.Replace(digestLine, line)
        let! at = Gen.choose (0, verified.Pieces.Length - 1)
        let! extra = digest
        let replaced f =
            verified.Pieces |> List.mapi (fun i d -> if i = at then f d else d)
        let pieces (list: string list) =
            withDigest ("digest " + String.concat " " ($"sha256/{piece}" :: list))
        return!
            Gen.elements
                [ "a piece less", pieces (List.removeAt at verified.Pieces)
                  "a piece more", pieces (verified.Pieces @ [ extra ])
                  "another piece size", withDigest (digestLine.Replace($"sha256/{piece}", "sha256/1048576"))
                  "another hash", withDigest (digestLine.Replace($"sha256/{piece}", $"sha512/{piece}"))
                  "no scheme", withDigest ("digest " + String.concat " " verified.Pieces)
                  "a digest cut", pieces (replaced _.Substring(1))
                  "a digest too long", pieces (replaced (fun d -> d + "0"))
                  "an upper-case digest", pieces (replaced _.ToUpperInvariant())
                  "a digest not hex", pieces (replaced (fun d -> "g" + d.Substring 1))
                  "two spaces", pieces (replaced (fun d -> " " + d.Substring 1))
                  "no digest", withDigest "digest "
                  "no record", text.Replace("verified " + verified.Record + "\n", "verified \n")
                  "no digest line", withDigest "" |> _.Replace("\n\n", "\n")
                  "version 2", text.Replace("xenmatchbox-cache 3", "xenmatchbox-cache 2") ]
            |> Gen.map (fun (kind, hostile) -> e.Url, kind, hostile)
    }

[<Property>]
let ``a verified entry whose digest is not exactly its pieces' is a miss`` () =
    Prop.forAll (arb hostileVerified) (fun (url, kind, hostile) -> parse url hostile = None |> Prop.label kind)

[<Property>]
let ``a verified entry records one digest per 4 MiB piece, an unverified one none`` () =
    Prop.forAll (arb entry) (fun e ->
        let digestLine = (render e).Split('\n') |> Array.find _.StartsWith("digest ")
        match e.Verified with
        | Some verified ->
            pieceCount e.Length = int64 (piecesOf e.Length)
            && digestLine = "digest " + String.concat " " ($"sha256/{piece}" :: verified.Pieces)
        | None -> digestLine = "digest ")

[<Property>]
let ``pieces cover the length exactly, the last one possibly shorter`` () =
    Prop.forAll (arb length) (fun length ->
        let n = pieceCount length
        n >= 1L && (length = 0L || ((n - 1L) * piece < length && length <= n * piece)))

[<Property>]
let ``a boot without signatures uses any entry as stored; one with a signature only the entry it verified, once examined``
    ()
    =
    Prop.forAll (arb (Gen.zip entry record)) (fun (e, now) ->
        usage None e = AsStored
        && usage (Some now) e =
            (match e.Verified with
             | Some verified when verified.Record = now -> OnceExamined verified.Pieces
             | _ -> Refetch)
        && usage (Some now) { e with Verified = None } = Refetch)

[<Property>]
let ``the bytes are intact only when every piece's digest is the recorded one`` () =
    Prop.forAll (arb (Gen.zip verifiedEntry digest)) (fun (e, other) ->
        let pieces = e.Verified.Value.Pieces
        let last = pieces.Length - 1
        let changed at =
            pieces |> List.mapi (fun i d -> if i = at then other else d)
        examine pieces pieces = Intact
        // another digest at any piece, the first one that differs named
        && [ 0..last ]
           |> List.forall (fun at -> examine pieces (changed at) = (if other = pieces[at] then Intact else Altered at))
        // a piece missing or extra
        && examine pieces (List.take last pieces) = Altered last
        && examine pieces (pieces @ [ other ]) = Altered pieces.Length
        && examine pieces [] = Altered 0)

[<Fact>]
let ``the first piece that differs is named, wherever the others differ`` () =
    let pieces = [ sha256 1; sha256 2; sha256 3 ]
    Assert.Equal(Altered 1, examine pieces [ sha256 1; sha256 9; sha256 9 ])
    Assert.Equal(Altered 0, examine pieces [ (sha256 1).ToUpperInvariant(); sha256 2; sha256 3 ])

[<Property>]
let ``a changed entry is said in one line naming the cache, the URL and the bytes of the piece`` () =
    Prop.forAll (arb verifiedEntry) (fun e ->
        let last = e.Verified.Value.Pieces.Length - 1
        [ 0..last ]
        |> List.forall (fun at ->
            let note = alteredNote "/var/cache/xenmatchbox" e at
            let first = int64 at * piece
            let upTo = min e.Length (first + piece) - 1L
            note.IndexOfAny [| '\n'; '\r' |] < 0
            && note.StartsWith "cache /var/cache/xenmatchbox: "
            && note.Contains e.Url
            && (e.Length = 0L || note.Contains $"(bytes {first}–{upTo} differ)")
            && note.EndsWith "; downloading and verifying it again"))

[<Fact>]
let ``the line of a changed entry, as an operator reads it`` () =
    let e =
        { Url = "http://mb:8080/assets/vmlinuz"
          ETag = Some "\"1\""
          LastModified = None
          Length = 5L * 1024L * 1024L
          Verified = Some { Record = "ab12 F00D"; Pieces = [ sha256 1; sha256 2 ] } }
    Expect.equalText
        "cache /var/cache/xenmatchbox: the bytes cached for http://mb:8080/assets/vmlinuz are not those their signature verified (bytes 4194304–5242879 differ); downloading and verifying it again"
        (alteredNote "/var/cache/xenmatchbox" e 1)

[<Property>]
let ``keys are 64 lower-case hex digits, one per URL`` () =
    Prop.forAll (arb (Gen.two url)) (fun (a, b) ->
        let ka, kb = key a, key b
        ka.Length = 64
        && ka |> Seq.forall (fun c -> System.Char.IsAsciiDigit c || (c >= 'a' && c <= 'f'))
        && (ka = kb) = (a = b)
        && key a = ka)

[<Property>]
let ``revalidation sends exactly the validators the entry has`` () =
    Prop.forAll (arb entry) (fun e ->
        let expected =
            List.choose
                id
                [ e.ETag |> Option.map (fun v -> "If-None-Match", v)
                  e.LastModified |> Option.map (fun v -> "If-Modified-Since", v) ]
        conditionalHeaders e = expected)

[<Property>]
let ``a 304 means current only for a request that revalidated an entry`` () =
    Prop.forAll (arb entry) (fun e ->
        decide e.Url (Some e) 304 None None None = Some Current
        && decide e.Url None 304 e.ETag e.LastModified (Some e.Length) = None)

[<Property>]
let ``a 304 repeating the entry's validators is current, one naming others is a change`` () =
    Prop.forAll (arb (Gen.zip entry headerValue)) (fun (e, other) ->
        let other = "x" + other
        decide e.Url (Some e) 304 e.ETag e.LastModified None = Some Current
        && decide e.Url (Some e) 304 e.ETag (Some other) None =
            (if e.LastModified.IsSome then Some Changed else Some Current)
        && decide e.Url (Some e) 304 (Some other) e.LastModified None =
            (if e.ETag.IsSome then Some Changed else Some Current))

[<Property>]
let ``an entry with an ETag is revalidated by a conditional GET, one with only a date by HEAD`` () =
    Prop.forAll (arb entry) (fun e ->
        match revalidation e with
        | Conditional headers -> e.ETag.IsSome && headers = conditionalHeaders e
        | CompareHead -> e.ETag.IsNone)

let private dated =
    entry
    |> Gen.map (fun e ->
        { e with
            ETag = None
            LastModified = Some(defaultArg e.LastModified "Mon, 30 Nov 2026 10:00:00 GMT") })

[<Property>]
let ``a HEAD is current only with the entry's date and length`` () =
    Prop.forAll (arb (Gen.zip dated (Gen.choose (-3, 3)))) (fun (e, delta) ->
        let length = e.Length + int64 delta
        compareHead e None e.LastModified (Some length) = (if delta = 0 then Current else Changed)
        && compareHead e None None (Some e.Length) = Changed
        && compareHead e None e.LastModified None = Changed
        && compareHead e None (Some "Sun, 29 Nov 2026 10:00:00 GMT") (Some e.Length) =
            (if e.LastModified = Some "Sun, 29 Nov 2026 10:00:00 GMT" then Current else Changed))

[<Fact>]
let ``a rollback to an older build is a change, though Go's file server answers it with 304`` () =
    let stored =
        { Url = "http://mb/a"
          ETag = None
          LastModified = Some "Tue, 01 Dec 2026 10:00:00 GMT"
          Length = 100L
          Verified = None }
    // The older file's date is not newer than If-Modified-Since, so Go says 304; HEAD shows the truth.
    Assert.Equal(Changed, compareHead stored None (Some "Mon, 30 Nov 2026 10:00:00 GMT") (Some 100L))
    Assert.Equal(Changed, compareHead stored None (Some "Tue, 01 Dec 2026 10:00:00 GMT") (Some 99L))
    Assert.Equal(Current, compareHead stored None (Some "Tue, 01 Dec 2026 10:00:00 GMT") (Some 100L))
    Assert.Equal(Some Changed, decide stored.Url (Some stored) 304 None (Some "Mon, 30 Nov 2026 10:00:00 GMT") None)

[<Property>]
let ``a 200 with a validator and a length is stored with them`` () =
    // What verified the bytes is the caller's to add (it is not in the answer's headers).
    Prop.forAll (arb entry) (fun e ->
        decide e.Url None 200 e.ETag e.LastModified (Some e.Length) = Some(Store { e with Verified = None }))

[<Property>]
let ``a 200 without validators or without a length is used and never stored`` () =
    Prop.forAll (arb entry) (fun e ->
        decide e.Url (Some e) 200 None None (Some e.Length) = Some Bypass
        && decide e.Url None 200 e.ETag e.LastModified None = Some Bypass
        && decide e.Url None 200 (Some "bad\nvalue") None (Some e.Length) = Some Bypass)

[<Property>]
let ``other statuses decide nothing`` () =
    Prop.forAll (arb (Gen.elements [ 204; 206; 301; 404; 500; 503 ])) (fun status ->
        decide "http://mb/a" None status (Some "\"1\"") None (Some 1L) = None)

let private storedEntries =
    gen {
        let! count = Gen.choose (0, 12)
        let! sizes = Gen.listOfLength count (Gen.choose (1, 1000) |> Gen.map int64)
        let! uses = Gen.listOfLength count (Gen.choose (0, 50) |> Gen.map int64)
        let! busy = Gen.listOfLength count (Gen.frequency [ 4, Gen.constant false; 1, Gen.constant true ])
        let! cap = Gen.choose (0, 6000) |> Gen.map int64
        let entries = List.mapi2 (fun i size used -> { Key = $"k{i}"; Bytes = size; LastUsed = used }) sizes uses
        let inUse = List.zip entries busy |> List.filter snd |> List.map (fun (e, _) -> e.Key) |> Set.ofList
        return cap, inUse, entries
    }

[<Property>]
let ``eviction keeps entries in use, removes least recently used first and no more than needed`` () =
    Prop.forAll (arb storedEntries) (fun (cap, inUse, entries) ->
        let evicted = evict cap inUse entries
        let isEvicted (e: Stored) = List.contains e.Key evicted
        let kept = entries |> List.filter (isEvicted >> not)
        let total = kept |> List.sumBy _.Bytes
        let evictable = entries |> List.filter (fun e -> not (inUse.Contains e.Key))
        let keptEvictable = evictable |> List.filter (isEvicted >> not)
        // in use: never evicted
        (evicted |> List.forall (inUse.Contains >> not))
        // fits, or nothing more could go
        && (total <= cap || keptEvictable.IsEmpty)
        // the least recently used go first
        && (evictable
            |> List.filter isEvicted
            |> List.forall (fun e -> keptEvictable |> List.forall (fun k -> e.LastUsed <= k.LastUsed)))
        // no more than needed: without the last eviction the cache would still be over
        && (match List.tryLast evicted with
            | None -> true
            | Some last -> total + (entries |> List.find (fun e -> e.Key = last)).Bytes > cap))

[<Fact>]
let ``a cache under its cap loses nothing`` () =
    let entries = [ { Key = "a"; Bytes = 10L; LastUsed = 1L }; { Key = "b"; Bytes = 10L; LastUsed = 2L } ]
    Assert.Empty(evict 20L Set.empty entries)
    Assert.Equal<string list>([ "a" ], evict 19L Set.empty entries)
    Assert.Equal<string list>([ "b" ], evict 19L (Set.singleton "a") entries)

let private baseArgv =
    [ "--output-directory=/var/lib/xen/bootloader.1.d"
      "--server"
      "mb"
      "--ca"
      "/c"
      "--cert"
      "/d"
      "--key"
      "/e"
      "--lookup"
      "mac=52:54:00:aa:bb:cc" ]

let private cacheOf (flags: string list) =
    CommandLine.parse (fun _ -> None) (List.toArray (baseArgv @ flags @ [ "/disk" ]))
    |> Result.map (function
        | CommandLine.Run settings -> settings.Cache
        | CommandLine.ShowHelp _
        | CommandLine.ShowVersion
        | CommandLine.Check _ -> Expect.fail "expected a boot")

[<Fact>]
let ``the cache is on by default, in /var/cache/xenmatchbox with 4 GiB`` () =
    Assert.Equal(Ok(Some { Directory = "/var/cache/xenmatchbox"; MaxBytes = 4L <<< 30 }), cacheOf [])
    Assert.Equal(
        Ok(Some { Directory = "/srv/xmb"; MaxBytes = 512L <<< 20 }),
        cacheOf [ "--cache-dir=/srv/xmb"; "--cache-size"; "512M" ]
    )
    Assert.Equal(Ok None, cacheOf [ "--no-cache" ])

[<Fact>]
let ``contradicting or relative cache flags are refused with XMB-101`` () =
    for flags in [ [ "--no-cache"; "--cache-dir=/srv/xmb" ]; [ "--cache-dir"; "cache" ]; [ "--cache-size"; "0" ] ] do
        match cacheOf flags with
        | Error error -> Assert.StartsWith("XMB-1", Errors.code error)
        | Ok _ -> Expect.fail $"accepted {flags}"

// The recent file: which verified entries a boot hashes ahead, while it waits for matchbox.

let private labelPairs =
    Gen.zip (Gen.elements [ "mac"; "uuid"; "os"; "rack" ]) (Gen.elements [ "a"; "b"; "52:54:00:aa:bb:cc"; "" ])
    |> Gen.listOf
    |> Gen.map (List.distinctBy fst)

[<Property>]
let ``a recent file reads back as the distinct URLs written, at most 16, in order`` () =
    Prop.forAll (Arb.fromGen (Gen.listOf url)) (fun urls ->
        let expected = urls |> List.distinct |> List.truncate 16
        parseRecent (renderRecent urls) = expected)

[<Fact>]
let ``a recent file names no URL holding a line break, and its text is exactly this`` () =
    let text = renderRecent [ "http://mb/a"; "http://mb/b\r\nX-Evil: 1"; "http://mb/a"; "http://mb/c" ]
    Assert.Equal("xenmatchbox-recent 1\nhttp://mb/a\nhttp://mb/c\n", text)

[<Property>]
let ``a damaged or foreign recent file is no guess at all`` () =
    let damage =
        Gen.elements
            [ fun (t: string) -> t.Replace("xenmatchbox-recent 1", "xenmatchbox-recent 2")
              fun t -> t.TrimEnd '\n'
              fun t -> t + "\n"
              fun t -> "junk\n" + t
              fun t -> t.Replace("\n", "\r\n") ]
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.nonEmptyListOf url) damage)) (fun (urls, change) ->
        let text = change (renderRecent urls)
        text = renderRecent urls || parseRecent text = [])

[<Fact>]
let ``more URLs than a recent file holds, or a blank line, are refused when read`` () =
    let many = [ for n in 1..17 -> $"http://mb/{n}" ]
    Assert.Empty(parseRecent ("xenmatchbox-recent 1\n" + String.concat "" [ for u in many -> u + "\n" ]))
    Assert.Empty(parseRecent "xenmatchbox-recent 1\nhttp://mb/a\n\nhttp://mb/b\n")
    Assert.Empty(parseRecent "")

[<Property>]
let ``the recent key depends on the labels, not on their order, and is never a URL's key`` () =
    Prop.forAll (Arb.fromGen (Gen.zip labelPairs url)) (fun (labels, someUrl) ->
        let key = recentKey labels
        key = recentKey (List.rev labels)
        && key.Length = 64
        && key <> Cache.key someUrl
        && (labels.IsEmpty || recentKey (("extra", "1") :: labels) <> key))

[<Fact>]
let ``a recent file is stale once none of its URLs has an entry`` () =
    let urls = [ "http://mb/a"; "http://mb/b" ]
    Assert.True(recentStale urls Set.empty)
    Assert.False(recentStale urls (Set.ofList [ Cache.key "http://mb/b" ]))
    Assert.True(recentStale urls (Set.ofList [ Cache.key "http://mb/c" ]))
    Assert.True(recentStale [] Set.empty)
