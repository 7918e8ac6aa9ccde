module XenMatchbox.Domain.Manual

open System
open XenMatchbox.Domain.Flags

let escape (text: string) =
    let character (c: char) =
        match c with
        | '\\' -> "\\e"
        | '-' -> "\\-"
        | c when int c > 127 -> $"\\[u{int c:X4}]"
        | c -> string c
    text.Split '\n'
    |> Array.map (fun line ->
        let escaped = String.collect character line
        if line.StartsWith "." || line.StartsWith "'" then "\\&" + escaped else escaped)
    |> String.concat "\n"

/// A flag's names in bold and its value's placeholder in italics: "--ca, --ca-file path".
let private flagTerm flag =
    let bold = names flag |> List.map (fun n -> $"\\fB{escape n}\\fR") |> String.concat ", "
    match (spec flag).Value with
    | Some value -> $"{bold} \\fI{escape value}\\fR"
    | None -> bold

/// A tagged paragraph: the term on its own line, the body below it.
let private tagged (term: string) (body: string) = $".TP\n{term}\n{body}\n"

/// Where the package installs README.md, the full documentation.
[<Literal>]
let InstalledReadme = "/usr/share/doc/xenmatchbox/README.md.gz"

/// A flag's description as --help gives it, with "the README" as where dom0 has it.
let pageDescription flag =
    (Usage.description flag).Replace("the README", InstalledReadme)

let private flagEntry flag = tagged (flagTerm flag) (escape (pageDescription flag))

let private header name section version title =
    $".\\\" Generated from xenmatchbox's flag table (src/XenMatchbox.Domain/CommandLine/Flags.fs) by Manual.fs.\n"
    + $".TH {name} {section} \"\" \"xenmatchbox {escape version}\" \"{title}\"\n"

let private section (title: string) = $".SH {title}\n"

let private paragraph (text: string) = escape text + "\n.PP\n"

/// A block shown as typed, e.g. a domU config.
let private example (lines: string) =
    ".PP\n.nf\n.RS 4\n" + escape (lines.TrimEnd '\n') + "\n.RE\n.fi\n"

let private operatorFlags = all |> List.filter (fun f -> not (spec f).FromLibxl && f <> Help && f <> Version)

let private libxlFlags = all |> List.filter (fun f -> (spec f).FromLibxl)

let private domUConfig =
    """name = "fcos-1"
type = "pv"                                  # or "pvh"
memory = 2048
vif = [ "mac=52:54:00:aa:bb:cc,bridge=xenbr0" ]
disk = [ "format=raw,vdev=xvda,target=/dev/vg0/fcos-1" ]   # xl requires a disk
bootloader = "/usr/bin/xenmatchbox"
bootloader_args = [ "--lookup", "mac=52:54:00:aa:bb:cc" ]  # the rest from xenmatchbox.conf
extra = "console=hvc0"                       # appended to the profile's args"""

/// The trust settings whose host value is a floor (FlagSpec.Floor), by their keys: "verify-assets, …".
let private floorKeys =
    let named = all |> List.filter (fun f -> (spec f).Floor) |> List.map (fun f -> (keys f).Head)
    match List.rev named with
    | last :: earlier when not earlier.IsEmpty -> String.concat ", " (List.rev earlier) + " and " + last
    | _ -> String.concat "" named

/// Every exit status a run can end with: 0, each error's stage (ErrorCatalogue, from
/// Errors.exitCode) and check's.
let private exitStatuses =
    [ yield "0", "the boot succeeded: libxl's result is written (or show and stage finished)"
      for status, meaning in ErrorCatalogue.exitStatuses -> string status, meaning
      yield string Errors.CheckFailedStatus, "check: a check failed (its line starts with ✗)" ]

/// Markdown's code spans as plain text.
let private plain (markdown: string) = markdown.Replace("`", "")

/// Each code with its exit status, what failed and the fix, as README.md's error table lists them.
let private errorEntries =
    ErrorCatalogue.entries
    |> List.map (fun entry ->
        tagged
            $"\\fB{entry.Code}\\fR (exit status {entry.Status})"
            (escape (plain entry.Failed) + "\n.br\n" + escape $"Fix: {entry.Fix}"))
    |> String.concat ""

/// The top-level members of show --json's object, in its order, and what each holds.
let jsonKeys =
    [ "format", "1, the version of this layout."
      "version", "the release, as --version says it."
      "commit", "the full hex id of the git commit it was built from, or null."
      "profile", "the profile's id over gRPC; over HTTP, the /ipxe lookup it came from."
      "labels", "the labels the profile was looked up by, an object {\"key\": \"value\"}."
      "floor",
      "the trust settings the host fixed, each {\"setting\", \"value\", \"source\"} (a file and line, a XENMATCHBOX_* variable, or the default); [] when none."
      "lookup",
      "{\"protocol\": \"gRPC\" or \"HTTP\", \"endpoint\", \"signer\", \"age\"}: where the profile came from; signer is the key that signed /ipxe and age is {\"signedAt\", \"seconds\", \"maxSeconds\"}, both null when the answer was not signed."
      "assets",
      "the kernel, then each initrd: {\"role\": \"kernel\" or \"initrd\", \"url\", \"head\", \"signature\"}. head is {\"status\": \"declared\", \"bytes\"}, {\"status\": \"undeclared\"} or {\"status\": \"failed\"} with an error; signature is {\"status\": \"unchecked\"}, {\"status\": \"vouched\", \"url\", \"signer\"} or {\"status\": \"refused\", \"url\"} with an error."
      "download", "{\"declaredBytes\", \"undeclared\"}: the declared sizes added up, and how many assets declared none."
      "verdict", "{\"ok\": true}, or {\"ok\": false} with the error the boot would end with."
      "args", "the expanded kernel command line, or null."
      "output",
      "{\"format\", \"kernel\", \"ramdisk\", \"args\", \"base64\", \"text\"}: the items libxl would read and its exact bytes, base64 and as a string."
      "a signer", "{\"keyId\", \"fingerprint\", \"primaryFingerprint\", \"userId\", \"mode\": \"binary\" or \"text\"}."
      "an error", "\"code\" (XMB-nnn), \"cause\" and \"exitStatus\", as ERRORS lists them." ]

let commandPage version =
    let commands =
        [ "\\fBxenmatchbox\\fR [\\fIlibxl's flags\\fR] [\\fIbootloader_args\\fR] \\fIdisk\\fR",
          "What libxl runs as bootloader= for a PV or PVH domU: looks the domU's profile up at matchbox, downloads its kernel and initrds into \\-\\-output\\-directory and writes kernel, ramdisk and args to \\-\\-output."
          "\\fBxenmatchbox show\\fR [\\fIflags\\fR]",
          "Prints what a boot would do: the profile, each asset's size, the args and the bytes libxl would read; downloads and writes nothing."
          "\\fBxenmatchbox stage \\-\\-dir\\fR \\fIDIR\\fR [\\fIflags\\fR]",
          "Downloads the kernel and ramdisk into DIR and prints kernel, ramdisk and cmdline lines for an xl.cfg without bootloader=."
          "\\fBxenmatchbox check\\fR [\\fIflags\\fR]",
          "Checks the set-up a boot with the same flags and configuration file would use, one line each (passed, a warning, or failed with the fix): the configuration, the TLS files and their expiry, the key files, each server, the cache directory, xenstore when a label needs it, and with \\-\\-lookup the profile and its assets; exits 0 only when nothing failed."
          "\\fBxenmatchbox version\\fR | \\fB\\-V\\fR | \\fB\\-\\-version\\fR", escape (Usage.description Version)
          "\\fBxenmatchbox help\\fR [\\fICOMMAND\\fR] | \\fICOMMAND\\fR \\fB\\-\\-help\\fR",
          escape
              "print the usage with every flag; with a command (boot, show, stage, check, help, version), that command's page: what it does, its usage, its flags and an example." ]
    String.concat
        ""
        [ header "XENMATCHBOX" 1 version "User Commands"
          section "NAME"
          "xenmatchbox \\- Xen bootloader that netboots domUs from a matchbox provisioning server\n"
          section "SYNOPSIS"
          commands |> List.map (fun (synopsis, _) -> synopsis + "\n.br\n") |> String.concat ""
          section "DESCRIPTION"
          paragraph
              "xl create runs the program named by bootloader= before it builds a domain. xenmatchbox asks matchbox which profile matches the domU's labels (--lookup, e.g. its MAC), over gRPC with mutual TLS when a client certificate is given (--cert, --key), else from matchbox's read-only /ipxe endpoint. It downloads the profile's kernel and initrds through a shared cache, expands ${label} and {{ .label }} in the profile's args and hands kernel, ramdisk and args back to libxl."
          paragraph
              "libxl passes its own flags, then the domU config's bootloader_args, then the disk. libxl does not tell a bootloader the domU's vif MACs: give the same MAC to vif and to --lookup. Every flag takes both --flag value and --flag=value."
          paragraph
              "libvirt's libxl driver passes a domain's <bootloader_args> as one argument. An argument of bootloader_args that holds a blank is therefore split into words as a POSIX shell splits them (quotes and backslashes honoured, nothing expanded); libxl's own flags and the disk never are. A value that holds a blank is quoted inside it, in xl's list too: \"'name=my guest'\". An example domain: /usr/share/doc/xenmatchbox/examples/libvirt.xml."
          paragraph
              "Without --quiet, the first line on standard error names the version; every failure is one line, xenmatchbox: XMB-nnn: cause — fix, with nothing of the run left in the output directory."
          paragraph
              "Run as root (as libxl runs it), it reads the configuration file and every TLS and key file only when root alone can change the file and every directory above it, up to /: see xenmatchbox.conf(5)."
          section "COMMANDS"
          commands |> List.map (fun (synopsis, body) -> tagged synopsis body) |> String.concat ""
          section "OPTIONS"
          operatorFlags |> List.map flagEntry |> String.concat ""
          tagged "\\fIdisk\\fR" "The boot disk libxl passes last; not read."
          flagEntry Help
          flagEntry Version
          ".SS Flags libxl passes\n"
          libxlFlags |> List.map flagEntry |> String.concat ""
          section "ENVIRONMENT"
          paragraph
              $"Every flag of bootloader_args that the environment may set has a variable {VariablePrefix}<FLAG> (upper case, '-' as '_'), listed in xenmatchbox.conf(5). The command line wins over the environment, the environment over the configuration file, except that the trust settings the host sets ({floorKeys}) are a floor the command line may tighten but not weaken (XMB-119): xl's environment is the host's, like its configuration file. See xenmatchbox.conf(5)."
          tagged
              "\\fBLIBXL_BOOTLOADER_TIMEOUT\\fR"
              (escape
                  $"Set by libxl: the boot finishes {Limits.LibxlMarginSeconds} s before it, unless --timeout is given.")
          section "FILES"
          tagged
              $"\\fI{escape ConfigFile.DefaultPath}\\fR"
              "The host's configuration file, read when it exists; see xenmatchbox.conf(5)."
          tagged
              $"\\fI{escape Cache.DefaultDirectory}\\fR"
              "The shared asset cache (\\-\\-cache\\-dir), revalidated with the server on every boot."
          tagged
              $"\\fI{escape InstalledReadme}\\fR"
              "The full documentation (read it with zless): set\\-up, trust, the cache, restricted mode, and the same table of errors as ERRORS below."
          section "JSON OUTPUT"
          paragraph "xenmatchbox show --json prints one JSON object, for scripts, with these members in this order:"
          jsonKeys |> List.map (fun (key, body) -> tagged $"\\fB{escape key}\\fR" (escape body)) |> String.concat ""
          section "EXIT STATUS"
          exitStatuses |> List.map (fun (status, body) -> tagged status (escape body)) |> String.concat ""
          section "ERRORS"
          paragraph
              "Every failure is one line on standard error, xenmatchbox: XMB-nnn: cause — fix, with the details of the run in the cause. The codes, what failed, and the fix (placeholders in capitals stand for what the line names):"
          errorEntries
          section "EXAMPLE"
          "A domU config for xl create, with the server and certificates in xenmatchbox.conf(5):\n"
          example domUConfig
          section "SEE ALSO"
          "\\fBxenmatchbox.conf\\fR(5), \\fBxl\\fR(1), \\fBxl.cfg\\fR(5)\n" ]

/// The keys of the configuration file, in --help's order.
let private fileFlags = all |> List.filter (settableIn InConfigFile)

let private keyTerm flag =
    let bold = keys flag |> List.map (fun k -> $"\\fB{escape k}\\fR") |> String.concat ", "
    match (spec flag).Value with
    | Some value -> $"{bold} = \\fI{escape value}\\fR"
    | None -> $"{bold} = \\fItrue\\fR|\\fIfalse\\fR"

let private variableTerm flag =
    let value =
        match (spec flag).Value with
        | Some value -> escape value
        | None -> "true|false"
    $"\\fB{escape (variable flag)}\\fR=\\fI{value}\\fR"

let private configExample =
    """server = matchbox.example.com
ca = /etc/matchbox/ca.crt
cert = /etc/matchbox/client.crt
key = /etc/matchbox/client.key
cache-size = 8G"""

let configPage version =
    String.concat
        ""
        [ header "XENMATCHBOX.CONF" 5 version "File Formats"
          section "NAME"
          "xenmatchbox.conf \\- host-wide settings of the xenmatchbox Xen bootloader\n"
          section "SYNOPSIS"
          $"\\fI{escape ConfigFile.DefaultPath}\\fR\n"
          section "DESCRIPTION"
          paragraph
              $"xenmatchbox(1) reads {ConfigFile.DefaultPath} when it exists, so that every domU config on a dom0 names only its labels. --config FILE or {ConfigFile.Variable} names another file, which must then exist. The command line wins over the environment, the environment over the file."
          paragraph
              $"The file is UTF-8 text of at most {ConfigFile.MaxBytes / 1024} KiB, one setting per line: key = value. Spaces around the key and the value are ignored, and a value may be enclosed in double quotes. A line that is blank or starts with # is ignored; a # later in a line is part of the value. A switch takes true or false (also yes/no, on/off, 1/0). A key is a flag's long name without the leading --; an unknown key, a key given twice, or a flag the file may not set fails every boot with XMB-115, naming the file and the line."
          paragraph
              $"The trust settings ({floorKeys}) that the host sets, in this file or in a {VariablePrefix}* variable (xl's environment is the host's), are a floor: a domU's bootloader_args may tighten them (--verify-assets=required, fewer of the key files named here, a shorter --lookup-max-age) but not weaken them (--verify-assets=off; a key file not named here, instead of these or beside them; a longer --lookup-max-age, whose default counts once lookup-key is set here; a --config naming another file, which then replaces this one for every other setting but not for these). Weakening fails the boot with XMB-119, naming the flag and this file's line. Where the host sets none of a kind, the command line sets it as it likes."
          paragraph
              "Run as root (as libxl runs it), xenmatchbox reads this file, and every file a setting names (ca, cert, key, web-ca, lookup-key, asset-key), only when neither the file nor any directory above it, up to /, is owned by another user than root or writable by group or others, as sshd's StrictModes judges a user's files; otherwise the run fails with XMB-118, naming the entry and the chown root or chmod go-w that mends it. A directory everyone may write is unsafe even with its sticky bit (/tmp): keep such files under /etc. A symbolic link is judged by where it leads and by the directories it is in."
          section "KEYS"
          fileFlags
          |> List.map (fun f ->
              let floor =
                  if (spec f).Floor then
                      " Set by the host, a floor bootloader_args may tighten but not weaken."
                  else
                      ""
              tagged (keyTerm f) (escape (pageDescription f + floor)))
          |> String.concat ""
          section "ENVIRONMENT"
          paragraph
              $"Each variable sets its flag as the file's key does, and wins over the file; a switch takes true or false. A {VariablePrefix}* variable that xenmatchbox does not read fails the boot with XMB-115."
          all
          |> List.filter (settableIn InEnvironment)
          |> List.map (fun f -> tagged (variableTerm f) (escape $"as {(spec f).Name}: {pageDescription f}"))
          |> String.concat ""
          section "EXAMPLE"
          example configExample
          section "FILES"
          tagged $"\\fI{escape ConfigFile.DefaultPath}\\fR" "This file."
          section "SEE ALSO"
          "\\fBxenmatchbox\\fR(1)\n" ]

let configFile =
    let comment (text: string) = $"# {text}\n"
    let entry flag =
        let s = spec flag
        let value =
            match s.Value, s.Default with
            | None, _ -> "true"
            | Some _, Some shown -> shown.Split(',')[0]
            | Some placeholder, None -> placeholder.ToUpperInvariant()
        comment (Usage.description flag) + $"#{(keys flag).Head} = {value}\n\n"
    String.concat
        ""
        [ comment $"{ConfigFile.DefaultPath}: what every domU on this dom0 shares, so that a domU config names"
          comment "only its labels. Nothing is set here: uncomment and set what this host needs."
          comment "Syntax and every key: man 5 xenmatchbox.conf. The command line, then the"
          comment $"{VariablePrefix}* environment, win over this file; but what this file sets for"
          comment $"{floorKeys} is a floor: a domU's"
          comment "bootloader_args may tighten it, never weaken it."
          "\n"
          fileFlags |> List.map entry |> String.concat "" ]
