module internal XenMatchbox.Domain.Usage

open System
open XenMatchbox.Domain.Flags

let private render (names: string list) (value: string option) (help: string) =
    let names = String.Join(", ", names)
    let shown =
        match value with
        | Some v -> $"{names} <{v}>"
        | None -> names
    $"    {shown, -34} {help}\n"

let description flag =
    let s = spec flag
    match s.Default with
    | Some shown -> $"{s.Help} (default: {shown})."
    | None -> s.Help + "."

let line flag = render (names flag) (spec flag).Value (description flag)

/// The disk is not a flag, but has its line among them.
let private diskLine = render [ "<disk>" ] None "the boot disk libxl passes last; not read."

/// The operator's flags: not libxl's, and not --help and --version, which end the list.
let private operatorFlags = all |> List.filter (fun f -> not (spec f).FromLibxl && f <> Help && f <> Version)

/// "--a, --b and --c".
let private listed (items: string list) =
    match List.rev items with
    | [] -> ""
    | [ one ] -> one
    | last :: rest -> String.Join(", ", List.rev rest) + " and " + last

let private commands =
    """
COMMANDS:

    xenmatchbox [libxl's flags] [bootloader_args] <disk>    what libxl runs (bootloader=)
    xenmatchbox show [flags]                      print what a boot would do; download nothing
    xenmatchbox stage --dir DIR [flags]           download into DIR, print an xl.cfg stanza
    xenmatchbox check [flags]                     check the set-up: files, keys, servers, cache
    xenmatchbox --version                         print the version and the commit

EXAMPLE (domU config for xl create):

    type = "pv"                      # or "pvh"
    bootloader = "/usr/bin/xenmatchbox"
    bootloader_args = [ "--lookup", "mac=52:54:00:aa:bb:cc" ]   # the rest in the config file
    vif = [ "mac=52:54:00:aa:bb:cc,bridge=xenbr0" ]
    disk = [ "format=raw,vdev=xvda,target=/dev/vg0/guest" ]   # xl requires a disk
"""

let private configuration =
    let unsettable = operatorFlags |> List.filter (not << settableIn InConfigFile) |> List.map (fun f -> (spec f).Name)
    $"""
CONFIGURATION: every flag of bootloader_args but {listed unsettable} can
also be set as {VariablePrefix}<FLAG> (upper case, '-' as '_') or as "flag = value" in
{ConfigFile.DefaultPath} (or --config FILE, or {ConfigFile.Variable}); the command line wins over
the environment, the environment over the file. Switches take true or false there.
"""

let private workings =
    """
libxl runs xenmatchbox with its own flags, then bootloader_args, then the disk. xenmatchbox asks
matchbox for the profile matching the labels (gRPC with mutual TLS given --cert and --key, else the
read-only /ipxe endpoint), downloads its kernel and initrds into --output-directory, expands
${label} and {{ .label }} in the profile's args and writes kernel/ramdisk/args to --output for
libxl. Errors are one line: xenmatchbox: XMB-nnn: cause — fix.
"""

let text =
    let section title flags = title + "\n" + (flags |> List.map line |> String.concat "")
    String.concat
        "\n"
        [ "USAGE: xenmatchbox [libxl's flags] [the operator's bootloader_args] <disk>\n"
          + "       xenmatchbox show|stage|check [flags]\n"
          section "FLAGS LIBXL PASSES:" (all |> List.filter (fun f -> (spec f).FromLibxl))
          section
              "FLAGS FOR bootloader_args, show, stage and check (each as --flag value or --flag=value):"
              operatorFlags
          diskLine + line Help + line Version ]
    + commands
    + configuration
    + workings
