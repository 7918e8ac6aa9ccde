/// What a dry run prints, against hand-checked golden files in golden/dry-run/, and the verdict it
/// ends with: the error a boot would end with, from what the HEAD requests found.
module DryRunTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.DryRun
open Generators
open System
open System.Text.Json
open System.Text.RegularExpressions

let private plan =
    let labels = Expect.ok "labels" (Labels.fromLookups [ "mac=52-54-00-AA-BB-CC"; "os=installed" ])
    let profile: Profile.UnvalidatedProfile =
        { Id = "fcos-stable"
          Kernel = "/assets/fcos/kernel"
          Initrds = [ "--name main /assets/fcos/initramfs.img"; "http://mirror.example/rootfs.img" ]
          Args = [ "console=hvc0"; "xmb.mac=${mac:hexhyp}"; "os={{ .os }}" ] }
    labels,
    Expect.ok
        "plan"
        (Profile.create
            { Host = "mb"; Port = 8080; Secure = false }
            "/var/lib/xen/bootloader.7.d"
            labels
            (Some "quiet")
            profile)

let private reportOf format via (heads: Head list) =
    let labels, plan = plan
    let bytes =
        Expect.ok
            "output"
            (Output.render format { Kernel = plan.KernelPath; Ramdisk = plan.RamdiskPath; Args = plan.CommandLine })
    let assets =
        ((Probed.Kernel, plan.Kernel) :: (plan.Initrds |> List.map (fun url -> Probed.Initrd, url)))
        |> List.zip heads
        |> List.map (fun (head, (role, url)) -> { Role = role; Url = url; Head = head; Signature = Unchecked })
    { Release = { Version = "0.1.0"; Commit = Some "8642993a1b2c3d4e5f60718293a4b5c6d7e8f901" }
      LookupVia = via
      LookupSigner = None
      LookupAge = None
      Labels = labels
      Floor = []
      BootPlan = plan
      Assets = assets
      MaxKernelBytes = Limits.DefaultMaxKernelBytes
      MaxRamdiskBytes = Limits.DefaultMaxRamdiskBytes
      Format = format
      Output = bytes }

let private report format via heads = render (reportOf format via heads)

[<Fact>]
let ``a gRPC dry run in simple0 shows each NUL as \0`` () =
    Expect.equalText
        (Golden.text "dry-run/grpc.simple0.expected")
        (report Output.Simple0 "gRPC mb:8081" [ Declared 8388608L; Declared 67108864L; Undeclared ])

[<Fact>]
let ``an HTTP-only dry run in sxp`` () =
    Expect.equalText
        (Golden.text "dry-run/http-only.sxp.expected")
        (report
            Output.Sxp
            "HTTP http://mb:8080/ipxe?mac=52%3A54%3A00%3Aaa%3Abb%3Acc&os=installed"
            [ Declared 1L; Declared 2L; Declared 3L ])

[<Fact>]
let ``the report never holds a raw NUL, so it prints on any terminal`` () =
    let text = report Output.Simple0 "gRPC mb:8081" [ Undeclared; Undeclared; Undeclared ]
    Expect.isTrue "no NUL" (not (text.Contains '\000'))
    Expect.isTrue "ends with a newline" (text.EndsWith "\n")

// ---- the verdict ----

/// What a HEAD may find: mostly sizes around the caps and 0, some failures.
let private heads =
    let failure =
        Gen.elements
            [ Download(AssetStatus("http://mb:8080/assets/x", 404))
              Download(AssetUnreachable("http://mb:8080/assets/x", "refused"))
              Download(RedirectRefused("http://mb:8080/assets/x", "file:///etc/passwd", "uses the file: scheme"))
              Download(AssetTimedOut("http://mb:8080/assets/x", "no answer within 30 s")) ]
    Gen.frequency
        [ 6, Gen.choose (1, 2000) |> Gen.map (int64 >> Declared)
          1, Gen.constant (Declared 0L)
          1, Gen.constant Undeclared
          1, failure |> Gen.map Failed ]
    |> Gen.listOfLength 3

let private limits = Gen.choose (1, 3000) |> Gen.map int64 |> Gen.two

/// The verdict worked out as a boot meets its failures: the kernel, then each initrd, in order.
let private expected (maxKernel: int64) (maxRamdisk: int64) (heads: Head list) =
    let offends (index: int) (head: Head) =
        let before =
            heads
            |> List.take index
            |> List.truncate index
            |> List.skip (min 1 index)
            |> List.sumBy (function
                | Declared b -> b
                | _ -> 0L)
        match index, head with
        | _, Failed error -> Some(code error)
        | _, Declared 0L -> Some "XMB-411"
        | 0, Declared b when b > maxKernel -> Some "XMB-405"
        | i, Declared b when i > 0 && before + b > maxRamdisk -> Some "XMB-405"
        | _ -> None
    heads |> List.mapi offends |> List.tryPick id

[<Property>]
let ``the verdict is the first failure a boot would meet, and Ok when there is none`` () =
    Prop.forAll (arb (Gen.zip heads limits)) (fun (heads, (maxKernel, maxRamdisk)) ->
        let report =
            { reportOf Output.Simple0 "gRPC mb:8081" heads with
                MaxKernelBytes = maxKernel
                MaxRamdiskBytes = maxRamdisk }
        let actual =
            verdict report
            |> Result.mapError code
            |> function
                | Ok() -> None
                | Error c -> Some c
        Expect.equal
            $"the verdict for %A{heads} under {maxKernel}/{maxRamdisk}"
            (expected maxKernel maxRamdisk heads)
            actual
        let printed = (render report).Contains "\nverdict:  a boot would fail: "
        Expect.equal "whether the report says the boot would fail" actual.IsSome printed)

[<Fact>]
let ``a declared 0 is the boot's empty-asset error, naming the URL and the file it would go into`` () =
    let report = reportOf Output.Simple0 "gRPC mb:8081" [ Declared 10L; Declared 5L; Declared 0L ]
    Expect.equal
        "the verdict"
        (Error(Download(AssetEmpty("http://mirror.example/rootfs.img", "ramdisk"))))
        (verdict report)

[<Fact>]
let ``initrds that fit one by one but not together are over the ramdisk cap at the one that crosses it`` () =
    let report =
        { reportOf Output.Simple0 "gRPC mb:8081" [ Declared 10L; Declared 600L; Declared 500L ] with
            MaxRamdiskBytes = 1000L }
    Expect.equal
        "the verdict"
        (Error(Download(AssetTooLarge("http://mirror.example/rootfs.img", "ramdisk", 1100L, 1000L))))
        (verdict report)

[<Fact>]
let ``a failed HEAD is shown on its asset's line and as the verdict`` () =
    let error = Download(AssetStatus("http://mb:8080/assets/fcos/kernel", 404))
    let text = report Output.Simple0 "gRPC mb:8081" [ Failed error; Declared 5L; Undeclared ]
    Expect.isTrue text (text.Contains "kernel:   http://mb:8080/assets/fcos/kernel (XMB-401: no usable answer)\n")
    Expect.isTrue
        text
        (text.Contains
            "\nverdict:  a boot would fail: XMB-401: GET http://mb:8080/assets/fcos/kernel answered HTTP 404\n")

[<Property>]
let ``an empty asset is refused whatever it is for, and only an empty one`` () =
    Prop.forAll
        (arb (Gen.zip (Gen.choose (0, 3) |> Gen.map int64) (Gen.elements [ "kernel"; "ramdisk" ])))
        (fun (bytes, what) ->
            match Transfer.checkNotEmpty "http://mb:8080/assets/x" what bytes with
            | Ok() -> Expect.isTrue $"{bytes} bytes accepted" (bytes > 0L)
            | Error error ->
                Expect.equal "the error" (Download(AssetEmpty("http://mb:8080/assets/x", what))) error
                Expect.equalText "XMB-411" (code error)
                Expect.equal "the exit status" 5 (exitCode error)
                Expect.isTrue $"{bytes} bytes refused" (bytes = 0L))

// ---- signatures ----

let private signer id mode : Trust.Signer =
    { KeyId = id
      Fingerprint = "89ABCDEF0123456789ABCDEF01234567" + id.Substring 8
      Primary = "89ABCDEF0123456789ABCDEF01234567" + id.Substring 8
      UserId = "matchbox <ops@example.com>"
      Mode = mode }

let private signedReport =
    let unsigned =
        reportOf
            Output.Simple0
            "HTTP http://mb:8080/ipxe?mac=52%3A54%3A00%3Aaa%3Abb%3Acc&os=installed"
            [ Declared 8388608L; Declared 67108864L; Declared 1024L ]
    let missing =
        Trust(
            SignatureMissing(
                Signed.Asset("initrd", "http://mirror.example/rootfs.img"),
                "http://mirror.example/rootfs.img.sig",
                404
            )
        )
    let vouching =
        [ Vouched(signer "0123456789ABCDEF" Trust.Binary)
          Vouched(signer "0123456789ABCDEF" Trust.Binary)
          Refused missing ]
    let fromHost key value line : Floor.Setting =
        { Key = key
          Value = value
          Named = $"{key} (/etc/xen/xenmatchbox.conf line {line})"
          Where = $"/etc/xen/xenmatchbox.conf line {line}" }
    { unsigned with
        Floor =
            [ fromHost "verify-assets" "required" 3
              fromHost "asset-key" "/etc/xen/matchbox.gpg" 4
              fromHost "lookup-key" "/etc/xen/matchbox.gpg" 5
              { Key = "lookup-max-age"; Value = "300"; Named = "the default"; Where = "the default" } ]
        LookupSigner = Some(signer "FEDCBA9876543210" Trust.Text)
        LookupAge =
            Some { SignedAt = DateTimeOffset(2026, 12, 2, 8, 59, 56, TimeSpan.Zero); Seconds = 4L; MaxSeconds = 300 }
        Assets =
            List.map2
                (fun (asset: AssetSize) signature -> { asset with Signature = signature })
                unsigned.Assets
                vouching }

[<Fact>]
let ``a verified dry run names the lookup's signer and each asset's, or why a boot would refuse it`` () =
    Expect.equalText (Golden.text "dry-run/verified.simple0.expected") (render signedReport)

[<Fact>]
let ``a signature a boot would refuse is the verdict`` () =
    match verdict signedReport with
    | Error error -> Expect.equal "code" "XMB-703" (code error)
    | Ok() -> Expect.fail "expected XMB-703"

// ---- show --json ----

[<Fact>]
let ``show --json of a gRPC dry run is the reviewed object`` () =
    Expect.equalText
        (Golden.text "dry-run/grpc.json.expected")
        (json (reportOf Output.Simple0 "gRPC mb:8081" [ Declared 8388608L; Declared 67108864L; Undeclared ]))

[<Fact>]
let ``show --json of a verified dry run names every signer, the refused signature and the verdict`` () =
    Expect.equalText (Golden.text "dry-run/verified.json.expected") (json signedReport)

[<Fact>]
let ``print gives the text report or the JSON one as asked`` () =
    Expect.equalText (render signedReport) (print TextReport signedReport)
    Expect.equalText (json signedReport) (print JsonReport signedReport)

/// Text a script must get back exactly: quotes, backslashes, every kind of control character
/// (NUL, tab, ESC, DEL), non-ASCII letters and a character outside the BMP (a surrogate pair).
let private awkward = textOf (safeAlphabet + "\000\001\b\t\n\012\r\027\031\127\u0085\u2028\"\\")

/// A JSON string's value; null where a string belongs fails the test.
let private stringOf (element: JsonElement) =
    match element.GetString() with
    | null -> failwith $"expected a string, found {element.ValueKind}"
    | text -> text

/// A failure whose cause quotes a server's text, control characters included.
let private failedWith (detail: string) =
    Failed(Download(AssetUnreachable("http://mb:8080/assets/x", detail)))

[<Property>]
let ``show --json parses as JSON and gives back the labels, args, causes and the exact output bytes`` () =
    let cases =
        Gen.zip3
            (Gen.zip labelSet (Gen.elements Output.formats))
            (Gen.zip3 (nonEmptyTextOf safeAlphabet) (Gen.optionOf awkward) awkward)
            heads
    Prop.forAll (arb cases) (fun ((pairs, format), (profileId, args, detail), heads) ->
        let labels = Expect.ok "labels" (Labels.fromLookups [ for key, value in pairs -> $"{key}={value}" ])
        let plain = reportOf format "gRPC mb:8081" heads
        // The output as it comes: libxl's format of these args where it can hold them, else raw
        // UTF-8 with the NUL separators simple0 uses.
        let output =
            match
                Output.render
                    format
                    { Kernel = plain.BootPlan.KernelPath; Ramdisk = plain.BootPlan.RamdiskPath; Args = args }
            with
            | Ok bytes -> bytes
            | Error _ -> Text.Encoding.UTF8.GetBytes $"args {defaultArg args String.Empty}\000\000"
        let report =
            { plain with
                Labels = labels
                BootPlan = { plain.BootPlan with ProfileId = profileId; CommandLine = args }
                Assets = { plain.Assets.Head with Head = failedWith detail } :: plain.Assets.Tail
                Output = output }
        use document = JsonDocument.Parse(json report)
        let root = document.RootElement
        let text (element: JsonElement) =
            if element.ValueKind = JsonValueKind.Null then None else Some(stringOf element)
        Expect.equal "format" 1 (root.GetProperty("format").GetInt32())
        Expect.equal "profile" profileId (stringOf (root.GetProperty "profile"))
        Expect.equal
            "labels, in order"
            pairs
            [ for label in root.GetProperty("labels").EnumerateObject() -> label.Name, stringOf label.Value ]
        Expect.equal "args" args (text (root.GetProperty "args"))
        let kernel = root.GetProperty("assets")[0]
        Expect.equal
            "the failed HEAD's cause"
            (cause (Download(AssetUnreachable("http://mb:8080/assets/x", detail))))
            (stringOf (kernel.GetProperty("head").GetProperty "cause"))
        Expect.equal
            "verdict"
            (verdict report |> Result.isOk)
            (root.GetProperty("verdict").GetProperty("ok").GetBoolean())
        let out = root.GetProperty "output"
        Expect.equal "output format" (Output.formatName format) (stringOf (out.GetProperty "format"))
        Expect.equal "output args" args (text (out.GetProperty "args"))
        Expect.equal
            "output bytes"
            (Array.toList output)
            (Array.toList (out.GetProperty("base64").GetBytesFromBase64()))
        Expect.equal "output text" (Text.Encoding.UTF8.GetString output) (stringOf (out.GetProperty "text")))

[<Fact>]
let ``a lone surrogate, which UTF-8 cannot carry, is written as U+FFFD and a surrogate pair as its character`` () =
    Expect.equalText "\"a\uFFFDb\uFFFD\"" (Json.quote "a\uD800b\uDC00")
    Expect.equalText "\"😀\"" (Json.quote "😀")
    Expect.equalText "\"\\u0000\\u001f\\u007f\\\"\\\\\\t\"" (Json.quote "\000\031\127\"\\\t")

/// The rows of README.md's table of show --json's keys.
let private readmeKeyRows () =
    let rec root (dir: IO.DirectoryInfo | null) =
        match dir with
        | null -> failwith "README.md and XenMatchbox.sln not found above the test directory"
        | dir when IO.File.Exists(IO.Path.Combine(dir.FullName, "XenMatchbox.sln")) -> dir.FullName
        | dir -> root dir.Parent
    IO.File.ReadAllLines(IO.Path.Combine(root (IO.DirectoryInfo AppContext.BaseDirectory), "README.md"))
    |> Array.skipWhile (fun line -> not (line.StartsWith "### `show --json`"))
    |> Array.takeWhile (fun line -> not (line.StartsWith "## "))
    |> Array.filter (fun line -> line.StartsWith "| ")
    |> String.concat "\n"

[<Fact>]
let ``every key show --json prints is documented in the README's table`` () =
    let rec keys (element: JsonElement) =
        match element.ValueKind with
        | JsonValueKind.Object ->
            [ for property in element.EnumerateObject() do
                  yield property.Name
                  // The labels' keys are the operator's, not the layout's.
                  if property.Name <> "labels" then yield! keys property.Value ]
        | JsonValueKind.Array ->
            [ for item in element.EnumerateArray() do
                  yield! keys item ]
        | _ -> []
    let failing = reportOf Output.Sxp "gRPC mb:8081" [ failedWith "refused"; Undeclared; Declared 1L ]
    let table = readmeKeyRows ()
    for report in [ signedReport; failing ] do
        use document = JsonDocument.Parse(json report)
        for key in keys document.RootElement |> List.distinct do
            Expect.isTrue
                $"the README's show --json table names '{key}'"
                (Regex.IsMatch(table, $@"[`"".]{key}[`"".,\[]"))
