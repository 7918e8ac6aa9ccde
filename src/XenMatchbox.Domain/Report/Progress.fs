module internal XenMatchbox.Domain.Progress

open System
open System.Globalization

[<Literal>]
let NameWidth = 8

[<Literal>]
let private SizeWidth = 10

[<Literal>]
let private RateWidth = 12

[<Literal>]
let private EtaWidth = 8

[<Literal>]
let LineWidth = 60 // NameWidth + 1 + SizeWidth + 3 + SizeWidth + 2 + RateWidth + 2 + 4 + EtaWidth

let private invariant (format: string) (value: IFormattable) = value.ToString(format, CultureInfo.InvariantCulture)

let private size = ByteSize.iec

/// Elapsed seconds that can be shown and divided by: finite and not negative (-0 becomes 0).
let private knownElapsed (seconds: float) =
    if Double.IsFinite seconds && seconds >= 0.0 then Some(if seconds = 0.0 then 0.0 else seconds) else None

/// Bytes per second, when some time has elapsed (infinite when that time is too small to divide by).
let private rate (bytes: int64) (seconds: float) =
    match knownElapsed seconds with
    | Some elapsed when elapsed > 0.0 -> Some(float (max 0L bytes) / elapsed)
    | _ -> None

/// A rate for people, clamped to what an int64 holds.
let private rateText (perSecond: float) =
    let bytes = if perSecond >= 9.2e18 then Int64.MaxValue else int64 (Math.Round perSecond)
    size bytes + "/s"

let private eta (seconds: float) =
    if seconds < 59.95 then
        invariant "0.0" (Math.Round(seconds, 1, MidpointRounding.AwayFromZero)) + " s"
    elif seconds < 359999.5 then
        let whole = int64 (Math.Round(seconds, MidpointRounding.AwayFromZero))
        let hours, minutes, secs = whole / 3600L, whole % 3600L / 60L, whole % 60L
        let two value = invariant "00" value
        if hours > 0L then
            invariant "0" hours + ":" + two minutes + ":" + two secs
        else
            invariant "0" minutes + ":" + two secs
    else
        ">99 h"

let line (name: string) (received: int64) (total: int64 option) (elapsedSeconds: float) =
    let received = max 0L received
    let total = total |> Option.filter (fun t -> t >= 0L)
    let perSecond = rate received elapsedSeconds
    let totalText =
        match total with
        | Some t -> " / " + (size t).PadLeft SizeWidth
        | None -> String(' ', 3 + SizeWidth)
    let shownRate = perSecond |> Option.map rateText |> Option.defaultValue ""
    let etaText =
        match total, perSecond with
        | Some t, Some r when r > 0.0 && received <= t -> "ETA " + (eta (float (t - received) / r)).PadRight EtaWidth
        | _ -> String(' ', 4 + EtaWidth)
    (name.PadRight NameWidth
     + " "
     + (size received).PadLeft SizeWidth
     + totalText
     + "  "
     + shownRate.PadLeft RateWidth
     + "  "
     + etaText)
        .PadRight
        LineWidth

let summary (name: string) (bytes: int64) (elapsedSeconds: float) (fromCache: bool) =
    if fromCache then
        $"{name} {size bytes} from the cache (not modified)"
    else
        let seconds elapsed = invariant "0.00" elapsed
        match knownElapsed elapsedSeconds, rate bytes elapsedSeconds with
        | Some elapsed, Some r -> $"{name} {size bytes} in {seconds elapsed} s ({rateText r})"
        | Some elapsed, None -> $"{name} {size bytes} in {seconds elapsed} s"
        | None, _ -> $"{name} {size bytes}"

let verified (summary: string) signers =
    match Trust.verifiedNote signers with
    | "" -> summary
    | note -> $"{summary}, {note}"
