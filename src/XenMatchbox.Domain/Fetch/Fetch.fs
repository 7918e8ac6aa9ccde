module XenMatchbox.Domain.Fetch

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Profile

type CacheUse = { Directory: string; Access: Cache.Access }

type Settings = { Urls: AssetUrl list; What: string; Limit: int64; Verifying: bool; Cache: CacheUse option }

type Target =
    | ToPartial of limit: int64 * hashPieces: bool
    | ToFile of start: int64 * limit: int64

type Source =
    | Entry
    | JustStored
    | PartialFile

type Step =
    | OpenOutput
    | OpenEntry of url: AssetUrl * withPartial: bool
    | FetchSignature of signed: Signed * signature: AssetUrl * hashStored: int64 option
    | Revalidate of url: AssetUrl * headers: (string * string) list * target: Target
    | CompareHead of url: AssetUrl
    | Get of url: AssetUrl * target: Target
    | Examine of length: int64
    | Discard of note: string option * remove: bool
    | UseStored
    | Store of Cache.Entry
    | Place of Source
    | Append of source: Source * url: AssetUrl * start: int64 * limit: int64
    | GiveUpCache of note: string * rewind: int64 option
    | Complete
    | Done of length: int64
    | Fail of BootError

type Received =
    { ETag: string option
      LastModified: string option
      Declared: int64 option
      End: int64
      Pieces: string list option }

type Outcome =
    | Carried
    | EntryRead of Cache.Entry option
    | CacheOff
    | SignatureRead of record: string
    | NotModified of etag: string option * lastModified: string option
    | Received of Received
    | HeadRead of etag: string option * lastModified: string option * length: int64 option
    | Hashed of pieces: string list
    | Appended of length: int64
    | CacheFailed of detail: string
    | Failed of BootError

[<Sealed>]
type Fetching internal (step: Step, part: int, handle: (Outcome -> Fetching) option) =
    member _.Step = step
    member _.Part = part
    member internal _.Handle = handle

/// Where the asset stands at one of its URLs.
type private Asset =
    {
        Settings: Settings
        /// A single URL placed from a writable cache; else the URLs are appended to the asset's file.
        Linked: bool
        /// The cache, until this asset gave it up.
        Cache: CacheUse option
        /// Whether the asset's file is open (appending).
        OutputOpen: bool
        /// The URL's index, the URL, and the URLs after it.
        Part: int
        Url: AssetUrl
        Rest: AssetUrl list
        /// The bytes of the URLs before this one, in the asset's file.
        Start: int64
    }

/// The URL's cache entry, as its lock holds it.
type private Held = { Entry: Cache.Entry option; Writable: bool }

let private stepName step =
    match step with
    | OpenOutput -> "OpenOutput"
    | OpenEntry _ -> "OpenEntry"
    | FetchSignature _ -> "FetchSignature"
    | Revalidate _ -> "Revalidate"
    | CompareHead _ -> "CompareHead"
    | Get _ -> "Get"
    | Examine _ -> "Examine"
    | Discard _ -> "Discard"
    | UseStored -> "UseStored"
    | Store _ -> "Store"
    | Place _ -> "Place"
    | Append _ -> "Append"
    | GiveUpCache _ -> "GiveUpCache"
    | Complete -> "Complete"
    | Done _ -> "Done"
    | Fail _ -> "Fail"

let private outcomeName outcome =
    match outcome with
    | Carried -> "Carried"
    | EntryRead _ -> "EntryRead"
    | CacheOff -> "CacheOff"
    | SignatureRead _ -> "SignatureRead"
    | NotModified _ -> "NotModified"
    | Received _ -> "Received"
    | HeadRead _ -> "HeadRead"
    | Hashed _ -> "Hashed"
    | Appended _ -> "Appended"
    | CacheFailed _ -> "CacheFailed"
    | Failed _ -> "Failed"

let private ask (asset: Asset) step handle = Fetching(step, asset.Part, Some handle)

let private ending (asset: Asset) step = Fetching(step, asset.Part, None)

let private fail asset error = ending asset (Fail error)

/// The bytes a verified GET into the cache's partial file leaves: the signature's record and the
/// pieces hashed as they were written.
let private verification record (received: Received) : Cache.Verification option =
    match record, received.Pieces with
    | Some record, Some pieces -> Some { Record = record; Pieces = pieces }
    | _ -> None

/// The URL's next step after a failed one: any step's error ends the fetch; the cache's files
/// failing gives the cache up (one line) and the URL is fetched without it.
let rec private otherwise asset step outcome =
    match outcome with
    | Failed error -> fail asset error
    | CacheFailed detail when asset.Cache.IsSome -> giveUp asset detail
    | _ -> fail asset (Unexpected $"the outcome {outcomeName outcome} does not answer {stepName step}")

and private giveUp asset detail =
    let directory = asset.Cache |> Option.map _.Directory |> Option.defaultValue ""
    let step = GiveUpCache(Cache.unusableNote directory detail, (if asset.OutputOpen then Some asset.Start else None))
    let asset = { asset with Cache = None }
    ask asset step (function
        | Carried -> withoutCache asset
        | outcome -> otherwise asset step outcome)

/// The URL without the cache: appended to the asset's file, which a placed asset opens now.
and private withoutCache asset =
    let asset = { asset with Cache = None; Linked = false }
    if asset.OutputOpen then
        signature asset None
    else
        ask asset OpenOutput (function
            | Carried -> signature { asset with OutputOpen = true } None
            | outcome -> otherwise asset OpenOutput outcome)

/// A URL begins: its cache entry, locked and read, when there is a cache.
and private beginUrl asset =
    match asset.Cache with
    | Some cache ->
        let writable = cache.Access = Cache.ReadWrite
        let step = OpenEntry(asset.Url, writable)
        ask asset step (function
            | EntryRead entry -> signature asset (Some { Entry = entry; Writable = writable })
            | CacheOff -> withoutCache asset
            | outcome -> otherwise asset step outcome)
    | None -> signature asset None

/// Under --verify-assets, the signature first; a verified entry's bytes are hashed beside it.
and private signature asset held =
    if asset.Settings.Verifying then
        let hashStored =
            held |> Option.bind _.Entry |> Option.filter _.Verified.IsSome |> Option.map (fun entry -> entry.Length)
        let step =
            FetchSignature(Signed.Asset(asset.Settings.What, asset.Url.Shown), Trust.signatureUrl asset.Url, hashStored)
        ask asset step (function
            | SignatureRead record -> judge asset held (Some record)
            | outcome -> otherwise asset step outcome)
    else
        judge asset held None

/// Where a GET of the URL writes: a writable entry's partial file, else the asset's file.
and private target asset held record =
    match held with
    | Some { Writable = true } -> ToPartial(asset.Settings.Limit - asset.Start, Option.isSome record)
    | _ -> ToFile(asset.Start, asset.Settings.Limit)

/// The signature judged (or none asked for): an entry this boot may use is revalidated, else the
/// URL is fetched.
and private judge asset held record =
    let into = target asset held record
    match held |> Option.bind _.Entry with
    | Some entry ->
        match Cache.usage record entry with
        | Cache.Refetch -> get asset held record into
        | usage ->
            match Cache.revalidation entry with
            | Cache.Conditional headers ->
                let step = Revalidate(asset.Url, headers, into)
                ask asset step (function
                    | NotModified(etag, modified) ->
                        match Cache.decide asset.Url.Shown (Some entry) 304 etag modified None with
                        | Some Cache.Current -> current asset held entry usage record into
                        | _ -> get asset held record into
                    | Received received -> gotten asset held record into received
                    | outcome -> getFailed asset step into outcome)
            | Cache.CompareHead ->
                let step = CompareHead asset.Url
                ask asset step (function
                    | HeadRead(etag, modified, length) ->
                        match Cache.compareHead entry etag modified length with
                        | Cache.Current -> current asset held entry usage record into
                        | _ -> get asset held record into
                    | outcome -> otherwise asset step outcome)
    | None -> get asset held record into

and private get asset held record into =
    let step = Get(asset.Url, into)
    ask asset step (function
        | Received received -> gotten asset held record into received
        | outcome -> getFailed asset step into outcome)

/// A GET into the cache's partial file that ran out of disk or could not write: the cache's disk
/// failed, not the asset, so the cache is given up and the URL fetched without it.
and private getFailed asset step into outcome =
    match into, outcome with
    | ToPartial _, Failed(Download(DiskFull _ | AssetWriteFailed _) as error) when asset.Cache.IsSome ->
        giveUp asset (cause error)
    | _ -> otherwise asset step outcome

/// The server says the entry is current: used as stored, or once its bytes are examined.
and private current asset held entry usage record into =
    match held, usage with
    | Some held, Cache.OnceExamined pieces ->
        let step = Examine entry.Length
        ask asset step (function
            | Hashed actual ->
                match Cache.examine pieces actual with
                | Cache.Intact -> useStored asset held entry
                | Cache.Altered piece ->
                    let directory = asset.Cache |> Option.map _.Directory |> Option.defaultValue ""
                    let discard = Discard(Some(Cache.alteredNote directory entry piece), held.Writable)
                    ask asset discard (function
                        | Carried -> get asset (Some { held with Entry = None }) record into
                        | outcome -> otherwise asset discard outcome)
            | outcome -> otherwise asset step outcome)
    | Some held, _ -> useStored asset held entry
    | None, _ -> get asset held record into

/// The stored bytes are the URL's: with a writable cache within the limit and touched, then placed
/// or appended; a read-only one's are only appended (the copy checks the limit).
and private useStored asset held entry =
    if held.Writable then
        match
            Transfer.checkSize asset.Url.Shown asset.Settings.What (asset.Settings.Limit - asset.Start) entry.Length
        with
        | Error error -> fail asset error
        | Ok() ->
            ask asset UseStored (function
                | Carried -> deliver asset Entry entry.Length
                | outcome -> otherwise asset UseStored outcome)
    else
        deliver asset Entry entry.Length

/// A 200 answer, complete (and verified): into the cache's partial file, stored when the cache may
/// keep it (Cache.decide) else used once, the old entry going; into the asset's file, done.
and private gotten asset held record into received =
    match into, held with
    | ToPartial _, Some held ->
        match Cache.decide asset.Url.Shown held.Entry 200 received.ETag received.LastModified received.Declared with
        | Some(Cache.Store entry) ->
            let entry = { entry with Verified = verification record received }
            let step = Store entry
            ask asset step (function
                | Carried -> deliver asset JustStored entry.Length
                | outcome -> otherwise asset step outcome)
        | _ when held.Entry.IsSome ->
            let step = Discard(None, true)
            ask asset step (function
                | Carried -> deliver asset PartialFile received.End
                | outcome -> otherwise asset step outcome)
        | _ -> deliver asset PartialFile received.End
    | _ -> appended asset received.End

/// The URL's bytes go to libxl's directory: placed (a single URL from the cache, not empty), or
/// appended to the asset's file.
and private deliver asset source length =
    if asset.Linked then
        match Transfer.checkNotEmpty asset.Url.Shown asset.Settings.What length with
        | Error error -> fail asset error
        | Ok() ->
            let step = Place source
            ask asset step (function
                | Carried -> ending asset (Done length)
                | outcome -> otherwise asset step outcome)
    else
        let step = Append(source, asset.Url, asset.Start, asset.Settings.Limit)
        ask asset step (function
            | Appended length -> appended asset length
            | outcome -> otherwise asset step outcome)

/// The URL's bytes end the asset's file at length: none is an empty part; then the next URL, or
/// the file is complete.
and private appended asset length =
    match Transfer.checkNotEmpty asset.Url.Shown asset.Settings.What (length - asset.Start) with
    | Error error -> fail asset error
    | Ok() ->
        match asset.Rest with
        | url :: rest -> beginUrl { asset with Part = asset.Part + 1; Url = url; Rest = rest; Start = length }
        | [] ->
            ask asset Complete (function
                | Carried -> ending asset (Done length)
                | outcome -> otherwise asset Complete outcome)

let start (settings: Settings) =
    match settings.Urls with
    | [] -> Fetching(Fail(Unexpected "an asset without a URL"), 0, None)
    | url :: rest ->
        let linked = rest.IsEmpty && settings.Cache |> Option.exists (fun cache -> cache.Access = Cache.ReadWrite)
        let asset =
            { Settings = settings
              Linked = linked
              Cache = settings.Cache
              OutputOpen = false
              Part = 0
              Url = url
              Rest = rest
              Start = 0L }
        if linked then
            beginUrl asset
        else
            ask asset OpenOutput (function
                | Carried -> beginUrl { asset with OutputOpen = true }
                | outcome -> otherwise asset OpenOutput outcome)

let next (fetching: Fetching) outcome =
    match fetching.Handle with
    | Some handle -> handle outcome
    | None -> fetching

type SignatureFailure =
    | Refused of BootError
    | Oversized of detail: string

let signatureError signed (signature: string) failure =
    match failure with
    | Refused(Download(AssetStatus(_, status))) -> Trust(SignatureMissing(signed, signature, status))
    | Refused error -> error
    | Oversized detail -> Trust(SignatureUnreadable(signed, signature, detail))
