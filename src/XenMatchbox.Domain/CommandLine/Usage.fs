module internal XenMatchbox.Domain.Usage

open System
open XenMatchbox.Domain.Flags

[<Literal>]
let Width = 80

/// Where a flag's description starts; names longer than fit before it put it on the next line.
[<Literal>]
let private FlagColumn = 28

/// Where a command's one line starts in the list of commands.
[<Literal>]
let private CommandColumn = 11

type Command =
    | Boot
    | Show
    | Stage
    | Check
    | HelpCommand
    | VersionCommand

let commands = [ Boot; Show; Stage; Check; HelpCommand; VersionCommand ]

let commandName command =
    match command with
    | Boot -> "boot"
    | Show -> "show"
    | Stage -> "stage"
    | Check -> "check"
    | HelpCommand -> "help"
    | VersionCommand -> "version"

let tryTopic (word: string) = commands |> List.tryFind (fun c -> commandName c = word)

/// "boot" names libxl's run in help, but is no word of argv: libxl passes its flags first.
let tryCommandWord (word: string) = tryTopic word |> Option.filter ((<>) Boot)

/// "a, b and c".
let private listed (items: string list) =
    match List.rev items with
    | [] -> ""
    | [ one ] -> one
    | last :: rest -> String.Join(", ", List.rev rest) + " and " + last

let topics = commands |> List.map commandName |> listed

let wrap (indent: int) (first: string) (text: string) =
    let margin = String(' ', indent)
    let words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
    // A lead as wide as the indent or wider is followed by a space, as a word would be.
    let start = if first.Length < indent || first = "" then first.PadRight indent else first + " "
    // A line that holds only its lead takes the next word however long; else a word that would
    // pass the width starts the next line.
    let rec fill (current: string) (fresh: bool) (lines: string list) words =
        match words with
        | [] -> List.rev (current.TrimEnd() :: lines)
        | (word: string) :: rest when fresh -> fill (current + word) false lines rest
        | word :: rest when current.Length + 1 + word.Length <= Width -> fill (current + " " + word) false lines rest
        | word :: rest -> fill (margin + word) false (current :: lines) rest
    fill start true [] words

let private paragraph (text: string) = (wrap 0 "" text |> String.concat "\n") + "\n"

let description flag =
    let s = spec flag
    match s.Default with
    | Some shown -> $"{s.Help} (default: {shown})."
    | None -> s.Help + "."

/// Its names, a short one (-h, -V) first, and the placeholder of its value.
let private shownNames flag =
    let names = names flag |> List.sortBy (fun n -> n.StartsWith "--") |> String.concat ", "
    match (spec flag).Value with
    | Some v -> $"{names} <{v}>"
    | None -> names

/// An entry of a list of flags: the term at two spaces, its text from FlagColumn, wrapped.
let private entry (term: string) (text: string) =
    let head = "  " + term
    let lines = if head.Length + 2 <= FlagColumn then wrap FlagColumn head text else head :: wrap FlagColumn "" text
    (lines |> String.concat "\n") + "\n"

let line flag = entry (shownNames flag) (description flag)

/// The disk is not a flag, but has its line among libxl's.
let private diskLine = entry "<disk>" "the boot disk libxl passes last; not read."

let private isLibxl flag = (spec flag).FromLibxl

/// The operator's flags: not libxl's, and not --help and --version, which end the list.
let private operatorFlags = all |> List.filter (fun f -> not (isLibxl f) && f <> Help && f <> Version)

let private libxlFlags = all |> List.filter isLibxl

let private modeOf command =
    match command with
    | Boot -> Some Bootloader
    | Show -> Some ShowMode
    | Stage -> Some StageMode
    | Check -> Some CheckMode
    | HelpCommand
    | VersionCommand -> None

/// What a command is for, one line in the list of commands.
let private summary command =
    match command with
    | Boot -> "what libxl runs as bootloader= (no command word)"
    | Show -> "print what a boot would do; download nothing"
    | Stage -> "download into --dir, print an xl.cfg stanza"
    | Check -> "check the set-up: files, keys, servers, cache, profile"
    | HelpCommand -> "print this help, or one command's"
    | VersionCommand -> "print the version and the commit it was built from"

let private usage command =
    match command with
    | Boot -> "xenmatchbox [libxl's flags] [bootloader_args] <disk>"
    | Show -> "xenmatchbox show [flags]"
    | Stage -> "xenmatchbox stage --dir DIR [flags]"
    | Check -> "xenmatchbox check [flags]"
    | HelpCommand -> "xenmatchbox help [COMMAND], or xenmatchbox COMMAND --help"
    | VersionCommand -> "xenmatchbox version, or xenmatchbox -V, or xenmatchbox --version"

/// What a command does, as its own help says it.
let private what command =
    match command with
    | Boot ->
        "libxl runs xenmatchbox with its own flags, then the domU config's bootloader_args, then the disk. xenmatchbox asks matchbox for the profile matching the labels (gRPC with mutual TLS given --cert and --key, else the read-only /ipxe endpoint), downloads its kernel and initrds into --output-directory, expands ${label} and {{ .label }} in the profile's args and writes kernel, ramdisk and args to --output for libxl. --not-really makes it a dry run, as show."
    | Show ->
        "Looks the profile up as a boot would and prints it: the labels, the lookup, each asset's URL and the size its server declares (HEAD), the args and the bytes libxl would read. Downloads and writes nothing; exits as the boot would (non-zero when a boot would fail). A bare --lookup uuid or name needs xenstore, so by hand give the value: --lookup uuid=<the domain's uuid>."
    | Stage ->
        "Looks the profile up, downloads its kernel and initrds into DIR (through the cache) and prints kernel, ramdisk and cmdline lines for an xl.cfg without bootloader=, to boot the domU directly."
    | Check ->
        "Checks the set-up a boot with the same flags and configuration file would use, one line each (passed, a warning, or failed with the fix): the configuration, the TLS files and their expiry, the key files, each server, the cache directory and its free space, xenstore when a label needs it, and with --lookup the profile and its assets. Exits 0 only when nothing failed."
    | HelpCommand ->
        $"Prints the help: without a COMMAND all of it, else what that command does, its flags and an example. The commands are {topics}."
    | VersionCommand ->
        "Prints the version and the git commit it was built from, and reads nothing else: no flag, variable or configuration file is checked."

/// The flags that matter most to a command, described in full in its help.
let private keyFlags command =
    match command with
    | Boot -> [ Server; Lookup; NotReally; Config ]
    | Show -> [ Server; Lookup; Json; Args; OutputFormat ]
    | Stage -> [ Dir; Server; Lookup ]
    | Check -> [ Server; Lookup; Config ]
    | HelpCommand
    | VersionCommand -> []

let private example command =
    match command with
    | Boot ->
        [ "# in the domU config, with --server and the TLS files in xenmatchbox.conf:"
          "bootloader = \"/usr/bin/xenmatchbox\""
          "bootloader_args = [ \"--lookup\", \"mac=52:54:00:aa:bb:cc\" ]" ]
    | Show ->
        [ "xenmatchbox show --server mb.example.com --lookup mac=52:54:00:aa:bb:cc"
          "xenmatchbox show --lookup uuid=0f2c5c1e-1111-2222-3333-444455556666 --json" ]
    | Stage ->
        [ "xenmatchbox stage --dir /var/lib/xen/images/guest \\"
          "    --lookup mac=52:54:00:aa:bb:cc >> /etc/xen/guest.cfg" ]
    | Check -> [ "xenmatchbox check"; "xenmatchbox check --lookup mac=52:54:00:aa:bb:cc" ]
    | HelpCommand -> [ "xenmatchbox help stage"; "xenmatchbox stage --help" ]
    | VersionCommand -> [ "xenmatchbox -V" ]

let private block (lines: string list) = lines |> List.map (fun l -> $"  {l}\n") |> String.concat ""

let private configuration =
    let unsettable = operatorFlags |> List.filter (not << settableIn InConfigFile) |> List.map (fun f -> (spec f).Name)
    paragraph
        $"CONFIGURATION: every flag of bootloader_args but {listed unsettable} can also be set as {VariablePrefix}<FLAG> (upper case, '-' as '_') or as \"flag = value\" in {ConfigFile.DefaultPath} (or --config FILE, or {ConfigFile.Variable}); the command line wins over the environment, the environment over the file. Switches take true or false there."

let private errors = paragraph "Errors are one line: xenmatchbox: XMB-nnn: cause — fix."

let private libxlHeading =
    let byHand =
        libxlFlags |> List.filter (fun f -> List.contains ShowMode (spec f).Modes) |> List.map (fun f -> (spec f).Name)
    paragraph $"FLAGS LIBXL PASSES (you do not type these; show also takes {listed byHand}):"

let private commandList =
    commands
    |> List.map (fun c -> (wrap CommandColumn ("  " + commandName c) (summary c) |> String.concat "\n") + "\n")
    |> String.concat ""

let text =
    String.concat
        "\n"
        [ paragraph
              "xenmatchbox: a Xen PV/PVH bootloader that asks matchbox for the domU's profile, downloads its kernel and initrds and hands them to libxl."
          "USAGE:\n"
          + block
              [ usage Boot
                "xenmatchbox show|stage|check [flags]"
                "xenmatchbox help [COMMAND]"
                "xenmatchbox version" ]
          "COMMANDS (xenmatchbox help COMMAND, or COMMAND --help, for one):\n" + commandList
          "FLAGS for bootloader_args, show, stage and check (--flag value or --flag=value):\n"
          + (operatorFlags |> List.map line |> String.concat "")
          + line Help
          + line Version
          libxlHeading + (libxlFlags |> List.map line |> String.concat "") + diskLine
          "EXAMPLE (domU config for xl create):\n"
          + block
              [ "type = \"pv\"                                 # or \"pvh\""
                "bootloader = \"/usr/bin/xenmatchbox\""
                "bootloader_args = [ \"--lookup\", \"mac=52:54:00:aa:bb:cc\" ]"
                "vif = [ \"mac=52:54:00:aa:bb:cc,bridge=xenbr0\" ]"
                "disk = [ \"format=raw,vdev=xvda,target=/dev/vg0/guest\" ]  # xl needs one" ]
          configuration
          paragraph (what Boot)
          errors ]

let commandText command =
    let flagsOf mode =
        all |> List.filter (fun f -> List.contains mode (spec f).Modes && f <> Help && f <> Version)
    let keys = keyFlags command
    let flags =
        match modeOf command with
        | None -> []
        | Some mode ->
            let others =
                flagsOf mode
                |> List.filter (fun f -> not (List.contains f keys) && not (command = Boot && isLibxl f))
                |> List.map (fun f -> (spec f).Name)
            [ "FLAGS:\n" + (keys |> List.map line |> String.concat "")
              if not others.IsEmpty then
                  paragraph $"Also {listed others}: see xenmatchbox help."
              if command = Boot then
                  libxlHeading + (libxlFlags |> List.map line |> String.concat "") + diskLine ]
    String.concat
        "\n"
        ([ paragraph $"xenmatchbox {commandName command}: {summary command}."
           (wrap 7 "USAGE:" (usage command) |> String.concat "\n") + "\n"
           paragraph (what command) ]
         @ flags
         @ [ "EXAMPLE:\n" + block (example command) ])
