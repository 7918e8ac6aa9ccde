/// What the Debian package installs beside the program, rendered from the flag table: the manual
/// pages against hand-read golden files in golden/manual/, every flag in --help and in the manual,
/// the configuration file's keys and variables, the installed configuration file that sets
/// nothing, and the bash completion's commands and flags.
module ManualTests

open System.Text.Json
open System.Text.RegularExpressions
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

/// A section of xenmatchbox(1), from its .SH line to the next.
let private pageSection (title: string) =
    let start = page.IndexOf $".SH {title}\n"
    Expect.isTrue $"xenmatchbox(1) has a section {title}" (start >= 0)
    let next = page.IndexOf(".SH ", start + 1)
    page.Substring(start, (if next < 0 then page.Length else next) - start)

[<Fact>]
let ``xenmatchbox(1) lists every exit status a run can end with`` () =
    let section = pageSection "EXIT STATUS"
    // 0 a boot that succeeded, each error's status (1 XMB-900, 2 to 8 the stages'), and check's.
    let statuses = [ 0 ] @ (ErrorCatalogue.entries |> List.map _.Status |> List.distinct) @ [ Errors.CheckFailedStatus ]
    for status in statuses @ [ 8 ] do
        Expect.isTrue $"EXIT STATUS lacks {status}" (section.Contains $".TP\n{status}\n")
    let listed =
        Regex.Matches(section, @"^\.TP\n(\d+)\n", RegexOptions.Multiline) |> Seq.map (fun m -> int m.Groups[1].Value)
    Expect.equal "EXIT STATUS lists each status once, in order" (List.sort (List.distinct statuses)) (List.ofSeq listed)

[<Fact>]
let ``xenmatchbox(1)'s ERRORS lists every code with its exit status, what failed and its fix, as README's table does``
    ()
    =
    let section = pageSection "ERRORS"
    for entry in ErrorCatalogue.entries do
        let item = $".TP\n\\fB{entry.Code}\\fR (exit status {entry.Status})\n"
        Expect.isTrue $"ERRORS lacks {entry.Code}" (section.Contains item)
        Expect.isTrue
            $"ERRORS lacks what {entry.Code} failed"
            (section.Contains(Manual.escape (entry.Failed.Replace("`", ""))))
        Expect.isTrue $"ERRORS lacks the fix of {entry.Code}" (section.Contains(Manual.escape $"Fix: {entry.Fix}"))
    Expect.equal
        "codes in ERRORS"
        (ErrorCatalogue.entries |> List.map _.Code)
        (Regex.Matches(section, @"\\fB(XMB-\d{3})\\fR") |> Seq.map (fun m -> m.Groups[1].Value) |> List.ofSeq)

/// Every member name of a JSON value's objects, nested ones too, except the operator's labels.
let rec private jsonMembers (element: JsonElement) =
    match element.ValueKind with
    | JsonValueKind.Object ->
        [ for property in element.EnumerateObject() do
              yield property.Name
              if property.Name <> "labels" then
                  yield! jsonMembers property.Value ]
    | JsonValueKind.Array -> [ for item in element.EnumerateArray() -> jsonMembers item ] |> List.concat
    | _ -> []

[<Fact>]
let ``xenmatchbox(1) documents show --json's members: the top-level ones in order, every nested one by name`` () =
    let section = pageSection "JSON OUTPUT"
    // The reviewed renderings of DryRun.json (DryRunTests keeps them equal to it).
    for golden in [ "dry-run/grpc.json.expected"; "dry-run/verified.json.expected" ] do
        use document = JsonDocument.Parse(Golden.text golden)
        let topLevel = [ for property in document.RootElement.EnumerateObject() -> property.Name ]
        let documented = Manual.jsonKeys |> List.map fst |> List.filter (fun key -> not (key.Contains ' '))
        Expect.equal $"{golden}: top-level members against xenmatchbox(1)" topLevel documented
        for name in jsonMembers document.RootElement |> List.distinct do
            Expect.isTrue
                $"JSON OUTPUT does not name '{name}' ({golden})"
                (section.Contains(Manual.escape $"\"{name}\"") || section.Contains $"\\fB{Manual.escape name}\\fR")

[<Fact>]
let ``xenmatchbox(1) names the README only with the path the package installs it at`` () =
    Expect.isTrue "the installed README is named" (page.Contains(Manual.escape Manual.InstalledReadme))
    let mentions = Regex.Matches(page, "README") |> Seq.length
    let withPath = Regex.Matches(page, Regex.Escape(Manual.escape Manual.InstalledReadme)) |> Seq.length
    Expect.equal "every README mention is the installed path" withPath mentions

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
            (page.Contains(Manual.escape (Manual.pageDescription flag)))
        Expect.equal
            $"the page's description of {s.Name} is --help's, the README's place aside"
            (Usage.description flag)
            ((Manual.pageDescription flag).Replace(Manual.InstalledReadme, "the README"))

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
