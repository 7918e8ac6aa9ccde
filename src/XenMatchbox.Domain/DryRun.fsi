/// What a dry run (--not-really, or the show command) prints: everything a boot would do, with
/// nothing downloaded and nothing written.
module XenMatchbox.Domain.DryRun

open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output
open XenMatchbox.Domain.Plan

/// One asset of the plan, with the size its server declared to a HEAD request (None: not declared).
type AssetSize =
    { /// What the asset is for: "kernel" or "initrd".
      Role: string
      /// Where the asset would be downloaded from.
      Url: AssetUrl
      /// The size its server declared; None when it declared none.
      Bytes: int64 option }

/// The findings of a dry run.
type Report =
    { /// How the profile was found, e.g. "gRPC mb:8081" or "HTTP http://mb:8080/ipxe?mac=…".
      LookupVia: string
      /// The labels the profile was looked up by.
      Labels: Labels
      /// The plan a boot would carry out.
      Plan: BootPlan
      /// The kernel, then each initrd in order, with its declared size.
      Assets: AssetSize list
      /// The format the output is in.
      Format: OutputFormat
      /// The exact bytes libxl would read.
      Output: byte array }

/// The report as text, one fact per line; the output bytes are shown with each NUL as "\0".
val render: report: Report -> string
