// Uses xenmatchbox's Domain library from an F# script: parse lookup labels, plan the boot of a
// matchbox profile (a JSON file as matchbox stores it under profiles/), expand its args and render
// what libxl would read, and the xl.cfg stanza for direct kernel boot. Nothing is downloaded.
//
// The Domain comes as the NuGet package XenMatchbox.Domain from the local folder artifacts/packages
// (the version is Version in Directory.Build.props; scripts/pack makes the package):
//
//   scripts/pack                                                    # once, from the repository root
//   dotnet fsi examples/lookup.fsx examples/profile.json mac=52:54:00:aa:bb:cc uuid=5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90
#r "nuget: XenMatchbox.Domain, 0.1.0"

open System.IO
open System.Text.Json
open XenMatchbox.Domain

let profileFile, lookups =
    match List.ofArray fsi.CommandLineArgs |> List.tail with
    | file :: labels -> file, labels
    | [] -> failwith "usage: dotnet fsi examples/lookup.fsx PROFILE.json key=value..."

/// The profile's "boot" object, as matchbox's profile JSON has it.
let profile: Profile.UnvalidatedProfile =
    use document = JsonDocument.Parse(File.ReadAllText profileFile)
    let root = document.RootElement
    let boot = root.GetProperty "boot"
    let strings (name: string) =
        match boot.TryGetProperty name with
        | true, array -> [ for item in array.EnumerateArray() -> item.GetString() ]
        | _ -> []
    { Id = root.GetProperty("id").GetString()
      Kernel = boot.GetProperty("kernel").GetString()
      Initrds = strings "initrd"
      Args = strings "args" }

/// Each step returns a Result; the first error (a BootError with its XMB code) ends the script.
let orExit (result: Result<'a, Errors.BootError>) =
    match result with
    | Ok value -> value
    | Error error ->
        eprintfn "%s" (Errors.describe error)
        exit (Errors.exitCode error)

let labels = Labels.fromLookups lookups |> orExit
let plan =
    Profile.create
        { Host = "matchbox.example.com"; Port = 8080; Secure = false }
        "/var/lib/xen/bootloader.7.d"
        labels
        None
        profile
    |> orExit

printfn "labels:  %s" (Labels.display labels)
printfn "profile: %s" plan.ProfileId
printfn "kernel:  %s" plan.Kernel.Value
for initrd in plan.Initrds do
    printfn "initrd:  %s" initrd.Value
printfn "args:    %s" (defaultArg plan.CommandLine "")

let simple0 =
    Output.render Output.Simple0 { Kernel = plan.KernelPath; Ramdisk = plan.RamdiskPath; Args = plan.CommandLine }
    |> orExit
printfn "simple0: %s" ((System.Text.Encoding.UTF8.GetString simple0).Replace("\000", "\\0"))

// The same boot as an xl.cfg stanza (what `xenmatchbox stage` prints), quoted for xl's parser.
let stanza =
    Stanza.render { Kernel = plan.KernelPath; Ramdisk = plan.RamdiskPath; Cmdline = plan.CommandLine } |> orExit
printf "stanza:\n%s" stanza
