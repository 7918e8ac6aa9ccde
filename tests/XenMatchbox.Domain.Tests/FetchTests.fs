/// One asset's fetch: the order of its steps (signature first, an entry used only while current,
/// verified by this very signature and intact), the cache given up rather than the boot, and the
/// cache's small rules.
module FetchTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Fetch
open Generators

let private url (n: int) =
    Profile.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "fcos" $"/assets/os/{n}/part"
    |> Expect.ok "an asset URL"

let private directory = "/var/cache/xenmatchbox"

let private settings count verifying access =
    { Urls = List.init count (fun i -> url (i + 1))
      What = "ramdisk"
      Limit = 1000L
      Verifying = verifying
      Cache = access |> Option.map (fun access -> { Directory = directory; Access = access }) }

let private pieces = [ String.replicate 64 "a" ]

let private entry (n: int) etag verified : Cache.Entry =
    { Url = (url n).Shown
      ETag = (if etag then Some "\"v1\"" else None)
      LastModified = Some "Mon, 02 Jun 2025 10:00:00 GMT"
      Length = 100L
      Verified = verified |> Option.map (fun record -> { Record = record; Pieces = pieces }) }

let private diskFull = Download(DownloadError.DiskFull("/var/cache/xenmatchbox/x.1.partial", "No space left"))

let private badSignature = Trust(TrustError.BadSignature(Signed.Asset("ramdisk", (url 1).Shown), "KEY"))

let private refused = Download(DownloadError.AssetUnreachable((url 1).Shown, "Connection refused"))

/// The outcomes each step may have, the entry read for the step's URL at hand.
let private outcomes (read: Cache.Entry option) step =
    let stored = defaultArg read (entry 1 true (Some "R1"))
    let received start length etag (target: Target) =
        Received
            { ETag = etag
              LastModified = None
              Declared = Some length
              End = start + length
              Pieces =
                match target with
                | ToPartial(_, true) -> Some pieces
                | _ -> None }
    let startOf target =
        match target with
        | ToPartial _ -> 0L
        | ToFile(start, _) -> start
    match step with
    | OpenOutput -> [ Carried; Carried; Failed(Output(OutputError.OutputDirectoryMissing "/run/xen")) ]
    | OpenEntry(url, _) ->
        let n = int (url.Shown.Split('/')[5])
        [ EntryRead(Some(entry n true (Some "R1")))
          EntryRead(Some(entry n false (Some "R1")))
          EntryRead(Some(entry n true None))
          EntryRead(Some(entry n true (Some "R2")))
          EntryRead None
          CacheOff
          CacheFailed "cannot lock it" ]
    | FetchSignature _ -> [ SignatureRead "R1"; SignatureRead "R1"; SignatureRead "R2"; Failed badSignature ]
    | Revalidate(_, _, target) ->
        [ NotModified(stored.ETag, stored.LastModified)
          NotModified(None, None)
          NotModified(Some "\"v2\"", None)
          received (startOf target) 100L (Some "\"v2\"") target
          Failed refused
          Failed diskFull ]
    | CompareHead _ ->
        [ HeadRead(None, stored.LastModified, Some stored.Length)
          HeadRead(None, Some "Tue, 03 Jun 2025 10:00:00 GMT", Some stored.Length)
          HeadRead(None, stored.LastModified, None)
          Failed refused ]
    | Get(_, target) ->
        [ received (startOf target) 100L (Some "\"v2\"") target
          received (startOf target) 7L None target
          received (startOf target) 0L (Some "\"v3\"") target
          Failed badSignature
          Failed diskFull ]
    | Examine _ -> [ Hashed pieces; Hashed pieces; Hashed [ String.replicate 64 "b" ]; CacheFailed "cannot read it" ]
    | Store _ -> [ Carried; Carried; CacheFailed "cannot store it" ]
    | Place _ ->
        [ Carried
          Carried
          CacheFailed "cannot read it"
          Failed(Output(OutputError.OutputDirectoryMissing "/run/xen")) ]
    | Append(_, _, start, _) ->
        [ Appended(start + 100L); Appended(start + 5L); Appended start; CacheFailed "cannot read it" ]
    | Discard _
    | UseStored
    | GiveUpCache _
    | Complete -> [ Carried ]
    | Done _
    | Fail _ -> []

/// The most steps a fetch of this many URLs may take: each URL's steps, twice (once more
/// without the cache), and the file's opening and completion.
let private bound count = 2 * 12 * count + 4

/// Runs the machine with the outcomes the choices pick: each step with its URL and outcome (None
/// for the last, Done or Fail), and the last fetching.
let private drive (settings: Settings) (choices: int list) =
    let rec go (fetching: Fetching) choices (read: Map<int, Cache.Entry option>) trace =
        match outcomes (read.TryFind fetching.Part |> Option.flatten) fetching.Step with
        | [] -> List.rev ((fetching.Part, fetching.Step, None) :: trace), fetching
        | _ when List.length trace > bound settings.Urls.Length -> List.rev trace, fetching
        | options ->
            let choice, rest =
                match choices with
                | c :: rest -> c, rest
                | [] -> 0, []
            let outcome = options[abs choice % options.Length]
            let read =
                match outcome with
                | EntryRead entry -> read.Add(fetching.Part, entry)
                | _ -> read
            go (next fetching outcome) rest read ((fetching.Part, fetching.Step, Some outcome) :: trace)
    go (start settings) choices Map.empty []

let private scenario =
    gen {
        let! count = Gen.choose (1, 3)
        let! verifying = Gen.elements [ true; false ]
        let! access = Gen.elements [ None; Some Cache.ReadWrite; Some Cache.ReadOnly ]
        let! choices = Gen.listOfLength 80 (Gen.choose (0, 1000))
        return settings count verifying access, choices
    }

let private usesBytes step =
    match step with
    | Revalidate _
    | CompareHead _
    | Get _
    | Examine _
    | UseStored
    | Store _
    | Place _
    | Append _ -> true
    | _ -> false

let private usesStored step =
    match step with
    | UseStored
    | Place Entry
    | Append(Entry, _, _, _) -> true
    | _ -> false

/// The steps before index i about the same URL, since it last began (its entry opened, or the cache
/// given up), latest first.
let private sinceBegun (trace: (int * Step * Outcome option) list) i =
    let part, _, _ = trace[i]
    trace
    |> List.take i
    |> List.rev
    |> List.filter (fun (p, _, _) -> p = part)
    |> List.takeWhile (fun (_, step, _) ->
        match step with
        | GiveUpCache _ -> false
        | _ -> true)

/// Whether the server's answer says the entry is current, worked out here: a 304 repeating no
/// other validator, or a HEAD with its date and length.
let private saysCurrent (entry: Cache.Entry) outcome =
    let same stored answered =
        match stored, answered with
        | Some s, Some a -> s = a
        | _ -> true
    match outcome with
    | Some(NotModified(etag, modified)) -> same entry.ETag etag && same entry.LastModified modified
    | Some(HeadRead(etag, modified, length)) ->
        same entry.ETag etag && modified = entry.LastModified && length = Some entry.Length
    | _ -> false

[<Property(MaxTest = 1000)>]
let ``every fetch ends in Done or Fail within a bounded number of steps, and stays there`` () =
    Prop.forAll (arb scenario) (fun (settings, choices) ->
        let trace, last = drive settings choices
        Expect.isTrue $"{trace.Length} steps" (trace.Length <= bound settings.Urls.Length + 1)
        match last.Step with
        | Done _
        | Fail _ -> Expect.isTrue "stays" (obj.ReferenceEquals(next last Carried, last))
        | other -> Expect.fail $"ended at {other}")

[<Property(MaxTest = 1000)>]
let ``no byte is fetched, examined, stored or used before its URL's signature is judged`` () =
    Prop.forAll (arb scenario) (fun (settings, choices) ->
        let trace, _ = drive settings choices
        trace
        |> List.iteri (fun i (_, step, _) ->
            if usesBytes step then
                let signature =
                    sinceBegun trace i
                    |> List.tryPick (fun (_, step, outcome) ->
                        match step with
                        | FetchSignature _ -> Some outcome
                        | _ -> None)
                match settings.Verifying, signature with
                | true, Some(Some(SignatureRead _)) -> ()
                | true, other -> Expect.fail $"{step} after the signature's {other}"
                | false, None -> ()
                | false, Some _ -> Expect.fail "a signature fetched without --verify-assets"))

[<Property(MaxTest = 1000)>]
let ``a stored entry is used only while current, verified by this very signature and intact`` () =
    Prop.forAll (arb scenario) (fun (settings, choices) ->
        let trace, _ = drive settings choices
        trace
        |> List.iteri (fun i (_, step, _) ->
            if usesStored step then
                let before = sinceBegun trace i
                let pick f = before |> List.tryPick f
                let entry =
                    pick (fun (_, step, outcome) ->
                        match step, outcome with
                        | OpenEntry _, Some(EntryRead entry) -> Some entry
                        | _ -> None)
                    |> Option.flatten
                    |> Option.defaultWith (fun () -> Expect.fail $"{step} without an entry")
                let revalidated =
                    pick (fun (_, step, outcome) ->
                        match step with
                        | Revalidate _
                        | CompareHead _ -> Some outcome
                        | _ -> None)
                Expect.isTrue $"{step} after {revalidated}" (revalidated |> Option.exists (saysCurrent entry))
                if settings.Verifying then
                    let record =
                        pick (fun (_, _, outcome) ->
                            match outcome with
                            | Some(SignatureRead record) -> Some record
                            | _ -> None)
                    Expect.isTrue
                        $"{step} of an entry verified by {entry.Verified} under {record}"
                        (entry.Verified |> Option.map _.Record = record)
                    let hashed =
                        pick (fun (_, _, outcome) ->
                            match outcome with
                            | Some(Hashed actual) -> Some actual
                            | _ -> None)
                    Expect.isTrue
                        $"{step} of bytes hashed to {hashed}"
                        (hashed.IsSome && hashed = (entry.Verified |> Option.map _.Pieces))))

[<Property(MaxTest = 1000)>]
let ``altered bytes are said, dropped and fetched again, never used`` () =
    Prop.forAll (arb scenario) (fun (settings, choices) ->
        let trace, _ = drive settings choices
        trace
        |> List.iteri (fun i (part, step, outcome) ->
            match step, outcome with
            | Examine _, Some(Hashed actual) when actual <> pieces ->
                let after = trace |> List.skip (i + 1) |> List.filter (fun (p, _, _) -> p = part)
                match after with
                | (_, Discard(Some note, remove), _) :: (_, Get _, _) :: _ ->
                    Expect.contains "the note" "are not those their signature verified" note
                    Expect.equal
                        "removed when the cache is writable"
                        (settings.Cache.Value.Access = Cache.ReadWrite)
                        remove
                | other -> Expect.fail $"after altered bytes: {other |> List.truncate 2}"
                Expect.isTrue
                    "the altered entry used"
                    (after |> List.forall (fun (_, step, _) -> not (usesStored step)))
            | _ -> ()))

[<Property(MaxTest = 1000)>]
let ``a refusal stores nothing and places nothing: the fetch fails at once`` () =
    Prop.forAll (arb scenario) (fun (settings, choices) ->
        let trace, _ = drive settings choices
        trace
        |> List.pairwise
        |> List.iter (fun ((_, step, outcome), (_, following, _)) ->
            match step, outcome with
            | (Get(_, ToPartial _) | Revalidate(_, _, ToPartial _)), Some(Failed(Download(DownloadError.DiskFull _))) ->
                match following with
                | GiveUpCache(note, _) -> Expect.contains "the note" "downloading without it" note
                | other -> Expect.fail $"a full cache disk led to {other}"
            | _, Some(Failed error) -> Expect.equal "the step after a failure" (Fail error) following
            | _ -> ())
        trace
        |> List.iteri (fun i (_, step, _) ->
            match step with
            | Store stored ->
                match sinceBegun trace i with
                | (_, (Get(_, ToPartial _) | Revalidate(_, _, ToPartial _)), Some(Received received)) :: _ ->
                    if settings.Verifying then
                        Expect.isTrue
                            "a verified entry records its signature and pieces"
                            (stored.Verified.IsSome && Some stored.Verified.Value.Pieces = received.Pieces)
                | other -> Expect.fail $"a Store after {other |> List.truncate 1}"
            | _ -> ()))

[<Property(MaxTest = 1000)>]
let ``a restricted boot never writes the cache`` () =
    Prop.forAll (arb scenario) (fun (settings, choices) ->
        let settings = { settings with Cache = Some { Directory = directory; Access = Cache.ReadOnly } }
        let trace, _ = drive settings choices
        for _, step, _ in trace do
            match step with
            | Store _
            | UseStored
            | Place _
            | Discard(_, true)
            | OpenEntry(_, true)
            | Get(_, ToPartial _)
            | Revalidate(_, _, ToPartial _) -> Expect.fail $"restricted: {step}"
            | _ -> ())

[<Property(MaxTest = 500)>]
let ``several URLs or no writable cache are appended in order, one file, never placed`` () =
    Prop.forAll (arb scenario) (fun (settings, choices) ->
        let trace, _ = drive settings choices
        let linked = settings.Urls.Length = 1 && settings.Cache |> Option.exists (fun c -> c.Access = Cache.ReadWrite)
        let parts = trace |> List.map (fun (p, _, _) -> p)
        Expect.isTrue "URLs in order" (parts = List.sort parts)
        let opened = trace |> List.filter (fun (_, step, _) -> step = OpenOutput) |> List.length
        Expect.isTrue $"{opened} files opened" (opened <= 1)
        if not linked then
            Expect.isTrue
                "placed"
                (trace
                 |> List.forall (fun (_, step, _) ->
                     match step with
                     | Place _ -> false
                     | _ -> true)))

/// A step as text, its URLs as shown (an AssetUrl compares by reference).
let private picture step =
    match step with
    | OpenEntry(url, withPartial) -> $"OpenEntry {url.Shown} {withPartial}"
    | FetchSignature(signed, signature, hashStored) -> $"FetchSignature %A{signed} {signature.Shown} %A{hashStored}"
    | Revalidate(url, headers, target) -> $"Revalidate {url.Shown} %A{headers} %A{target}"
    | CompareHead url -> $"CompareHead {url.Shown}"
    | Get(url, target) -> $"Get {url.Shown} %A{target}"
    | Append(source, url, start, limit) -> $"Append %A{source} {url.Shown} {start} {limit}"
    | other -> $"%A{other}"

let private run settings (outcomes: Outcome list) =
    let rec go (fetching: Fetching) outcomes steps =
        match outcomes with
        | [] -> List.rev (fetching.Step :: steps)
        | outcome :: rest -> go (next fetching outcome) rest (fetching.Step :: steps)
    go (start settings) outcomes []

let private expectSteps (expected: Step list) (actual: Step list) =
    Expect.equal "steps" (List.map picture expected) (List.map picture actual)

let private got length etag pieces =
    Received { ETag = etag; LastModified = None; Declared = Some length; End = length; Pieces = pieces }

[<Fact>]
let ``a cold boot fetches into the cache, stores the entry and places it`` () =
    let settings = settings 1 false (Some Cache.ReadWrite)
    let stored: Cache.Entry =
        { Url = (url 1).Shown; ETag = Some "\"v1\""; LastModified = None; Length = 100L; Verified = None }
    expectSteps
        [ OpenEntry(url 1, true); Get(url 1, ToPartial(1000L, false)); Store stored; Place JustStored; Done 100L ]
        (run settings [ EntryRead None; got 100L (Some "\"v1\"") None; Carried; Carried ])

[<Fact>]
let ``a cached boot revalidates the entry and places the stored bytes`` () =
    let settings = settings 1 false (Some Cache.ReadWrite)
    let stored = entry 1 true None
    expectSteps
        [ OpenEntry(url 1, true)
          Revalidate(url 1, Cache.conditionalHeaders stored, ToPartial(1000L, false))
          UseStored
          Place Entry
          Done 100L ]
        (run settings [ EntryRead(Some stored); NotModified(stored.ETag, None); Carried; Carried ])

[<Fact>]
let ``a verified cached boot hashes the entry beside the signature and uses it once intact`` () =
    let settings = settings 1 true (Some Cache.ReadWrite)
    let stored = entry 1 false (Some "R1")
    expectSteps
        [ OpenEntry(url 1, true)
          FetchSignature(Signed.Asset("ramdisk", (url 1).Shown), Trust.signatureUrl (url 1), Some 100L)
          CompareHead(url 1)
          Examine 100L
          UseStored
          Place Entry
          Done 100L ]
        (run
            settings
            [ EntryRead(Some stored)
              SignatureRead "R1"
              HeadRead(None, stored.LastModified, Some 100L)
              Hashed pieces
              Carried
              Carried ])

[<Fact>]
let ``an entry another signature verified is fetched again and stored with this one`` () =
    let settings = settings 1 true (Some Cache.ReadWrite)
    let steps =
        run
            settings
            [ EntryRead(Some(entry 1 true (Some "R1"))); SignatureRead "R2"; got 100L (Some "\"v2\"") (Some pieces) ]
    match steps with
    | [ OpenEntry _; FetchSignature _; Get(_, ToPartial(1000L, true)); Store stored ] ->
        Expect.equal "verified by" (Some "R2") (stored.Verified |> Option.map _.Record)
    | other -> Expect.fail $"{other}"

[<Fact>]
let ``a restricted boot appends a current entry and stores nothing`` () =
    let settings = settings 1 false (Some Cache.ReadOnly)
    let stored = entry 1 true None
    expectSteps
        [ OpenOutput
          OpenEntry(url 1, false)
          Revalidate(url 1, Cache.conditionalHeaders stored, ToFile(0L, 1000L))
          Append(Entry, url 1, 0L, 1000L)
          Complete
          Done 100L ]
        (run settings [ Carried; EntryRead(Some stored); NotModified(None, None); Appended 100L; Carried ])

[<Fact>]
let ``a full cache disk costs one line and the asset is fetched without the cache`` () =
    let settings = settings 1 false (Some Cache.ReadWrite)
    expectSteps
        [ OpenEntry(url 1, true)
          Get(url 1, ToPartial(1000L, false))
          GiveUpCache("cache /var/cache/xenmatchbox: " + cause diskFull + "; downloading without it", None)
          OpenOutput
          Get(url 1, ToFile(0L, 1000L))
          Complete
          Done 100L ]
        (run settings [ EntryRead None; Failed diskFull; Carried; Carried; got 100L None None; Carried ])

[<Fact>]
let ``several ramdisk URLs go one after another into one file, the second's limit what is left`` () =
    let settings = settings 2 false (Some Cache.ReadWrite)
    expectSteps
        [ OpenOutput
          OpenEntry(url 1, true)
          Get(url 1, ToPartial(1000L, false))
          Append(PartialFile, url 1, 0L, 1000L)
          OpenEntry(url 2, true)
          Get(url 2, ToPartial(900L, false))
          Append(PartialFile, url 2, 100L, 1000L)
          Complete
          Done 200L ]
        (run
            settings
            [ Carried
              EntryRead None
              got 100L None None
              Appended 100L
              EntryRead None
              got 100L None None
              Appended 200L
              Carried ])

[<Fact>]
let ``an empty part fails the asset`` () =
    let settings = settings 1 false None
    match run settings [ Carried; got 0L None None ] with
    | [ OpenOutput; Get _; Fail error ] -> Expect.equal "code" "XMB-411" (code error)
    | other -> Expect.fail $"{other}"

[<Fact>]
let ``a signature the server does not have is XMB-703, one too large XMB-704, other failures their own`` () =
    let signed = Signed.Asset("kernel", "http://mb/k")
    Expect.equal
        "404"
        "XMB-703"
        (code (
            signatureError
                signed
                "http://mb/k.sig"
                (Refused(Download(DownloadError.AssetStatus("http://mb/k.sig", 404))))
        ))
    Expect.equal "too large" "XMB-704" (code (signatureError signed "http://mb/k.sig" (Oversized "it holds more")))
    Expect.equal "refused" refused (signatureError signed "http://mb/k.sig" (Refused refused))

[<Fact>]
let ``the lock is tried again after 5 ms, doubling to at most 100`` () =
    Expect.equal
        "waits"
        [ 5; 10; 20; 40; 80; 100; 100; 100 ]
        (List.map Cache.lockBackoffMilliseconds [ 1; 2; 3; 4; 5; 6; 7; 1000 ])

[<Fact>]
let ``a restricted boot reads only an existing cache, and only a writing one that stored is trimmed`` () =
    Expect.equal "restricted, there" (Some Cache.ReadOnly) (Cache.access true true)
    Expect.equal "restricted, missing" None (Cache.access true false)
    Expect.equal "root" (Some Cache.ReadWrite) (Cache.access false false)
    Expect.isTrue "stored" (Cache.trimDue Cache.ReadWrite true)
    Expect.isTrue "nothing stored" (not (Cache.trimDue Cache.ReadWrite false))
    Expect.isTrue "read-only" (not (Cache.trimDue Cache.ReadOnly true))
    Expect.isTrue "whole" (Cache.holds (entry 1 true None) 100L)
    Expect.isTrue "short" (not (Cache.holds (entry 1 true None) 99L))
