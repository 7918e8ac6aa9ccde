module XenMatchbox.Domain.DryRun

open System
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output
open XenMatchbox.Domain.Plan

type AssetSize =
    { Role: string
      Url: AssetUrl
      Bytes: int64 option }

type Report =
    { LookupVia: string
      Labels: Labels
      Plan: BootPlan
      Assets: AssetSize list
      Format: OutputFormat
      Output: byte array }

let private formatName format =
    match format with
    | Simple0 -> "simple0"
    | Simple -> "simple"
    | Sxp -> "sxp"

let private size (bytes: int64 option) =
    match bytes with
    | Some b -> String.Format(Globalization.CultureInfo.InvariantCulture, "{0} bytes", b)
    | None -> "size not declared"

let render (report: Report) =
    let shown =
        Text.Encoding.UTF8.GetString report.Output
        |> String.collect (fun c -> if c = '\000' then "\\0" else string c)
    let total = report.Assets |> List.sumBy (fun a -> defaultArg a.Bytes 0L)
    [ yield $"profile:  {report.Plan.ProfileId}"
      yield $"labels:   {display report.Labels}"
      yield $"lookup:   {report.LookupVia}"
      for asset in report.Assets do
          let role = asset.Role + ":"
          yield $"{role,-9} {asset.Url.Shown} ({size asset.Bytes})"
      let undeclared = report.Assets |> List.filter (fun a -> a.Bytes.IsNone) |> List.length
      yield
          match undeclared with
          | 0 -> String.Format(Globalization.CultureInfo.InvariantCulture, "download: {0} bytes in all; nothing was downloaded", total)
          | n -> String.Format(Globalization.CultureInfo.InvariantCulture, "download: {0} bytes and {1} of undeclared size; nothing was downloaded", total, n)
      yield $"""args:     {defaultArg report.Plan.CommandLine "(none)"}"""
      yield $"output:   {formatName report.Format}, as libxl would read it (nothing was written):"
      yield shown.TrimEnd '\n' ]
    |> List.map (fun line -> line + "\n")
    |> String.concat ""
