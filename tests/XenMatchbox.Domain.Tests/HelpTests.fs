/// The help an operator reads: the whole of it and a page per command, each a reviewed golden file
/// (golden/help/), every line within 80 columns, libxl's own flags last in a group of their own;
/// help, -V and the version answered whatever else argv lacks; help NOSUCH a one-line error.
module HelpTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Flags
open Generators

/// Every help text, by its golden file's name.
let private pages =
    ("xenmatchbox", Usage.text) :: (Usage.commands |> List.map (fun c -> Usage.commandName c, Usage.commandText c))

let private parsed (argv: string list) = CommandLine.parse (fun _ -> None) (List.toArray argv)

[<Fact>]
let ``the whole help and each command's page are the reviewed ones`` () =
    for name, text in pages do
        Expect.equalText (Golden.text $"help/{name}.expected") text

[<Fact>]
let ``no help line is wider than 80 columns`` () =
    Expect.equal "Width" 80 Usage.Width
    for name, text in pages do
        for line in text.Split '\n' do
            Expect.isTrue $"{name}: {line.Length} columns: {Expect.escaped line}" (line.Length <= Usage.Width)
            Expect.isTrue $"{name}: trailing space: {Expect.escaped line}" (not (line.EndsWith " "))

[<Fact>]
let ``libxl's flags come last, in a group of their own, after every flag the operator types`` () =
    let lines = Usage.text.Split '\n' |> List.ofArray
    let heading = lines |> List.findIndex (fun l -> l.StartsWith "FLAGS LIBXL PASSES (you do not type these")
    // A flag's entry: its names (", " between them, " <value>" after) at two spaces.
    let at (flag: Flag) =
        let name = (spec flag).Name
        lines
        |> List.findIndex (fun l ->
            l.StartsWith "  -"
            && (l.Substring(2).Split("  ").[0].Split([| ", "; " <" |], StringSplitOptions.None) |> Array.contains name))
    for flag in all do
        if (spec flag).FromLibxl then
            Expect.isTrue $"{(spec flag).Name} is under libxl's heading" (at flag > heading)
        else
            Expect.isTrue $"{(spec flag).Name} is before libxl's heading" (at flag < heading)
    Expect.isTrue
        "the disk is under libxl's heading"
        (lines |> List.findIndex (fun l -> l.StartsWith "  <disk>") > heading)

[<Fact>]
let ``each command's page says what it does, its usage, its flags and an example`` () =
    for command in Usage.commands do
        let name = Usage.commandName command
        let text = Usage.commandText command
        Expect.isTrue $"{name}: first line" (text.StartsWith $"xenmatchbox {name}: ")
        Expect.isTrue $"{name}: usage" (text.Contains "\nUSAGE: xenmatchbox")
        Expect.isTrue $"{name}: example" (text.Contains "\nEXAMPLE:\n  ")
    for command, flag in
        [ Usage.Stage, Dir; Usage.Show, Json; Usage.Boot, NotReally; Usage.Check, Server; Usage.Boot, Output ] do
        Expect.isTrue
            $"{Usage.commandName command} describes {(spec flag).Name}"
            ((Usage.commandText command).Contains(Usage.line flag))

[<Fact>]
let ``every flag a command takes is named on its page`` () =
    for command, mode in
        [ Usage.Boot, Bootloader; Usage.Show, ShowMode; Usage.Stage, StageMode; Usage.Check, CheckMode ] do
        let text = Expect.unwrapped (Usage.commandText command)
        for flag in all |> List.filter (fun f -> List.contains mode (spec f).Modes && f <> Help && f <> Version) do
            Expect.isTrue $"{Usage.commandName command} names {(spec flag).Name}" (text.Contains((spec flag).Name))

[<Theory>]
[<InlineData("help", "")>]
[<InlineData("--help", "")>]
[<InlineData("-h", "")>]
[<InlineData("help boot", "boot")>]
[<InlineData("help show", "show")>]
[<InlineData("show --help", "show")>]
[<InlineData("help stage", "stage")>]
[<InlineData("stage --dir=x -h", "stage")>]
[<InlineData("help check", "check")>]
[<InlineData("check --help", "check")>]
[<InlineData("check --server=mb --lookup=a=b --help", "check")>]
[<InlineData("help help", "help")>]
[<InlineData("help --help", "help")>]
[<InlineData("help version", "version")>]
[<InlineData("version --help", "version")>]
[<InlineData("--output=/x --lookup=a=b --help /dev/vg0/guest", "")>]
let ``help and --help give the whole help or the command's page`` (argv: string, page: string) =
    let expected = if page = "" then Usage.text else Usage.commandText (Usage.tryTopic page).Value
    match parsed (argv.Split ' ' |> List.ofArray) with
    | Ok(CommandLine.ShowHelp text) -> Expect.equalText expected text
    | other -> Expect.fail $"{argv}: got %A{other}"

[<Theory>]
[<InlineData("-V")>]
[<InlineData("--version")>]
[<InlineData("version")>]
[<InlineData("show -V")>]
[<InlineData("check --version")>]
[<InlineData("--output=/x --server=mb -V /dev/vg0/guest")>]
[<InlineData("version --server")>]
let ``-V, --version and version print the version whatever else is missing`` (argv: string) =
    match parsed (argv.Split ' ' |> List.ofArray) with
    | Ok CommandLine.ShowVersion -> ()
    | other -> Expect.fail $"{argv}: got %A{other}"

[<Theory>]
[<InlineData("nosuch")>]
[<InlineData("show stage")>]
[<InlineData("--server")>]
let ``help with no such command is XMB-120, one line naming the commands`` (words: string) =
    let error = Expect.error words (parsed ("help" :: (words.Split ' ' |> List.ofArray)))
    Expect.equalText "XMB-120" (code error)
    Expect.equal "exit status" 2 (exitCode error)
    let line = describe error
    Expect.isTrue line (not (line.Contains '\n'))
    Expect.isTrue line (line.Contains $"'{words}'")
    Expect.isTrue line (line.Contains "boot, show, stage, check, help and version")

[<Fact>]
let ``help's commands are the words argv takes, and boot`` () =
    let words = Argv.commands |> List.map fst
    for word in words do
        Expect.isTrue $"{word} has a page" (Usage.tryCommandWord word).IsSome
    Expect.equal "boot is no command word" None (Usage.tryCommandWord "boot")
    Expect.equal "help" (Some Usage.HelpCommand) (Usage.tryCommandWord "help")
    Expect.equal "version" (Some Usage.VersionCommand) (Usage.tryCommandWord "version")

/// Words as help's descriptions have them: no spaces, 1 to 30 characters.
let private words =
    Gen.elements [ "a"; "flag"; "--output-directory"; "(default:"; "52:54:00:aa:bb:cc;"; String('x', 30) ] |> Gen.listOf

[<Property>]
let ``wrapping keeps every word in order, within the width, with a hanging indent`` () =
    Prop.forAll (arb (Gen.zip words (Gen.choose (0, 40)))) (fun (words, indent) ->
        let lines = Usage.wrap indent "  lead" (String.concat " " words)
        Expect.equal
            "words"
            ("lead" :: words)
            (lines |> List.collect (fun l -> l.Split(' ', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray))
        for line in lines do
            Expect.isTrue $"{line.Length} columns: {line}" (line.Length <= Usage.Width)
            Expect.isTrue $"trailing space: {line}" (not (line.EndsWith " "))
        for line in List.tail lines do
            Expect.isTrue $"indent {indent}: {line}" (line.StartsWith(String(' ', indent)) && line.[indent] <> ' '))
