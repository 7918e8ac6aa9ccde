/// The flag schema: one spec per Flag, every name parsing to its flag, --help listing every flag the
/// command line takes, and the environment and the configuration file setting exactly the flags the
/// spec allows there.
module FlagSpecTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open Microsoft.FSharp.Reflection
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Flags
open Generators

/// Every case of the union, found by reflection (the tests may; the program may not).
let private cases =
    FSharpType.GetUnionCases(typeof<Flag>, true)
    |> Array.map (fun c -> nonNull (FSharpValue.MakeUnion(c, [||], true)) :?> Flag)
    |> List.ofArray

[<Fact>]
let ``every Flag has exactly one spec entry in Flags.all`` () =
    for flag in cases do
        let count = all |> List.filter ((=) flag) |> List.length
        Expect.equal $"{(spec flag).Name} in Flags.all" 1 count
    Expect.equal "Flags.all has no other entries" cases.Length all.Length

[<Fact>]
let ``no name belongs to two flags, and each is a flag's own`` () =
    let every = all |> List.collect names
    Expect.equal "names" (List.distinct every) every
    for flag in all do
        Expect.isTrue $"{(spec flag).Name} has no name" (names flag <> [])
        for name in names flag do
            Expect.equal name (Some flag) (tryFind name)

/// A flag, one of its names and a mode it belongs to.
let private flagName =
    gen {
        let! flag = Gen.elements (all |> List.filter ((<>) Help))
        let! name = Gen.elements (names flag |> List.filter (fun n -> n.StartsWith "--"))
        let! mode = Gen.elements (spec flag).Modes
        return flag, name, mode
    }

/// A value as "--flag value" can carry it: not starting with "--".
let private value = safeText |> Gen.filter (fun v -> not (v.StartsWith "--"))

let private scanned mode (argv: string list) =
    let disk = if mode = Bootloader then [ "/dev/vg0/guest" ] else []
    Argv.scan mode (List.toArray (argv @ disk))

[<Property(MaxTest = 200)>]
let ``every name and alias parses to its flag as --flag value and as --flag=value`` () =
    Prop.forAll (arb (Gen.zip flagName value)) (fun ((flag, name, mode), v) ->
        match (spec flag).Value with
        | Some _ ->
            let twoWords = scanned mode [ name; v ] |> Expect.ok $"{name} {v}"
            let oneWord = scanned mode [ $"{name}={v}" ] |> Expect.ok $"{name}={v}"
            Expect.equal $"{name} {v}" [ v ] (twoWords.All flag)
            Expect.equal $"{name}={v}" [ v ] (oneWord.All flag)
        | None ->
            Expect.isTrue $"{name} is set" ((scanned mode [ name ] |> Expect.ok name).Has flag)
            match scanned mode [ $"{name}={v}" ] with
            | Error(CommandLine(CommandLineRejected reason)) -> Expect.isTrue reason (reason.Contains "takes no value")
            | other -> Expect.fail $"{name}={v}: expected CommandLineRejected, got %A{other}")

[<Fact>]
let ``--help lists every flag the command line takes, with all its names`` () =
    for flag in all |> List.filter (settableIn OnCommandLine) do
        let line = Usage.line flag
        Expect.isTrue $"--help lacks {Expect.escaped line}" (Usage.text.Contains line)
        for name in names flag do
            Expect.isTrue $"{Expect.escaped line} lacks {name}" (line.Contains name)
    Expect.isTrue "every flag can be given on the command line" (all |> List.forall (settableIn OnCommandLine))

[<Fact>]
let ``--help names the operator's flags that the configuration file cannot set`` () =
    let text = Expect.unwrapped Usage.text
    let paragraph = text.Substring(text.IndexOf "CONFIGURATION:")
    let sentence = paragraph.Substring(0, paragraph.IndexOf " can also")
    for flag in all |> List.filter (fun f -> not (spec f).FromLibxl && f <> Help && f <> Version) do
        Expect.equal
            $"{(spec flag).Name} named"
            (not (settableIn InConfigFile flag))
            (sentence.Contains((spec flag).Name))

/// A value each flag's kind accepts in the file and the environment.
let private layerValue flag = if (spec flag).Value.IsSome then "/srv/x" else "true"

[<Fact>]
let ``the configuration file's keys are the spec entries allowed in the file`` () =
    for flag in all do
        for key in keys flag do
            match
                Layers.fileLayer "/etc/xen/xenmatchbox.conf" $"{key} = {layerValue flag}", settableIn InConfigFile flag
            with
            | Ok [ (found, _, _) ], true -> Expect.equal key flag found
            | Error(CommandLine(ConfigRejected(_, 1, reason))), false ->
                Expect.isTrue reason (reason.Contains "cannot be set in the configuration file")
            | other, allowed -> Expect.fail $"{key} (allowed: {allowed}): got %A{other}"

[<Fact>]
let ``the environment's variables are the spec entries allowed there`` () =
    for flag in all do
        let name = variable flag
        let env n = if n = name then Some(layerValue flag) else None
        match Layers.environmentLayer env [ name ], settableIn InEnvironment flag with
        | Ok [ (found, _, _) ], true -> Expect.equal name flag found
        | Error(CommandLine(ConfigRejected(variable, 0, _))), false -> Expect.equal "variable" name variable
        | other, allowed -> Expect.fail $"{name} (allowed: {allowed}): got %A{other}"

let private boot extra =
    [ "--output=/var/lib/xen/bootloader.7.out"
      "--output-directory=/var/lib/xen/bootloader.7.d"
      "--server=mb"
      "--lookup=mac=52:54:00:aa:bb:cc" ]
    @ extra
    @ [ "/dev/vg0/guest" ]

/// The settings that have defaults (the lookup is not compared: it has no structural equality).
let private defaultedOf argv =
    match CommandLine.parse (fun _ -> None) (List.toArray argv) with
    | Ok(CommandLine.Run s) -> s.Server, s.Limits, s.Cache, s.OutputFormat
    | other -> Expect.fail $"expected settings, got %A{other}"

/// --help shows "(default: 1G, Xen's own limit)": the value is the text before any comma.
[<Theory>]
[<InlineData("--httpport")>]
[<InlineData("--grpcport")>]
[<InlineData("--output-format")>]
[<InlineData("--timeout")>]
[<InlineData("--connect-timeout")>]
[<InlineData("--read-timeout")>]
[<InlineData("--max-kernel-size")>]
[<InlineData("--max-ramdisk-size")>]
[<InlineData("--cache-dir")>]
[<InlineData("--cache-size")>]
let ``a default --help shows is the one parsing uses`` (name: string) =
    let flag = (tryFind name).Value
    let shown = (spec flag).Default.Value.Split(',')[0]
    Expect.equal $"{name}={shown}" (defaultedOf (boot [])) (defaultedOf (boot [ $"{name}={shown}" ]))
    Expect.isTrue $"--help shows {shown}" ((Expect.unwrapped Usage.text).Contains $"(default: {shown}")
