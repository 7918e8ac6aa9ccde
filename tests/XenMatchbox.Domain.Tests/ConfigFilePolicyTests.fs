/// The configuration file's policy: the default file may be absent and a named one may not; a file
/// is at most ConfigFile.MaxBytes of UTF-8; and --help is answered without reading it.
module ConfigFilePolicyTests

open System.Text
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private path = "/etc/xen/xenmatchbox.conf"

[<Property(MaxTest = 100)>]
let ``UTF-8 text is the file's text, whether named or the default`` () =
    Prop.forAll (arb (Gen.zip safeText (Gen.elements [ false; true ]))) (fun (text, named) ->
        let read = ConfigFile.contents path named (ConfigFile.Bytes(Encoding.UTF8.GetBytes text))
        Expect.equal "contents" (Some(path, text)) (read |> Expect.ok "contents"))

[<Property(MaxTest = 100)>]
let ``bytes that are not UTF-8 are refused, not replaced`` () =
    let invalid = Gen.elements [ [| 0xffuy |]; [| 0xc3uy |]; [| 0xeduy; 0xa0uy; 0x80uy |]; [| 0x80uy |] ]
    Prop.forAll (arb (Gen.zip safeText invalid)) (fun (text, bad) ->
        let bytes = Array.append (Encoding.UTF8.GetBytes text) bad
        match ConfigFile.contents path true (ConfigFile.Bytes bytes) with
        | Error(CommandLine(ConfigUnreadable(p, detail))) ->
            Expect.equalText path p
            Expect.equalText "it is not UTF-8 text" detail
        | other -> Expect.fail $"expected ConfigUnreadable, got %A{other}")

[<Theory>]
[<InlineData(false)>]
[<InlineData(true)>]
let ``a missing default file is no file; a missing named one is an error`` (directory: bool) =
    let missing = if directory then ConfigFile.NoSuchDirectory else ConfigFile.NoSuchFile
    Expect.equal "default" None (ConfigFile.contents path false missing |> Expect.ok "default")
    match ConfigFile.contents path true missing with
    | Error(CommandLine(ConfigUnreadable(p, _))) -> Expect.equalText path p
    | other -> Expect.fail $"expected ConfigUnreadable, got %A{other}"

[<Fact>]
let ``a file that cannot be read or is too large is an error, named or not`` () =
    for named in [ false; true ] do
        for outcome, words in
            [ ConfigFile.PermissionDenied, "permission denied"
              ConfigFile.TooLarge, $"larger than {ConfigFile.MaxBytes / 1024} KiB"
              ConfigFile.Failed "it is a directory", "it is a directory" ] do
            match ConfigFile.contents path named outcome with
            | Error(CommandLine(ConfigUnreadable(_, detail))) ->
                Expect.isTrue $"'{detail}' says '{words}'" (detail.Contains words)
            | other -> Expect.fail $"expected ConfigUnreadable, got %A{other}"

[<Fact>]
let ``the cap is 64 KiB`` () = Expect.equal "MaxBytes" (64 * 1024) ConfigFile.MaxBytes

[<Fact>]
let ``the default file and its variable are the ones --help names`` () =
    Expect.equalText ConfigFile.DefaultPath CommandLine.DefaultConfigFile
    Expect.isTrue "--help names the default file" (Usage.text.Contains ConfigFile.DefaultPath)
    Expect.isTrue "--help names the variable" (Usage.text.Contains ConfigFile.Variable)
    Expect.equalText ConfigFile.Variable (Flags.variable Flags.Config)

/// Help and the version read no context: the shell asks before reading the file, and parseIn
/// answers them even with a context whose file would be rejected; --help wins over --version, and a
/// command word first gets its own page.
[<Property(MaxTest = 200)>]
let ``the context is needed exactly when neither help nor the version is asked for`` () =
    let word =
        Gen.elements
            [ "--server=mb"
              "show"
              "stage"
              "check"
              "help"
              "version"
              "/dev/vg0/guest"
              "--lookup"
              "a=b"
              "--help"
              "-h"
              "--helpx"
              "-hh"
              "--version"
              "-V"
              "--versions"
              "-v" ]
    Prop.forAll (arb (Gen.listOf word)) (fun words ->
        let argv = List.toArray words
        let first = List.tryHead words
        let help = words |> List.exists (fun w -> w = "--help" || w = "-h") || first = Some "help"
        let version = words |> List.exists (fun w -> w = "--version" || w = "-V") || first = Some "version"
        Expect.equal "needsContext" (not (help || version)) (CommandLine.needsContext argv)
        let hostile =
            { CommandLine.noContext (fun _ -> None) with
                OwnVariables = [ "XENMATCHBOX_NOPE" ]
                ConfigFile = Some(path, "nope") }
        let page =
            match words with
            | "help" :: [] -> Some Usage.text
            | "help" :: [ topic ] when not (List.exists (fun w -> w = "--help" || w = "-h") words) ->
                Usage.tryTopic topic |> Option.map Usage.commandText
            | "help" :: rest when List.exists (fun w -> w = "--help" || w = "-h") rest ->
                Some(Usage.commandText Usage.HelpCommand)
            | "help" :: _ -> None
            | word :: _ when help && (Usage.tryCommandWord word).IsSome ->
                Some(Usage.commandText (Usage.tryCommandWord word).Value)
            | _ when help -> Some Usage.text
            | _ -> None
        match CommandLine.parseIn hostile argv, help, version with
        | Ok(CommandLine.ShowHelp text), true, _ when page.IsSome -> Expect.equalText page.Value text
        | Error(CommandLine(UnknownCommand _)), true, _ when page.IsNone -> Expect.equal "first" (Some "help") first
        | Ok CommandLine.ShowVersion, false, true -> ()
        | Error _, false, false -> ()
        | other, _, _ ->
            let shown = String.concat " " words
            Expect.fail $"{shown}: got %A{other}")

[<Fact>]
let ``the program's own variables are the XENMATCHBOX_ ones`` () =
    Expect.isTrue "XENMATCHBOX_SERVER" (CommandLine.isOwnVariable "XENMATCHBOX_SERVER")
    Expect.isTrue "XENMATCHBOX_CONFIG" (CommandLine.isOwnVariable "XENMATCHBOX_CONFIG")
    Expect.isTrue "LIBXL_BOOTLOADER_TIMEOUT" (not (CommandLine.isOwnVariable "LIBXL_BOOTLOADER_TIMEOUT"))
    Expect.isTrue "xenmatchbox_server" (not (CommandLine.isOwnVariable "xenmatchbox_server"))
