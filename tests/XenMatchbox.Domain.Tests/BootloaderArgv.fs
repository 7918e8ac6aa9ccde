/// The argv libxl builds (xen-bootloader-protocol.md §2): its own flags, then the operator's
/// bootloader_args, then the disk. Generated from a description of the boot, with each flag
/// written as --flag=value or --flag value and the flags in any order, disk last.
module internal BootloaderArgv

open FsCheck
open FsCheck.FSharp
open XenMatchbox.Domain
open Generators

/// What the argv says, and what the parsed settings must hold.
type Boot =
    {
        LibxlKernel: string option
        LibxlRamdisk: string option
        Args: string option
        Quiet: bool
        Output: string
        OutputFormat: string
        OutputDirectory: string
        Server: string
        /// --server as typed (an IPv6 address may come in brackets).
        ServerTyped: string
        HttpPort: int option
        GrpcPort: int option
        Ca: string * string
        Cert: string * string
        Key: string * string
        /// (--lookup text, expected key, expected value)
        Lookups: (string * string * string) list
        Disk: string
    }

/// One flag: its name and value (None for a switch).
type Flag = { Name: string; Value: string option }

let private path prefix =
    nonEmptyTextOf "abcdefxyz0123456789._-" |> Gen.map (fun p -> prefix + p)

let private host =
    Gen.oneof
        [ Gen.elements [ "matchbox.example.com"; "mb"; "192.0.2.10"; "matchbox-1.lab.internal" ]
          |> Gen.map (fun h -> h, h)
          Gen.elements [ "fd00::1"; "2001:db8::8" ] |> Gen.map (fun h -> h, h)
          Gen.elements [ "fd00::1"; "2001:db8::8" ] |> Gen.map (fun h -> h, $"[{h}]") ]

/// Lookups with distinct keys that start with a letter (so "--lookup k=v" never reads as a flag);
/// a mac lookup, when there is one, in any spelling.
let private lookups =
    gen {
        let! plain = labelSet
        let plain = plain |> List.map (fun (k, v) -> "k" + k, v) |> List.distinctBy fst
        let! withMac = Gen.elements [ true; false ]
        let! octets, spelled = macWithSpelling
        let! macKey = randomCase "mac"
        let! typedPlain =
            plain |> List.map (fun (k, v) -> randomCase k |> Gen.map (fun t -> $"{t}={v}", k, v)) |> Gen.sequenceToList
        return (if withMac then [ $"{macKey}={spelled}", "mac", colonLower octets ] else []) @ typedPlain
    }

let private commandLine =
    Gen.nonEmptyListOf (
        Gen.elements [ "console=hvc0"; "root=/dev/xvda1"; "ip=dhcp"; "quiet"; "a=b=c"; "x='y z'"; "é=€" ]
    )
    |> Gen.map (String.concat " ")

let boot: Gen<Boot> =
    gen {
        let! domid = Gen.choose (1, 32767)
        let! kernel = Gen.optionOf (path "/boot/vmlinuz-")
        let! ramdisk = Gen.optionOf (path "/boot/initrd-")
        let! args = Gen.optionOf commandLine
        let! quiet = Gen.elements [ false; true ]
        let! output = Gen.elements [ $"/var/lib/xen/bootloader.{domid}.out"; "-" ]
        let! format = Gen.elements [ "simple0"; "simple"; "sxp" ]
        let! server, typed = host
        let! httpPort = Gen.optionOf (Gen.choose (1, 65535))
        let! grpcPort = Gen.optionOf (Gen.choose (1, 65535))
        let! caFlag = Gen.elements [ "--ca"; "--ca-file" ]
        let! certFlag = Gen.elements [ "--cert"; "--cert-file" ]
        let! keyFlag = Gen.elements [ "--key"; "--key-file" ]
        let! ca = path "/etc/matchbox/ca-"
        let! cert = path "/etc/matchbox/client-"
        let! key = path "/etc/matchbox/client-key-"
        let! lookups = lookups
        let! disk = Gen.oneof [ path "/dev/vg0/guest-"; path "/var/lib/xen/images/" ]
        return
            { LibxlKernel = kernel
              LibxlRamdisk = ramdisk
              Args = args
              Quiet = quiet
              Output = output
              OutputFormat = format
              OutputDirectory = $"/var/lib/xen/bootloader.{domid}.d"
              Server = server
              ServerTyped = typed
              HttpPort = httpPort
              GrpcPort = grpcPort
              Ca = caFlag, ca
              Cert = certFlag, cert
              Key = keyFlag, key
              Lookups = lookups
              Disk = disk }
    }

/// Every flag of the boot, libxl's and the operator's, in libxl's order.
let flags (boot: Boot) =
    let flag name value = { Name = name; Value = Some value }
    [ yield! boot.LibxlKernel |> Option.map (flag "--kernel") |> Option.toList
      yield! boot.LibxlRamdisk |> Option.map (flag "--ramdisk") |> Option.toList
      yield! boot.Args |> Option.map (flag "--args") |> Option.toList
      if boot.Quiet then { Name = "--quiet"; Value = None }
      flag "--output" boot.Output
      flag "--output-format" boot.OutputFormat
      flag "--output-directory" boot.OutputDirectory
      flag "--server" boot.ServerTyped
      yield! boot.HttpPort |> Option.map (string >> flag "--httpport") |> Option.toList
      yield! boot.GrpcPort |> Option.map (string >> flag "--grpcport") |> Option.toList
      flag (fst boot.Ca) (snd boot.Ca)
      flag (fst boot.Cert) (snd boot.Cert)
      flag (fst boot.Key) (snd boot.Key)
      for text, _, _ in boot.Lookups do
          flag "--lookup" text ]

/// A flag as argv entries: "--flag=value" or "--flag" "value".
let written (flag: Flag) =
    match flag.Value with
    | None -> Gen.constant [ flag.Name ]
    | Some value -> Gen.elements [ [ $"{flag.Name}={value}" ]; [ flag.Name; value ] ]

/// The flags in any order, each in either form; the disk comes separately.
let shuffledFlags (boot: Boot) =
    gen {
        let! order = Gen.shuffle (flags boot)
        let! entries = order |> List.ofArray |> List.map written |> Gen.sequenceToList
        return List.ofArray order, entries
    }

/// The settings, field by field, as text an operator can compare.
let describeSettings (settings: CommandLine.Settings) =
    let option =
        function
        | Some(v: string) -> $"\"{v}\""
        | None -> "none"
    let format =
        match settings.OutputFormat with
        | Output.Simple0 -> "simple0"
        | Output.Simple -> "simple"
        | Output.Sxp -> "sxp"
    let labels =
        match Labels.complete settings.Lookup [] "" with
        | Ok labels -> Labels.toPairs labels |> List.map (fun (k, v) -> $"{k}={v}") |> String.concat " | "
        | Error error -> Expect.fail $"the lookup needs the domain: {Expect.shown error}"
    let certFile, keyFile =
        match settings.Server.Client with
        | Some client -> client.CertFile, client.KeyFile
        | None -> "none", "none"
    String.concat
        "\n"
        [ $"""server.host: {String.concat "," settings.Server.Servers.Hosts}"""
          $"server.httpPort: {settings.Server.HttpPort}"
          $"server.grpcPort: {settings.Server.GrpcPort}"
          $"""server.caFile: {defaultArg settings.Server.CaFile "none"}"""
          $"server.certFile: {certFile}"
          $"server.keyFile: {keyFile}"
          $"labels: {labels}"
          $"configArgs: {option settings.ConfigArgs}"
          $"quiet: {settings.Quiet}"
          $"output: {option settings.Output}"
          $"outputFormat: {format}"
          $"outputDirectory: {settings.OutputDirectory}"
          $"""disk: {defaultArg settings.Disk "none"}""" ]

/// The same description, worked out from the boot and the order its lookups were given in.
let expectedSettings (boot: Boot) (order: Flag list) =
    let lookupOrder = order |> List.filter (fun f -> f.Name = "--lookup") |> List.choose (fun f -> f.Value)
    let labels =
        lookupOrder
        |> List.map (fun text -> boot.Lookups |> List.find (fun (t, _, _) -> t = text) |> fun (_, k, v) -> $"{k}={v}")
        |> String.concat " | "
    let option =
        function
        | Some(v: string) -> $"\"{v}\""
        | None -> "none"
    String.concat
        "\n"
        [ $"server.host: {boot.Server}"
          $"server.httpPort: {defaultArg boot.HttpPort 8080}"
          $"server.grpcPort: {defaultArg boot.GrpcPort 8081}"
          $"server.caFile: {snd boot.Ca}"
          $"server.certFile: {snd boot.Cert}"
          $"server.keyFile: {snd boot.Key}"
          $"labels: {labels}"
          $"configArgs: {option boot.Args}"
          $"quiet: {boot.Quiet}"
          "output: " + option (if boot.Output = "-" then None else Some boot.Output)
          $"outputFormat: {boot.OutputFormat}"
          $"outputDirectory: {boot.OutputDirectory}"
          $"disk: {boot.Disk}" ]
