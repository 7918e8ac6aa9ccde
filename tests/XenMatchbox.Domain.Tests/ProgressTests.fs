/// The progress display's text: exact examples, and properties over any numbers (zero, negative,
/// NaN, infinite, huge) so no line ever shows NaN, infinity or a negative, keeps its width while
/// a download runs, and counts its ETA down.
module ProgressTests

open System
open System.Globalization
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain

let private KiB = 1024L
let private MiB = 1024L * KiB
let private GiB = 1024L * MiB

// ---- examples ----

[<Fact>]
let ``a line with a total, a rate and an ETA`` () =
    // 12 MiB of 64 MiB at 187.3 MiB/s: 52 MiB to go, 0.28 s.
    let line = Progress.line "kernel" (12L * MiB) (Some(64L * MiB)) (12.0 / 187.3)
    Expect.equalText "kernel     12.0 MiB /   64.0 MiB     187 MiB/s  ETA 0.3 s   " line

[<Fact>]
let ``a line without a total shows received and rate only`` () =
    let line = Progress.line "ramdisk" (300L * MiB) None 2.0
    Expect.equalText ("ramdisk     300 MiB" + String(' ', 16) + "  150 MiB/s" + String(' ', 14)) line

[<Fact>]
let ``a line before any time has elapsed shows no rate and no ETA`` () =
    let line = Progress.line "kernel" 0L (Some(64L * MiB)) 0.0
    Expect.equalText ("kernel          0 B /   64.0 MiB" + String(' ', 28)) line

[<Fact>]
let ``long ETAs in minutes, hours, and beyond 99 hours`` () =
    let etaOf (seconds: float) =
        // 1 byte/s, so the ETA is the bytes to go
        let line = Progress.line "k" 1L (Some(1L + int64 seconds)) 1.0
        line.Substring(line.IndexOf "ETA " + 4).TrimEnd()
    Expect.equalText "59.0 s" (etaOf 59.0)
    Expect.equalText "1:00" (etaOf 60.0)
    Expect.equalText "59:59" (etaOf 3599.0)
    Expect.equalText "1:00:00" (etaOf 3600.0)
    Expect.equalText "99:59:59" (etaOf 359999.0)
    Expect.equalText ">99 h" (etaOf 360000.0)

[<Fact>]
let ``summaries`` () =
    Expect.equalText "kernel 8.0 MiB in 0.05 s (160 MiB/s)" (Progress.summary "kernel" (8L * MiB) 0.05 false)
    Expect.equalText "kernel 8.0 MiB from the cache (not modified)" (Progress.summary "kernel" (8L * MiB) 0.05 true)
    Expect.equalText "kernel 8.0 MiB in 0.00 s" (Progress.summary "kernel" (8L * MiB) 0.0 false)
    Expect.equalText "kernel 8.0 MiB in 0.00 s" (Progress.summary "kernel" (8L * MiB) -0.0 false)
    Expect.equalText "ramdisk 0 B in 1.00 s (0 B/s)" (Progress.summary "ramdisk" 0L 1.0 false)
    Expect.equalText "ramdisk 1.0 KiB" (Progress.summary "ramdisk" KiB nan false)

[<Fact>]
let ``numbers ignore the machine's locale`` () =
    let saved = CultureInfo.CurrentCulture
    try
        // A culture that writes decimal commas and another minus sign (the tests run without ICU).
        let culture = CultureInfo.InvariantCulture.Clone() :?> CultureInfo
        culture.NumberFormat.NumberDecimalSeparator <- ","
        culture.NumberFormat.NegativeSign <- "−"
        CultureInfo.CurrentCulture <- culture
        Expect.equalText "1.5 KiB" (ByteSize.iec 1536L)
        Expect.equalText "kernel 8.0 MiB in 0.05 s (160 MiB/s)" (Progress.summary "kernel" (8L * MiB) 0.05 false)
    finally
        CultureInfo.CurrentCulture <- saved

// ---- properties ----

let private anyBytes =
    Gen.oneof
        [ Gen.elements [ 0L; 1L; -1L; 1023L; 1024L; MiB - 1L; GiB; Int64.MaxValue; Int64.MinValue ]
          ArbMap.defaults |> ArbMap.generate<int64>
          Gen.choose (0, Int32.MaxValue) |> Gen.map (fun n -> int64 n * 4096L) ]

let private anySeconds =
    Gen.oneof
        [ Gen.elements [ 0.0; -0.0; -1.0; nan; infinity; -infinity; Double.Epsilon; Double.MaxValue; 1e-300; 0.05 ]
          ArbMap.defaults |> ArbMap.generate<NormalFloat> |> Gen.map float ]

let private anyInputs =
    gen {
        let! received = anyBytes
        let! total = Gen.optionOf anyBytes
        let! seconds = anySeconds
        let! fromCache = Gen.elements [ false; true ]
        return received, total, seconds, fromCache
    }

let private wellFormed (text: string) =
    not (
        text.Contains "NaN" || text.Contains "∞" || text.Contains "Infinity" || text.Contains '-' || text.Contains "E+"
    )

[<Property>]
let ``no input shows as NaN, infinity or a negative`` () =
    Prop.forAll (Generators.arb anyInputs) (fun (received, total, seconds, fromCache) ->
        for text in
            [ ByteSize.iec received
              Progress.line "kernel" received total seconds
              Progress.summary "kernel" received seconds fromCache ] do
            Expect.isTrue $"{Expect.escaped text} from %A{(received, total, seconds)}" (wellFormed text))

/// A download in progress, at any size and rate, or before any time elapsed.
let private running =
    gen {
        let! received = Gen.choose64 (0L, Int64.MaxValue / 2L)
        let! total = Gen.optionOf (Gen.choose64 (0L, Int64.MaxValue / 2L))
        let! rate = Gen.choose64 (1L, Int64.MaxValue / 2L) |> Gen.map float
        let! seconds =
            Gen.oneof
                [ Gen.constant 0.0; Gen.constant (float received / rate); Gen.choose (1, 1000000) |> Gen.map float ]
        let! name = Gen.elements [ "kernel"; "ramdisk"; "initrd 2"; "k" ]
        return name, received, total, seconds
    }

[<Property>]
let ``every line of a download has the same width, so each overwrites the last`` () =
    Prop.forAll (Generators.arb running) (fun (name, received, total, seconds) ->
        let line = Progress.line name received total seconds
        Expect.equal $"width of {Expect.escaped line}" Progress.LineWidth line.Length)

/// The ETA of a line in seconds; None when it shows none.
let private etaSeconds (line: string) =
    match line.IndexOf "ETA " with
    | -1 -> None
    | at ->
        let text = line.Substring(at + 4).TrimEnd()
        if text = ">99 h" then Some infinity
        elif text.EndsWith " s" then Some(Double.Parse(text.[.. text.Length - 3], CultureInfo.InvariantCulture))
        else text.Split ':' |> Array.map float |> Array.fold (fun total part -> total * 60.0 + part) 0.0 |> Some

[<Property>]
let ``at a constant rate the ETA counts down`` () =
    let download =
        gen {
            let! rate = Gen.choose (1, 1000000000) |> Gen.map int64
            let! total = Gen.choose64 (1L, 1024L * GiB)
            let! points = Gen.listOfLength 20 (Gen.choose64 (1L, total)) |> Gen.map List.sort
            return rate, total, points
        }
    Prop.forAll (Generators.arb download) (fun (rate, total, points) ->
        let etas =
            points
            |> List.map (fun received ->
                let line = Progress.line "kernel" received (Some total) (float received / float rate)
                etaSeconds line |> Option.defaultWith (fun () -> Expect.fail $"no ETA in {Expect.escaped line}"))
        etas
        |> List.pairwise
        |> List.iter (fun (before, after) ->
            Expect.isTrue $"ETA went up from {before} to {after} in %A{etas}" (after <= before)))
