/// What the Debian package installs beside the program, rendered from the flag table: the manual
/// pages against hand-read golden files in golden/manual/, every flag in --help and in the manual,
/// the configuration file's keys and variables, the installed configuration file that sets
/// nothing, and the bash completion's commands and flags.
module ManualTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Flags

let private page = Manual.commandPage "0.1.0"
let private confPage = Manual.configPage "0.1.0"

[<Fact>]
let ``xenmatchbox(1) is the reviewed page`` () = Expect.equalText (Golden.text "manual/xenmatchbox.1") page

[<Fact>]
let ``xenmatchbox.conf(5) is the reviewed page`` () =
    Expect.equalText (Golden.text "manual/xenmatchbox.conf.5") confPage

[<Fact>]
let ``the installed configuration file is the reviewed file`` () =
    Expect.equalText (Golden.text "manual/xenmatchbox.conf") Manual.configFile

[<Fact>]
let ``the bash completion is the reviewed script`` () =
    Expect.equalText (Golden.text "manual/xenmatchbox.bash-completion") Completion.bash

[<Fact>]
let ``xenmatchbox(1) lists every exit status a run can end with`` () =
    let start = page.IndexOf ".SH EXIT STATUS"
    let section = page.Substring(start, page.IndexOf(".SH ", start + 1) - start)
    // 0 a boot that succeeded, 1 XMB-900, 2 to 8 the stages' (Errors.exitCode), and check's.
    for status in [ 0..8 ] @ [ Errors.CheckFailedStatus ] do
        Expect.isTrue $"EXIT STATUS lacks {status}" (section.Contains $".TP\n{status}\n")

/// A flag's names as the man page sets them in bold.
let private bold (name: string) = $"\\fB{Manual.escape name}\\fR"

[<Fact>]
let ``every flag is in --help and in xenmatchbox(1) with all its names and the same description`` () =
    for flag in all do
        let s = spec flag
        for name in names flag do
            Expect.isTrue $"--help lacks {name}" (Usage.text.Contains $" {name}")
            Expect.isTrue $"xenmatchbox(1) lacks {name}" (page.Contains(bold name))
        Expect.isTrue
            $"--help lacks the description of {s.Name}"
            ((Expect.unwrapped Usage.text).Contains(Usage.description flag))
        Expect.isTrue
            $"xenmatchbox(1) lacks the description of {s.Name}"
            (page.Contains(Manual.escape (Usage.description flag)))

[<Fact>]
let ``xenmatchbox.conf(5) lists exactly the keys the file may set and the variables the environment may`` () =
    for flag in all do
        for key in keys flag do
            Expect.equal
                $"key {key} listed"
                (settableIn InConfigFile flag)
                (confPage.Contains $"{bold key} =" || confPage.Contains $"{bold key}, ")
        Expect.equal
            $"{variable flag} listed"
            (settableIn InEnvironment flag)
            (confPage.Contains $"{bold (variable flag)}=")

let private installedPath = ConfigFile.DefaultPath

[<Fact>]
let ``the installed configuration file sets nothing: every line is blank or a comment`` () =
    for line in Manual.configFile.Split '\n' do
        Expect.isTrue $"'{line}' is not a comment" (line = "" || line.StartsWith "#")
    Expect.equal "settings" [] (Layers.fileLayer installedPath Manual.configFile |> Expect.ok "parse")

[<Fact>]
let ``each commented-out setting of the installed file parses to its flag once uncommented`` () =
    let settings =
        Manual.configFile.Split '\n'
        |> Array.filter (fun line -> line.StartsWith "#" && not (line.StartsWith "# "))
        |> Array.map (fun line -> line.Substring 1)
    let flags =
        settings
        |> Array.map (fun line ->
            match Layers.fileLayer installedPath line with
            | Ok [ (flag, _, _) ] -> flag
            | other -> Expect.fail $"'{line}': got %A{other}")
        |> List.ofArray
    Expect.equal "one setting per key the file may set" (all |> List.filter (settableIn InConfigFile)) flags

/// The completion's list for a command word, e.g. "show) flags='--server ...'".
let private completedAfter (word: string) =
    let line = Completion.bash.Split '\n' |> Array.find (fun l -> l.Trim().StartsWith(word + ") flags='"))
    line.Substring(line.IndexOf '\'' + 1).TrimEnd(' ', ';').TrimEnd('\'').Split ' ' |> Set.ofArray

[<Fact>]
let ``bash completes each command's flags: exactly those of its mode, every name`` () =
    for word, mode in Argv.commands do
        let expected =
            all |> List.filter (fun f -> List.contains mode (spec f).Modes) |> List.collect names |> Set.ofList
        Expect.equal $"flags after {word}" expected (completedAfter word)
    let bootFlags = completedAfter "*"
    for flag in all |> List.filter (fun f -> List.contains Bootloader (spec f).Modes) do
        Expect.isTrue $"{(spec flag).Name} after no command" (bootFlags.Contains (spec flag).Name)
    Expect.isTrue
        "the commands complete as the first word"
        (Completion.bash.Contains "compgen -W 'show stage check help version'")
    Expect.isTrue
        "help's commands complete after help"
        (Completion.bash.Contains "compgen -W 'boot show stage check help version'")

/// Text with what roff would misread: dashes, backslashes, leading dots and quotes, non-ASCII.
let private roffish =
    Gen.elements [ "-"; "\\"; "."; "'"; "\n"; "a"; " "; "é"; "—"; "--x" ] |> Gen.listOf |> Gen.map (String.concat "")

[<Property(MaxTest = 200)>]
let ``escaped text has no bare hyphen, backslash command, control line or non-ASCII character`` () =
    Prop.forAll (Arb.fromGen roffish) (fun text ->
        let escaped = Manual.escape text
        Expect.isTrue "ASCII only" (escaped |> Seq.forall (fun c -> int c < 128))
        for line in escaped.Split '\n' do
            Expect.isTrue $"'{line}' is a control line" (not (line.StartsWith ".") && not (line.StartsWith "'"))
        // Every backslash starts one of the escapes made: \e, \-, \[uXXXX], \&.
        let rec check (rest: string) =
            match rest.IndexOf '\\' with
            | -1 -> Expect.isTrue $"bare hyphen in {escaped}" (not (rest.Contains '-'))
            | at ->
                Expect.isTrue $"bare hyphen in {escaped}" (not (rest.Substring(0, at).Contains '-'))
                let next = rest.Substring(at + 1)
                Expect.isTrue $"unknown escape in {escaped}" ([ "e"; "-"; "[u"; "&" ] |> List.exists next.StartsWith)
                check (if next.StartsWith "[u" then next.Substring 7 else next.Substring 1)
        check escaped)
