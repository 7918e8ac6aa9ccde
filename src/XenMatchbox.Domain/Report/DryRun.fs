module internal XenMatchbox.Domain.DryRun

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output
open XenMatchbox.Domain.Profile

type Head =
    | Declared of bytes: int64
    | Undeclared
    | Failed of error: BootError

type Vouching =
    | Unchecked
    | Vouched of signer: Trust.Signer
    | Refused of error: BootError

[<RequireQualifiedAccess>]
type Probed =
    | Kernel
    | Initrd

let probedName =
    function
    | Probed.Kernel -> "kernel"
    | Probed.Initrd -> "initrd"

type AssetSize = { Role: Probed; Url: AssetUrl; Head: Head; Signature: Vouching }

type Report =
    { Release: Release.Release
      LookupVia: string
      LookupSigner: Trust.Signer option
      LookupAge: Trust.Age option
      Labels: Labels
      Floor: Floor.Setting list
      BootPlan: BootPlan
      Assets: AssetSize list
      MaxKernelBytes: int64
      MaxRamdiskBytes: int64
      Format: OutputFormat
      Output: byte array }

let verdict (report: Report) =
    // ramdisk: the declared bytes of the initrds before this asset.
    let rec check (ramdisk: int64) (assets: AssetSize list) =
        match assets with
        | [] -> Ok()
        | asset :: rest ->
            let isKernel = asset.Role = Probed.Kernel
            let what, limit, before =
                if isKernel then "kernel", report.MaxKernelBytes, 0L else "ramdisk", report.MaxRamdiskBytes, ramdisk
            match asset.Head, asset.Signature with
            | Failed error, _
            | _, Refused error -> Error error
            | Undeclared, _ -> check ramdisk rest
            | Declared bytes, _ ->
                Transfer.checkNotEmpty asset.Url.Shown what bytes
                |> Result.bind (fun () -> Transfer.checkSize asset.Url.Shown what limit (before + bytes))
                |> Result.bind (fun () -> check (if isKernel then ramdisk else ramdisk + bytes) rest)
    check 0L report.Assets

let private invariant (format: string) (args: obj array) =
    String.Format(Globalization.CultureInfo.InvariantCulture, format, args)

let private head (found: Head) =
    match found with
    | Declared bytes -> ByteSize.iec bytes
    | Undeclared -> "size not declared"
    | Failed error -> $"{code error}: no usable answer"

/// Control characters (from a server's text) shown as '?', so the report stays one fact a line.
let private oneLine (text: string) = Text.printable text

let private mode (signer: Trust.Signer) =
    match signer.Mode with
    | Trust.Binary -> "binary"
    | Trust.Text -> "text"

let private signedBy (signer: Trust.Signer) =
    oneLine $"{Trust.describe signer}, fingerprint {signer.Fingerprint}, {mode signer} signature"

/// How old the lookup's signature is, against --lookup-max-age.
let private ageLine (age: Trust.Age) =
    let at = Trust.instantText age.SignedAt
    if age.Seconds < 0L then
        invariant
            "{0} s ahead of dom0's clock ({1}), within the {2} s allowed for clocks that drift"
            [| -age.Seconds; at; Trust.ClockSkewSeconds |]
    else
        invariant "{0} s before dom0's clock ({1}), within --lookup-max-age {2} s" [| age.Seconds; at; age.MaxSeconds |]

/// The line under an asset that says what its signature would do.
let private vouching (asset: AssetSize) =
    let at = (Trust.signatureUrl asset.Url).Shown
    match asset.Signature with
    | Unchecked -> None
    | Vouched signer -> Some $"          {at}: {signedBy signer}; the bytes are checked as a boot downloads them"
    | Refused error -> Some(oneLine $"          {at}: a boot would refuse it: {code error}: {cause error}")

/// The bytes the HEAD answers declared, all assets together.
let private declaredBytes (report: Report) =
    report.Assets
    |> List.sumBy (fun a ->
        match a.Head with
        | Declared b -> b
        | _ -> 0L)

let render (report: Report) =
    let shown =
        Text.Encoding.UTF8.GetString report.Output |> String.collect (fun c -> if c = '\000' then "\\0" else string c)
    let declared = declaredBytes report
    [ yield $"version:  {report.Release.Version} ({Release.commitShown report.Release})"
      yield $"profile:  {report.BootPlan.ProfileId}"
      yield $"labels:   {display report.Labels}"
      if not report.Floor.IsEmpty then
          let fixedSettings =
              report.Floor |> List.map (fun s -> $"{s.Key} = {s.Value} ({s.Where})") |> String.concat ", "
          yield oneLine $"floor:    {fixedSettings}; bootloader_args may tighten these, never weaken them"
      yield $"lookup:   {report.LookupVia}"
      match report.LookupSigner with
      | Some signer -> yield $"          verified: {signedBy signer}"
      | None -> ()
      match report.LookupAge with
      | Some age -> yield $"          signed:   {ageLine age}"
      | None -> ()
      for asset in report.Assets do
          let role = probedName asset.Role + ":"
          yield $"{role, -9} {asset.Url.Shown} ({head asset.Head})"
          match vouching asset with
          | Some line -> yield line
          | None -> ()
      let undeclared = report.Assets |> List.filter (fun a -> a.Head = Undeclared) |> List.length
      yield
          match undeclared with
          | 0 -> $"download: {ByteSize.iec declared} in all; nothing was downloaded"
          | n ->
              invariant
                  "download: {0} and {1} of undeclared size; nothing was downloaded"
                  [| ByteSize.iec declared; n |]
      match verdict report with
      | Ok() -> ()
      | Error error -> yield oneLine $"verdict:  a boot would fail: {code error}: {cause error}"
      yield $"""args:     {defaultArg report.BootPlan.CommandLine "(none)"}"""
      yield $"output:   {formatName report.Format}, as libxl would read it (nothing was written):"
      yield shown.TrimEnd '\n' ]
    |> List.map (fun line -> line + "\n")
    |> String.concat ""

[<Literal>]
let JsonFormat = 1

let private signerJson (signer: Trust.Signer) =
    Json.Object
        [ "keyId", Json.String signer.KeyId
          "fingerprint", Json.String signer.Fingerprint
          "primaryFingerprint", Json.String signer.Primary
          "userId", Json.String signer.UserId
          "mode", Json.String(mode signer) ]

let private ageJson (age: Trust.Age) =
    Json.Object
        [ "signedAt",
          Json.String(
              age.SignedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Globalization.CultureInfo.InvariantCulture)
          )
          "seconds", Json.Number age.Seconds
          "maxSeconds", Json.Number(int64 age.MaxSeconds) ]

/// An error as scripts see it: the code, the cause, and the exit status a boot would end with.
let private errorJson (error: BootError) =
    [ "code", Json.String(code error)
      "cause", Json.String(cause error)
      "exitStatus", Json.Number(int64 (exitCode error)) ]

let private headJson (found: Head) =
    match found with
    | Declared bytes -> Json.Object [ "status", Json.String "declared"; "bytes", Json.Number bytes ]
    | Undeclared -> Json.Object [ "status", Json.String "undeclared" ]
    | Failed error -> Json.Object(("status", Json.String "failed") :: errorJson error)

let private signatureJson (asset: AssetSize) =
    let at = "url", Json.String (Trust.signatureUrl asset.Url).Shown
    match asset.Signature with
    | Unchecked -> Json.Object [ "status", Json.String "unchecked" ]
    | Vouched signer -> Json.Object [ "status", Json.String "vouched"; at; "signer", signerJson signer ]
    | Refused error -> Json.Object(("status", Json.String "refused") :: at :: errorJson error)

/// "gRPC mb:8081" or "HTTP http://…" (Boot.describeRoute) as its protocol and endpoint.
let private lookupJson (report: Report) =
    let protocol, endpoint =
        match report.LookupVia.IndexOf ' ' with
        | -1 -> "", report.LookupVia
        | space -> report.LookupVia.Substring(0, space), report.LookupVia.Substring(space + 1)
    Json.Object
        [ "protocol", Json.String protocol
          "endpoint", Json.String endpoint
          "signer", report.LookupSigner |> Option.map signerJson |> Option.defaultValue Json.Null
          "age", report.LookupAge |> Option.map ageJson |> Option.defaultValue Json.Null ]

let private optional (text: string option) =
    text |> Option.map Json.String |> Option.defaultValue Json.Null

let json (report: Report) =
    let declared = declaredBytes report
    let undeclared = report.Assets |> List.filter (fun a -> a.Head = Undeclared) |> List.length
    Json.Object
        [ "format", Json.Number(int64 JsonFormat)
          "version", Json.String report.Release.Version
          "commit", optional report.Release.Commit
          "profile", Json.String report.BootPlan.ProfileId
          "labels", Json.Object(toPairs report.Labels |> List.map (fun (key, value) -> key, Json.String value))
          "floor",
          Json.Array
              [ for s in report.Floor ->
                    Json.Object
                        [ "setting", Json.String s.Key; "value", Json.String s.Value; "source", Json.String s.Where ] ]
          "lookup", lookupJson report
          "assets",
          Json.Array
              [ for asset in report.Assets ->
                    Json.Object
                        [ "role", Json.String(probedName asset.Role)
                          "url", Json.String asset.Url.Shown
                          "head", headJson asset.Head
                          "signature", signatureJson asset ] ]
          "download", Json.Object [ "declaredBytes", Json.Number declared; "undeclared", Json.Number(int64 undeclared) ]
          "verdict",
          (match verdict report with
           | Ok() -> Json.Object [ "ok", Json.Bool true ]
           | Error error -> Json.Object(("ok", Json.Bool false) :: errorJson error))
          "args", optional report.BootPlan.CommandLine
          "output",
          Json.Object
              [ "format", Json.String(formatName report.Format)
                "kernel", Json.String report.BootPlan.KernelPath
                "ramdisk", optional report.BootPlan.RamdiskPath
                "args", optional report.BootPlan.CommandLine
                "base64", Json.String(Convert.ToBase64String report.Output)
                "text", Json.String(Text.Encoding.UTF8.GetString report.Output) ] ]
    |> Json.render
    |> fun text -> text + "\n"

type ReportFormat =
    | TextReport
    | JsonReport

let print format report =
    match format with
    | TextReport -> render report
    | JsonReport -> json report
