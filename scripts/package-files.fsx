// Renders what the Debian package installs beside the program, from the Domain's flag table (the
// XenMatchbox.Domain package, from artifacts/packages as scripts/NuGet.Config names it):
// xenmatchbox.1 and xenmatchbox.conf.5 (roff), the installed xenmatchbox.conf and the bash
// completion. scripts/package runs it after scripts/pack:
//
//   dotnet fsi scripts/package-files.fsx VERSION DIR
#r "nuget: XenMatchbox.Domain, 0.1.0"

open System.IO
open System.Reflection
open XenMatchbox.Domain

let version, directory =
    match List.ofArray fsi.CommandLineArgs |> List.tail with
    | [ version; directory ] -> version, directory
    | _ -> failwith "usage: dotnet fsi scripts/package-files.fsx VERSION DIR"

// The #r above names a version by hand: refuse to render one release's pages from another's Domain.
let packaged =
    typeof<Release.Release>.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>().InformationalVersion
    |> Release.ofInformationalVersion

if packaged.Version <> version then
    eprintfn
        "scripts/package-files.fsx: it loads XenMatchbox.Domain %s, not %s: update its #r line"
        packaged.Version
        version
    exit 1

Directory.CreateDirectory directory |> ignore
let write name (text: string) = File.WriteAllText(Path.Combine(directory, name), text)
write "xenmatchbox.1" (Manual.commandPage version)
write "xenmatchbox.conf.5" (Manual.configPage version)
write "xenmatchbox.conf" Manual.configFile
write "xenmatchbox.bash-completion" Completion.bash
