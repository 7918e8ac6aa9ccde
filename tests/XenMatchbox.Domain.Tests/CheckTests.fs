/// The check command's rules: the 30-day expiry rule (check's lines and a boot's one warning), the
/// exit status, which checks the settings call for, and the report's bytes against a hand-read
/// golden file in golden/check/.
module CheckTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Check

let private now = DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)

let private certificate flag (notAfter: DateTimeOffset) =
    { Flag = flag
      Path = $"/etc/matchbox/{flag.TrimStart '-'}.crt"
      Subject = "CN=test"
      NotAfter = notAfter }

/// Offsets from now, in minutes, across a year either side.
let private offsets = Gen.choose (-525_600, 525_600) |> Arb.fromGen

[<Property>]
let ``a date in the past or now has expired, one within 30 days warns, a later one is valid`` () =
    Prop.forAll offsets (fun minutes ->
        let notAfter = now.AddMinutes(float minutes)
        match expiry now notAfter with
        | Expired -> minutes <= 0
        | ExpiresSoon days -> minutes > 0 && minutes < WarnDays * 1440 && days = minutes / 1440
        | Valid -> minutes >= WarnDays * 1440)

[<Property>]
let ``a boot warns exactly when some certificate expires within 30 days or has expired, naming the first`` () =
    Prop.forAll (Gen.listOf (Gen.choose (-60, 400)) |> Arb.fromGen) (fun days ->
        let certificates = days |> List.mapi (fun i d -> certificate $"--c{i}" (now.AddDays(float d)))
        match bootWarning now certificates, List.sort days with
        | None, sorted -> sorted.IsEmpty || sorted.Head >= WarnDays
        | Some warning, first :: _ ->
            let named = certificates |> List.minBy _.NotAfter
            first < WarnDays && warning.StartsWith($"warning: {named.Flag} ")
        | Some _, [] -> false)

let private verdicts = Gen.elements [ Pass; Warn; Fail; Skip ]

[<Property>]
let ``check exits 0 exactly when no line failed, warnings included`` () =
    Prop.forAll (Gen.listOf verdicts |> Arb.fromGen) (fun found ->
        let lines = found |> List.map (fun v -> { Verdict = v; Subject = "s"; Text = "t" })
        (exitStatus lines = 0) = not (List.contains Fail found)
        && (exitStatus lines = 0 || exitStatus lines = Errors.CheckFailedStatus))

let private settingsOf argv =
    match CommandLine.parse (fun _ -> None) argv with
    | Ok(CommandLine.Check(settings, _)) -> settings
    | other -> failwith $"not a check: %A{other}"

[<Fact>]
let ``check needs no --lookup, no libxl flags and no disk`` () =
    match items None [] (settingsOf [| "check"; "--server"; "mb" |]) with
    | [ Configuration None; HttpRoot("mb", root); CacheDirectory cache ] ->
        Assert.Equal("http://mb:8080/", root.Shown)
        Assert.Equal(Cache.DefaultDirectory, cache.Directory)
    | other -> failwith $"%A{other}"

[<Fact>]
let ``check refuses libxl's output flags and --quiet`` () =
    for flag in [ "--output=/x"; "--output-directory=/x"; "--output-format=simple"; "--quiet" ] do
        match CommandLine.parse (fun _ -> None) [| "check"; "--server"; "mb"; flag |] with
        | Error(Errors.CommandLine(CommandLineError.CommandLineRejected reason)) ->
            Assert.EndsWith("is not for check", reason)
        | other -> failwith $"{flag} was accepted: %A{other}"

[<Fact>]
let ``the profile is not looked up when no server answered`` () =
    let down = { Verdict = Fail; Subject = "server http://mb:8080/"; Text = "XMB-402" }
    let up = { Verdict = Pass; Subject = "server http://mb2:8080/"; Text = "answers" }
    Assert.Equal(Some "no --server answered", blocked [ down ] (Profile [ "mac=x" ]))
    Assert.Equal(None, blocked [ down; up ] (Profile [ "mac=x" ]))

[<Fact>]
let ``a cache directory is judged from what stands there: present, missing, or not a directory`` () =
    let cache = CacheDirectory { Directory = "/var/cache/xenmatchbox"; MaxBytes = 4L <<< 30 }
    let one found =
        let line = judge now cache (CacheProbed found) |> List.exactlyOne
        Assert.Equal("cache /var/cache/xenmatchbox", line.Subject)
        line.Verdict, line.Text
    Assert.Equal((Pass, "writable, 8.0 GiB free"), one (Present(Ok(), Some(8L <<< 30))))
    Assert.Equal(Pass, fst (one (Present(Ok(), None))))
    Assert.Equal(
        (Warn, "writable, 1.0 GiB free, less than --cache-size 4G; free space or lower --cache-size"),
        one (Present(Ok(), Some(1L <<< 30)))
    )
    Assert.Equal((Pass, "writable, 75.8 GiB free"), one (Present(Ok(), Some 81357238272L)))
    Assert.Equal(
        (Fail,
         "cannot store: Permission denied; boots download without it — make it a directory root can write, or set --cache-dir or --no-cache"),
        one (Present(Error "Permission denied", Some 1L))
    )
    Assert.Equal(
        (Warn,
         "does not exist; the first boot makes it (/var can be written, 1.0 KiB free) — make it now (mkdir -p /var/cache/xenmatchbox) if the cache belongs there, or correct --cache-dir"),
        one (Missing("/var", Ok(), Some 1024L))
    )
    let verdict, text = one (Missing("/var", Error "Read-only file system", None))
    Assert.Equal(Fail, verdict)
    Assert.StartsWith("does not exist, and a boot cannot make it: /var cannot be written (Read-only file system)", text)
    let verdict, text = one (Unusable "/var/cache is not a directory")
    Assert.Equal(Fail, verdict)
    Assert.StartsWith("cannot store: /var/cache is not a directory; boots download without it", text)

[<Fact>]
let ``the report's bytes match the golden file`` () =
    let cert = certificate "--cert" (now.AddDays 12.)
    let ca = certificate "--ca" (now.AddDays 400.)
    let lines =
        [ yield! judge now (Configuration(Some "/etc/xen/xenmatchbox.conf")) Parsed
          yield! judge now TlsFiles (TlsRead(Ok { Certificates = [ ca; cert ]; Chain = Some(Ok()) }))
          yield!
              judge
                  now
                  (CacheDirectory { Directory = "/var/cache/xenmatchbox"; MaxBytes = 4L <<< 30 })
                  (CacheProbed(Present(Error "Read-only file system", None)))
          yield! judge now (Profile [ "mac=52:54:00:aa:bb:cc" ]) (NotTried "no --server answered") ]
    Assert.Equal(Golden.text "check/report.expected", render lines)

let private key keyId standing signs : Trust.Key =
    { KeyId = keyId
      Fingerprint = $"{keyId:X16}"
      Primary = "PRIMARY"
      UserId = "ops <ops@example.com>"
      Created = now.AddYears -1
      Expires = None
      Signs = signs
      Standing = standing }

[<Fact>]
let ``a key file's lines: each signing key and each uncertified key, and a failure when none can sign`` () =
    let item = KeyFile("--asset-key", "/etc/xen/k.gpg")
    let linesOf keys = judge now item (KeysRead(Ok keys))
    let good = linesOf [ key 1UL Trust.Valid false; key 2UL Trust.Valid true; key 3UL Trust.Valid false ]
    Assert.Equal<Verdict list>([ Pass ], good |> List.map _.Verdict)
    Assert.Contains("signing subkey 0000000000000002", good.Head.Text)
    let appended = linesOf [ key 2UL Trust.Valid true; key 9UL (Trust.Uncertified "it has no binding") true ]
    Assert.Equal<Verdict list>([ Pass; Fail ], appended |> List.map _.Verdict)
    Assert.Contains("XMB-710", appended[1].Text)
    let none = linesOf [ key 1UL Trust.Valid false; key 2UL Trust.Revoked true ]
    Assert.Equal<Verdict list>([ Fail; Fail ], none |> List.map _.Verdict)
    Assert.Contains("no key in it can sign now", (List.last none).Text)
