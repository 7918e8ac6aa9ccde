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

let private entry =
    gen {
        let! url = url
        let! etag = Gen.optionOf headerValue
        let! modified = Gen.optionOf headerValue
        let! length = Gen.choose (0, System.Int32.MaxValue) |> Gen.map int64
        let! verified =
            Gen.optionOf (Gen.elements [ "ab12 F00D"; "0123456789abcdef 89ABCDEF0123456789ABCDEF0123456789ABCDEF" ])
        // An entry always has a validator: a response without one is never stored.
        let etag = if etag.IsNone && modified.IsNone then Some "\"v1\"" else etag
        return { Url = url; ETag = etag; LastModified = modified; Length = length; Verified = verified }
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
              Verified = Some "ab12 F00D" }
    for cut in 0 .. full.Length - 1 do
        Assert.Equal(None, parse "http://mb/a" (full.Substring(0, cut)))
    Assert.Equal(
        None,
        parse "http://mb/a" "xenmatchbox-cache 2\nurl http://mb/a\netag \"1\"\nlast-modified \nlength 5\n"
    )
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
