module internal XenMatchbox.Domain.Check

open System
open System.Globalization
open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.CommandLine
open XenMatchbox.Domain.Errors

[<Literal>]
let WarnDays = 30

type Expiry =
    | Valid
    | ExpiresSoon of days: int
    | Expired

let expiry (now: DateTimeOffset) (notAfter: DateTimeOffset) =
    let left = notAfter - now
    if left <= TimeSpan.Zero then Expired
    elif left < TimeSpan.FromDays(float WarnDays) then ExpiresSoon(int left.TotalDays)
    else Valid

type Certificate = { Flag: string; Path: string; Subject: string; NotAfter: DateTimeOffset }

let private date (at: DateTimeOffset) =
    at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)

let private inDays days =
    match days with
    | 0 -> "today"
    | 1 -> "in 1 day"
    | n -> $"in {n} days"

let bootWarning now (certificates: Certificate list) =
    certificates
    |> List.sortBy _.NotAfter
    |> List.tryHead
    |> Option.bind (fun first ->
        let named = Text.printable $"{first.Flag} {first.Path} ({first.Subject})"
        match expiry now first.NotAfter with
        | Valid -> None
        | ExpiresSoon days ->
            Some
                $"warning: {named} expires {inDays days}, on {date first.NotAfter}; renew it before matchbox refuses it"
        | Expired ->
            Some
                $"warning: {named} expired on {date first.NotAfter}; renew it, matchbox refuses an expired certificate")

type Item =
    | Configuration of file: string option
    | RootFiles of files: RootFile list
    | TlsFiles
    | KeyFile of flag: string * path: string
    | Lookup of route: Boot.LookupRoute
    | HttpRoot of host: string * url: Profile.AssetUrl
    | CacheDirectory of cache: CacheSettings
    | DomainIdentity of keys: string list
    | Profile of labels: string list

/// The labels the reachability probe asks gRPC for: any answer, a profile or "no group", will do.
let probeLabels =
    match Labels.fromLookups [ "xenmatchbox-check=reachability" ] with
    | Ok labels -> labels
    | Error _ -> failwith "the probe label is valid"

let items configFile (rootFiles: RootFile list) (settings: Settings) =
    let server = settings.Server
    let tls = server.CaFile.IsSome || server.Client.IsSome || server.WebCaFile.IsSome
    let hosts = server.Servers.Hosts
    [ yield Configuration configFile
      if not rootFiles.IsEmpty then yield RootFiles rootFiles
      if tls then yield TlsFiles
      for path in settings.Trust.LookupKeys do
          yield KeyFile("--lookup-key", path)
      for path in settings.Trust.AssetKeys do
          yield KeyFile("--asset-key", path)
      for host in hosts do
          match Boot.route server host probeLabels with
          | Boot.Grpc _ as route -> yield Lookup route
          | Boot.Ipxe _ -> ()
          let root: Profile.HttpBase = { Host = host; Port = server.HttpPort; Secure = server.WebSsl }
          match Profile.resolveAsset root "check" "/" with
          | Ok url -> yield HttpRoot(host, url)
          | Error _ -> ()
      match settings.Cache with
      | Some cache -> yield CacheDirectory cache
      | None -> ()
      if not settings.Lookup.FromDomain.IsEmpty then
          yield DomainIdentity settings.Lookup.FromDomain
      if not (settings.Lookup.Given.IsEmpty && settings.Lookup.FromDomain.IsEmpty) then
          yield Profile(settings.Lookup.Given @ settings.Lookup.FromDomain) ]

type TlsFound = { Certificates: Certificate list; Chain: Result<unit, string> option }

type CacheFound =
    | Present of writable: Result<unit, string> * free: int64 option
    | Missing of existing: string * writable: Result<unit, string> * free: int64 option
    | Unusable of why: string

type Finding =
    | Parsed
    | TlsRead of Result<TlsFound, BootError>
    | KeysRead of Result<Trust.Key list, BootError>
    | Answered of Result<unit, BootError>
    | RootSaid of Result<string, BootError>
    | CacheProbed of CacheFound
    | IdentityRead of Result<(string * string) list, BootError>
    | ProfileFound of Result<DryRun.Report, BootError>
    | NotTried of reason: string

type Verdict =
    | Pass
    | Warn
    | Fail
    | Skip

type Line = { Verdict: Verdict; Subject: string; Text: string }

let private line verdict subject text =
    { Verdict = verdict; Subject = Text.printable subject; Text = Text.printable (redact text) }

let private failed subject error = line Fail subject (describe error)

/// A date's verdict and words: "expires 2027-01-01 (400 days)" or the warning or failure.
let private dated now (notAfter: DateTimeOffset) renew =
    match expiry now notAfter with
    | Valid -> Pass, $"expires {date notAfter}"
    | ExpiresSoon days -> Warn, $"expires {inDays days}, on {date notAfter}; {renew}"
    | Expired -> Fail, $"expired on {date notAfter}; {renew}"

let private certificateLine now (certificate: Certificate) =
    let verdict, text =
        dated
            now
            certificate.NotAfter
            (if certificate.Flag = "--cert" then
                 "renew it: matchbox refuses an expired client certificate"
             else
                 "renew it: no certificate it signed is trusted once it has expired")
    line verdict $"{certificate.Flag} {certificate.Path}" $"{certificate.Subject}, PEM, {text}"

/// A key file's lines: each key that can sign (valid, expiring, expired or revoked), each key the
/// file holds without a valid certification, and a failure when no key in it can sign now.
let private keyLines now flag path (keys: Trust.Key list) =
    let subject = $"{flag} {path}"
    let named (key: Trust.Key) =
        let who = if key.UserId = "" then "" else $" ({key.UserId})"
        let kind = if key.Fingerprint = key.Primary then "key" else "signing subkey"
        $"{kind} {Trust.keyIdText key.KeyId}{who}"
    let keyLine (key: Trust.Key) =
        match key.Standing, key.Expires with
        | Trust.Uncertified why, _ ->
            Some(
                line
                    Fail
                    subject
                    $"key {Trust.keyIdText key.KeyId} is in the file uncertified ({why}); nothing it signs is accepted (XMB-710) — export the key again from its owner"
            )
        | _ when not key.Signs -> None
        | Trust.Revoked, _ ->
            Some(line Fail subject $"{named key} is revoked; nothing it signs is accepted — ask for a current key")
        | _, None -> Some(line Pass subject $"{named key} signs, never expires")
        | _, Some at ->
            let verdict, text = dated now at "ask its owner for the key with a new expiry (gpg --quick-set-expire)"
            Some(line verdict subject $"{named key} signs, {text}")
    let lines = keys |> List.choose keyLine
    if keys |> List.exists (fun key -> key.Signs && key.Standing = Trust.Valid) then
        lines
    else
        lines @ [ line Fail subject "no key in it can sign now: every signature a boot checks with it is refused" ]

let private size = ByteSize.iec

/// Each asset's line: the HEAD answer held to the caps (the ramdisk's across its initrds, in
/// order, as DryRun.verdict holds them), and its signature.
let private assetLines (report: DryRun.Report) =
    let rec go (ramdisk: int64) (assets: DryRun.AssetSize list) =
        match assets with
        | [] -> []
        | asset :: rest ->
            let isKernel = asset.Role = DryRun.Probed.Kernel
            let what, limit, before =
                if isKernel then "kernel", report.MaxKernelBytes, 0L else "ramdisk", report.MaxRamdiskBytes, ramdisk
            let subject = $"{DryRun.probedName asset.Role} {asset.Url.Shown}"
            let signed =
                match asset.Signature with
                | DryRun.Vouched signer -> Ok $", {Trust.signatureUrl(asset.Url).Shown} by {Trust.describe signer}"
                | DryRun.Unchecked -> Ok ""
                | DryRun.Refused error -> Error error
            let judged, next =
                match asset.Head with
                | DryRun.Failed error -> Error error, ramdisk
                | DryRun.Undeclared -> Ok "answers HEAD, size not declared", ramdisk
                | DryRun.Declared bytes ->
                    let total = before + bytes
                    Transfer.checkNotEmpty asset.Url.Shown what bytes
                    |> Result.bind (fun () -> Transfer.checkSize asset.Url.Shown what limit total)
                    |> Result.map (fun () -> $"answers HEAD, {size bytes}, within the {what} cap of {size limit}"),
                    (if isKernel then ramdisk else total)
            let verdict =
                match judged, signed with
                | Error error, _
                | _, Error error -> failed subject error
                | Ok head, Ok note -> line Pass subject (head + note)
            verdict :: go next rest
    go 0L report.Assets

let judge now item finding =
    match item, finding with
    | _, NotTried reason ->
        let subject =
            match item with
            | Profile labels -> $"""lookup {String.Join(" ", labels)}"""
            | Lookup route -> $"server {Boot.routeServer route} (gRPC)"
            | TlsFiles -> "TLS files"
            | KeyFile(flag, path) -> $"{flag} {path}"
            | _ -> "check"
        [ line Skip subject $"not tried: {reason}" ]
    | Configuration file, _ ->
        let read =
            match file with
            | Some path -> $"{path}, the XENMATCHBOX_* variables and the command line parse"
            | None -> "no configuration file; the XENMATCHBOX_* variables and the command line parse"
        [ line Pass "configuration" read ]
    | RootFiles files, _ ->
        let unsafe =
            files
            |> List.choose (fun file ->
                match file.Verdict with
                | Ownership.Faulty faults ->
                    Some(
                        failed
                            $"{file.Flag} {file.Path}"
                            (BootError.CommandLine(UnsafeFile(file.Setting, file.Path, faults)))
                    )
                | _ -> None)
        let safe = files |> List.filter (fun file -> file.Verdict = Ownership.Safe) |> List.length
        match unsafe, safe with
        | [], 0 -> []
        | [], 1 ->
            [ line Pass "files read as root" "1 file, and every directory above it, root's and writable by root alone" ]
        | [], n ->
            [ line
                  Pass
                  "files read as root"
                  $"{n} files, and every directory above them, root's and writable by root alone" ]
        | lines, _ -> lines
    | TlsFiles, TlsRead(Error error) -> [ failed "TLS files" error ]
    | TlsFiles, TlsRead(Ok found) ->
        [ yield! found.Certificates |> List.map (certificateLine now)
          match found.Chain with
          | Some(Ok()) -> yield line Pass "--cert chain" "the client certificate and its key match; it chains to --ca"
          | Some(Error status) ->
              yield
                  line
                      Fail
                      "--cert chain"
                      $"the client certificate does not chain to --ca ({status}); matchbox refuses it (XMB-207) — give the client certificate its CA signed, or the CA that signed it"
          | None -> () ]
    | KeyFile(flag, path), KeysRead(Error error) -> [ failed $"{flag} {path}" error ]
    | KeyFile(flag, path), KeysRead(Ok keys) -> keyLines now flag path keys
    | Lookup route, Answered result ->
        let subject = $"server {Boot.routeServer route} (gRPC)"
        match result with
        | Ok()
        | Error(BootError.Lookup(LookupError.NoMatchingGroup _ | LookupError.NoMatchingProfile _)) ->
            [ line Pass subject "TCP, the mutual TLS handshake and a gRPC answer" ]
        | Error error -> [ failed subject error ]
    | HttpRoot(_, url), RootSaid result ->
        let subject = $"server {url.Shown}"
        match result with
        | Ok said when said.Trim().StartsWith("matchbox", StringComparison.Ordinal) ->
            [ line Pass subject "answers \"matchbox\"" ]
        | Ok said ->
            let shown = if said.Length > 60 then said.Substring(0, 60) + "…" else said
            [ line
                  Fail
                  subject
                  $"answers \"{shown}\", not matchbox's \"matchbox\" — check --server and --httpport (matchbox's -address)" ]
        | Error error -> [ failed subject error ]
    | CacheDirectory cache, CacheProbed found ->
        let subject = $"cache {cache.Directory}"
        let cannotStore why =
            [ line
                  Fail
                  subject
                  $"cannot store: {why}; boots download without it — make it a directory root can write, or set --cache-dir or --no-cache" ]
        let freeThere free =
            match free with
            | Some bytes -> $", {size bytes} free"
            | None -> ""
        match found with
        | Unusable why
        | Present(Error why, _) -> cannotStore why
        | Present(Ok(), Some free) when free < cache.MaxBytes ->
            [ line
                  Warn
                  subject
                  $"writable, {size free} free, less than --cache-size {Flags.showSize cache.MaxBytes}; free space or lower --cache-size" ]
        | Present(Ok(), free) -> [ line Pass subject $"writable{freeThere free}" ]
        | Missing(existing, Ok(), free) ->
            [ line
                  Warn
                  subject
                  $"does not exist; the first boot makes it ({existing} can be written{freeThere free}) — make it now (mkdir -p {cache.Directory}) if the cache belongs there, or correct --cache-dir" ]
        | Missing(existing, Error why, _) ->
            [ line
                  Fail
                  subject
                  $"does not exist, and a boot cannot make it: {existing} cannot be written ({why}); boots download without it — make the directory (mkdir -p {cache.Directory}) where root can write, or set --cache-dir or --no-cache" ]
    | DomainIdentity keys, IdentityRead result ->
        let subject = $"""xenstore {String.Join(", ", keys)}"""
        match result with
        | Ok labels -> [ line Pass subject (String.Join(" ", labels |> List.map (fun (k, v) -> $"{k}={v}"))) ]
        | Error error -> [ failed subject error ]
    | Profile labels, ProfileFound result ->
        let subject = $"""lookup {String.Join(" ", labels)}"""
        match result with
        | Error error -> [ failed subject error ]
        | Ok report ->
            let signed =
                match report.LookupSigner with
                | Some signer -> $", /ipxe verified: {Trust.describe signer}"
                | None -> ""
            line Pass subject $"profile {report.BootPlan.ProfileId} via {report.LookupVia}{signed}" :: assetLines report
    | _ -> [ line Fail "check" "internal: a finding for another check (please report it)" ]

/// The subjects of the TLS files' lines, as RootFiles names them: "--ca PATH" and the like.
let private tlsFlags = [ "--ca "; "--cert "; "--key "; "--web-ca " ]

let blocked (earlier: Line list) item =
    let failed subject =
        earlier |> List.exists (fun l -> l.Verdict = Fail && subject l.Subject)
    match item with
    | TlsFiles when failed (fun s -> tlsFlags |> List.exists s.StartsWith) ->
        Some "root does not read a TLS file that others may change"
    | KeyFile(flag, path) when failed ((=) $"{flag} {path}") ->
        Some "root does not read a key file that others may change"
    | Lookup _ when earlier |> List.exists (fun l -> (l.Verdict = Fail || l.Verdict = Skip) && l.Subject = "TLS files") ->
        Some "the TLS files cannot be read"
    | Profile _ ->
        let answered =
            earlier |> List.exists (fun l -> l.Verdict <> Fail && l.Verdict <> Skip && l.Subject.StartsWith "server ")
        if answered then None else Some "no --server answered"
    | _ -> None

let private mark verdict =
    match verdict with
    | Pass -> "✓"
    | Warn -> "!"
    | Fail -> "✗"
    | Skip -> "-"

let renderLine (verdictLine: Line) =
    $"{mark verdictLine.Verdict} {verdictLine.Subject}: {verdictLine.Text}\n"

let summary (lines: Line list) =
    let count verdict =
        lines |> List.filter (fun l -> l.Verdict = verdict) |> List.length
    $"check: {count Pass} passed, {count Warn} warned, {count Fail} failed, {count Skip} not tried\n"

let render (lines: Line list) =
    (lines |> List.map renderLine |> String.concat "") + summary lines

let exitStatus (lines: Line list) =
    if lines |> List.exists (fun l -> l.Verdict = Fail) then CheckFailedStatus else 0
