// Renders what the Debian package installs beside the program, from the Domain's flag table (the
// Release build of XenMatchbox.Domain that scripts/pack has just made, so no version is named here):
// xenmatchbox.1 and xenmatchbox.conf.5 (roff), the installed xenmatchbox.conf and the bash
// completion. scripts/package runs it after scripts/pack:
//
//   dotnet fsi scripts/package-files.fsx VERSION DIR
#r "../src/XenMatchbox.Domain/bin/Release/net10.0/XenMatchbox.Domain.dll"

open System.IO
open System.Reflection
open XenMatchbox.Domain

let version, directory =
    match List.ofArray fsi.CommandLineArgs |> List.tail with
    | [ version; directory ] -> version, directory
    | _ -> failwith "usage: dotnet fsi scripts/package-files.fsx VERSION DIR"

// Refuse to render one release's pages from another's Domain (a stale build).
let packaged =
    typeof<Release.Release>.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>().InformationalVersion
    |> Release.ofInformationalVersion

if packaged.Version <> version then
    eprintfn
        "scripts/package-files.fsx: it loads XenMatchbox.Domain %s, not %s: run scripts/pack first"
        packaged.Version
        version
    exit 1

Directory.CreateDirectory directory |> ignore
let write name (text: string) = File.WriteAllText(Path.Combine(directory, name), text)
write "xenmatchbox.1" (Manual.commandPage version)
write "xenmatchbox.conf.5" (Manual.configPage version)
write "xenmatchbox.conf" Manual.configFile
write "xenmatchbox.bash-completion" Completion.bash
