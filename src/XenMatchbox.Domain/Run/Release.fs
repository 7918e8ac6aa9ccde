module XenMatchbox.Domain.Release

open System

type Release = { Version: string; Commit: string option }

let private isCommit (text: string) = text.Length >= 7 && text |> Seq.forall Uri.IsHexDigit

let ofInformationalVersion (informational: string) =
    match informational.Split('+', 2) with
    | [| version; commit |] when isCommit commit -> { Version = version; Commit = Some(commit.ToLowerInvariant()) }
    | parts -> { Version = parts[0]; Commit = None }

/// 12 hex digits name a commit unambiguously in any repository of this size, and stay readable.
let private shownDigits = 12

let commitShown release =
    match release.Commit with
    | Some commit when commit.Length > shownDigits -> "commit " + commit.Substring(0, shownDigits)
    | Some commit -> "commit " + commit
    | None -> "unknown commit"

let line release = $"xenmatchbox {release.Version} ({commitShown release})"

let bootLine release = $"version {release.Version} ({commitShown release})"
