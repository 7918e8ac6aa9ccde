/// A file root reads must be root's alone, and so must every directory on the way to it, as sshd's
/// StrictModes judges a user's files (Ownership, XMB-118); judged on made-up file systems, each a
/// map from absolute paths to what lstat(2) would say.
module OwnershipTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Ownership
open Generators

/// An examiner over a made-up file system: anything not in it is missing.
let private examinerOf (entries: (string * Entry) list) (workingDirectory: string) =
    let table = Map.ofList entries
    { Examine = fun path -> table |> Map.tryFind path |> Option.defaultValue Missing
      WorkingDirectory = workingDirectory }

/// Root's, and writable by root alone: what a safe entry looks like.
let private rootDirectory = Directory(0, 0o755)

/// The rule, written out independently of the Domain: another owner than root, or the bit for
/// group write (0o020) or other write (0o002) set, makes an entry unsafe.
let private unsafeBy owner mode = owner <> 0 || mode &&& 0o020 <> 0 || mode &&& 0o002 <> 0

/// Owners: mostly root, sometimes a user or nobody.
let private owner = Gen.frequency [ 3, Gen.constant 0; 1, Gen.elements [ 1; 1000; 65534 ] ]

/// Modes: mostly the usual safe ones, sometimes any of the 4096.
let private mode =
    Gen.frequency
        [ 3, Gen.elements [ 0o755; 0o700; 0o711; 0o750; 0o1755; 0o2755; 0o644; 0o600; 0o4755 ]
          2, Gen.choose (0, 0o7777) ]

/// A chain of directories under / with a file at the end: the entries (/ first) and the file's path.
let private chain (prefix: string) =
    gen {
        let! depth = Gen.choose (0, 4)
        let! directories = Gen.listOfLength depth (Gen.zip owner mode)
        let! fileOwner = owner
        let! fileMode = mode
        let names = [ for i in 1..depth -> $"{prefix}{i}" ]
        let paths = names |> List.scan (fun (at: string) name -> at.TrimEnd '/' + "/" + name) "/" |> List.tail
        let file = (if depth = 0 then "" else List.last paths) + $"/{prefix}file"
        let entries = List.zip paths directories |> List.map (fun (p, (o, m)) -> p, Directory(o, m))
        return entries @ [ file, File(fileOwner, fileMode) ], file
    }

/// The faults the rule expects, in order, for entries that are all directories or files.
let private expectedFaults (entries: (string * Entry) list) =
    entries
    |> List.choose (fun (path, entry) ->
        match entry with
        | Directory(o, m) when unsafeBy o m -> Some(Unsafe(path, true, o, Some m))
        | File(o, m) when unsafeBy o m -> Some(Unsafe(path, false, o, Some m))
        | _ -> None)

let private verdictOf faults =
    match faults with
    | [] -> Safe
    | found -> Faulty found

[<Property(MaxTest = 300)>]
let ``a path without links is safe exactly when / and every directory and the file are root's alone`` () =
    Prop.forAll (arb (Gen.zip3 owner mode (chain "d"))) (fun (rootOwner, rootMode, (entries, file)) ->
        let all = ("/", Directory(rootOwner, rootMode)) :: entries
        let verdict = judge (examinerOf all "/") file
        Expect.equal file (verdictOf (expectedFaults all)) verdict)

[<Property(MaxTest = 200)>]
let ``only group and other write and the owner count: no other mode bit makes a safe file unsafe`` () =
    let harmless = Gen.choose (0, 0o7777) |> Gen.map (fun m -> m &&& ~~~0o022)
    Prop.forAll (arb (Gen.listOfLength 4 harmless)) (fun modes ->
        let entries =
            [ "/", Directory(0, modes[0])
              "/etc", Directory(0, modes[1])
              "/etc/xen", Directory(0, modes[2])
              "/etc/xen/k.gpg", File(0, modes[3]) ]
        Expect.equal "verdict" Safe (judge (examinerOf entries "/") "/etc/xen/k.gpg"))

[<Property(MaxTest = 200)>]
let ``a directory others may write is unsafe, sticky bit or not`` () =
    let others = Gen.choose (0, 0o7777) |> Gen.map (fun m -> m ||| 0o002)
    Prop.forAll (arb (Gen.zip others (Gen.elements [ true; false ]))) (fun (m, sticky) ->
        let m = if sticky then m ||| 0o1000 else m &&& ~~~0o1000
        let entries = [ "/", rootDirectory; "/tmp", Directory(0, m); "/tmp/x.conf", File(0, 0o600) ]
        Expect.equal
            "verdict"
            (Faulty [ Unsafe("/tmp", true, 0, Some m) ])
            (judge (examinerOf entries "/") "/tmp/x.conf"))

[<Fact>]
let ``/tmp itself, mode 1777, is the fault named for a file under it, with moving the file as the fix`` () =
    let entries =
        [ "/", rootDirectory
          "/tmp", Directory(0, 0o1777)
          "/tmp/k", Directory(0, 0o700)
          "/tmp/k/a.gpg", File(0, 0o644) ]
    match judge (examinerOf entries "/") "/tmp/k/a.gpg" with
    | Faulty [ fault ] ->
        Expect.equalText "the directory /tmp is writable by group and others (mode 1777)" (describe fault)
        Expect.contains "mend" "move the file out of /tmp" (mend fault)
    | other -> Expect.fail $"%A{other}"

[<Fact>]
let ``the fix names chown root and chmod go-w for what it mends`` () =
    Expect.equalText "chown root /etc/xen/x.conf" (mend (Unsafe("/etc/xen/x.conf", false, 65534, Some 0o644)))
    Expect.equalText "chmod go-w /etc/xen/x.conf" (mend (Unsafe("/etc/xen/x.conf", false, 0, Some 0o664)))
    Expect.equalText "chown root /srv/k && chmod go-w /srv/k" (mend (Unsafe("/srv/k", true, 1000, Some 0o777)))
    Expect.equalText
        "the file /etc/xen/x.conf is owned by uid 65534 and writable by group and others (mode 0666)"
        (describe (Unsafe("/etc/xen/x.conf", false, 65534, Some 0o666)))
    Expect.equalText
        "the directory /srv is writable by others (mode 0757)"
        (describe (Unsafe("/srv", true, 0, Some 0o757)))
    Expect.equalText
        "the directory /srv is writable by group (mode 0775)"
        (describe (Unsafe("/srv", true, 0, Some 0o775)))
    Expect.equalText "the device /dev/pts/3 is owned by uid 1000" (describe (Unsafe("/dev/pts/3", false, 1000, None)))

[<Property(MaxTest = 300)>]
let ``a symbolic link is judged by the directories it sits in and the path it leads to`` () =
    let link =
        gen {
            let! (linkEntries, linkFile) = chain "l"
            let! (targetEntries, target) = chain "t"
            let! relative = Gen.elements [ true; false ]
            return linkEntries, linkFile, targetEntries, target, relative
        }
    Prop.forAll (arb link) (fun (linkEntries, linkFile, targetEntries, target, relative) ->
        // The link stands where the first chain's file was; its directories hold it.
        let holders = linkEntries |> List.filter (fun (p, _) -> p <> linkFile)
        let depth = linkFile.Split('/').Length - 2
        let written = if relative then String.replicate depth "../" + target.TrimStart '/' else target
        let entries =
            ("/", rootDirectory) :: holders @ [ linkFile, Link written ] @ targetEntries |> List.distinctBy fst
        let expected = expectedFaults holders @ expectedFaults targetEntries |> List.distinct
        Expect.equal $"{linkFile} -> {written}" (verdictOf expected) (judge (examinerOf entries "/") linkFile))

[<Property(MaxTest = 200)>]
let ``a link in a directory others may write is never safe, wherever it leads`` () =
    Prop.forAll
        (arb (Gen.zip (Gen.choose (0, 0o7777) |> Gen.map (fun m -> m ||| 0o020)) (chain "t")))
        (fun (m, (targets, target)) ->
            let entries =
                ("/", rootDirectory) :: ("/shared", Directory(0, m)) :: ("/shared/k.gpg", Link target) :: targets
            match judge (examinerOf entries "/") "/shared/k.gpg" with
            | Faulty(Unsafe("/shared", true, 0, Some found) :: _) -> found = m
            | _ -> false)

[<Fact>]
let ``a loop of links is given up on, as the kernel gives up`` () =
    let entries = [ "/", rootDirectory; "/etc", rootDirectory; "/etc/a", Link "b"; "/etc/b", Link "/etc/a" ]
    Expect.equal "safe loop" Unresolved (judge (examinerOf entries "/") "/etc/a")
    let shared = [ "/", rootDirectory; "/tmp", Directory(0, 0o1777); "/tmp/a", Link "/tmp/a" ]
    Expect.equal
        "loop under /tmp"
        (Faulty [ Unsafe("/tmp", true, 0, Some 0o1777) ])
        (judge (examinerOf shared "/") "/tmp/a")

[<Property(MaxTest = 200)>]
let ``a path that leads nowhere is left to the read, unless something unsafe came before`` () =
    Prop.forAll (arb (chain "d")) (fun (entries, file) ->
        let entries = ("/", rootDirectory) :: entries
        // Everything up to the file's directory decides: the file is not judged.
        let expected =
            match expectedFaults (entries |> List.filter (fun (p, _) -> p <> file)) with
            | [] -> Unresolved
            | faults -> Faulty faults
        let withoutFile = entries |> List.filter (fun (p, _) -> p <> file)
        Expect.equal $"{file} missing" expected (judge (examinerOf withoutFile "/") file)
        // A file in the middle of a path is not a directory (ENOTDIR).
        Expect.equal $"{file}/x" expected (judge (examinerOf entries "/") (file + "/x")))

[<Fact>]
let ``a relative path starts from the working directory, which is judged too, and .. goes back up`` () =
    let entries =
        [ "/", rootDirectory
          "/home", rootDirectory
          "/home/op", Directory(1000, 0o755)
          "/etc", rootDirectory
          "/etc/xen", rootDirectory
          "/etc/xen/x.conf", File(0, 0o644) ]
    Expect.equal "from /etc" Safe (judge (examinerOf entries "/etc") "xen/x.conf")
    Expect.equal
        "from /home/op"
        (Faulty [ Unsafe("/home/op", true, 1000, Some 0o755) ])
        (judge (examinerOf entries "/home/op") "../../etc/xen/x.conf")
    Expect.equal
        "through /home/op and back"
        (Faulty [ Unsafe("/home/op", true, 1000, Some 0o755) ])
        (judge (examinerOf entries "/") "/home/op/../../etc/xen/x.conf")
    Expect.equal "/.. is /" Safe (judge (examinerOf entries "/") "/../etc/./xen//x.conf")

[<Fact>]
let ``a device is judged by its owner, not its mode: /dev/null stays a way to say no configuration`` () =
    let entries =
        [ "/", rootDirectory
          "/dev", rootDirectory
          "/dev/null", Device 0
          "/dev/pts", rootDirectory
          "/dev/pts/3", Device 1000 ]
    Expect.equal "/dev/null" Safe (judge (examinerOf entries "/") "/dev/null")
    Expect.equal
        "a user's terminal"
        (Faulty [ Unsafe("/dev/pts/3", false, 1000, None) ])
        (judge (examinerOf entries "/") "/dev/pts/3")

[<Fact>]
let ``an entry lstat cannot examine is a fault: root does not read what it cannot judge`` () =
    let entries = [ "/", rootDirectory; "/mnt", Unexaminable "Permission denied" ]
    Expect.equal
        "verdict"
        (Faulty [ Unexamined("/mnt", "Permission denied") ])
        (judge (examinerOf entries "/") "/mnt/x.conf")

[<Fact>]
let ``an empty path leads nowhere`` () =
    Expect.equal "verdict" Unresolved (judge (examinerOf [ "/", rootDirectory ] "/") "")

// ---- the rule in a run ----

let private file = "/etc/xen/xenmatchbox.conf"

let private safeHost =
    [ "/", rootDirectory
      "/etc", rootDirectory
      "/etc/xen", rootDirectory
      file, File(0, 0o644)
      "/etc/xen/fedora.gpg", File(0, 0o644)
      "/etc/matchbox", rootDirectory
      "/etc/matchbox/ca.crt", File(0, 0o644)
      "/etc/matchbox/client.crt", File(0, 0o644)
      "/etc/matchbox/client.key", File(0, 0o600)
      "/tmp", Directory(0, 0o1777)
      "/tmp/k.gpg", File(0, 0o644) ]

let private parse (entries: (string * Entry) list) (config: string) (argv: string list) =
    CommandLine.parseIn
        { CommandLine.noContext (fun _ -> None) with
            ConfigFile = Some(file, config)
            Examiner = Some(examinerOf entries "/") }
        (List.toArray argv)

let private boot extra =
    [ "--output=/var/lib/xen/bootloader.7.out"
      "--output-directory=/var/lib/xen/bootloader.7.d"
      "--lookup=mac=52:54:00:aa:bb:cc" ]
    @ extra
    @ [ "/dev/vg0/guest" ]

let private hostConfig =
    "server = mb\nca = /etc/matchbox/ca.crt\ncert = /etc/matchbox/client.crt\nkey = /etc/matchbox/client.key\nverify-assets = required\nasset-key = /etc/xen/fedora.gpg\n"

[<Fact>]
let ``root's own files boot`` () =
    match parse safeHost hostConfig (boot []) with
    | Ok(CommandLine.Run _) -> ()
    | other -> Expect.fail $"%A{other}"

[<Fact>]
let ``an unsafe configuration file is refused before a line of it is read`` () =
    let entries = safeHost |> List.map (fun (p, e) -> if p = file then p, File(65534, 0o666) else p, e)
    match parse entries "this is not a configuration file" (boot []) with
    | Error(Errors.CommandLine(UnsafeFile("the configuration file", path, [ Unsafe(_, false, 65534, Some 0o666) ]))) ->
        Expect.equalText file path
    | other -> Expect.fail $"%A{other}"

[<Fact>]
let ``each file root reads is judged, named as it was set`` () =
    match parse safeHost hostConfig (boot [ "--lookup-key"; "/tmp/k.gpg" ]) with
    | Error(Errors.CommandLine(UnsafeFile("--lookup-key", "/tmp/k.gpg", [ Unsafe("/tmp", true, 0, Some 0o1777) ])) as error) ->
        Expect.contains "fix" "move the file out of /tmp" (fix error)
    | other -> Expect.fail $"%A{other}"
    let openKey =
        safeHost
        |> List.map (fun (p, e) -> if p = "/etc/matchbox/client.key" then p, File(0, 0o640 ||| 0o020) else p, e)
    match parse openKey hostConfig (boot []) with
    | Error(Errors.CommandLine(UnsafeFile("key (/etc/xen/xenmatchbox.conf line 4)", "/etc/matchbox/client.key", _)) as error) ->
        Expect.contains
            "line"
            "XMB-118: key (/etc/xen/xenmatchbox.conf line 4) '/etc/matchbox/client.key' is not safe for root to read: the file /etc/matchbox/client.key is writable by group (mode 0660)"
            (Errors.describe error)
        Expect.contains "fix" "chmod go-w /etc/matchbox/client.key" (Errors.describe error)
    | other -> Expect.fail $"%A{other}"

[<Fact>]
let ``without an examiner (a run that is not root's) nothing is judged`` () =
    let run =
        CommandLine.parseIn
            { CommandLine.noContext (fun _ -> None) with ConfigFile = Some(file, hostConfig) }
            (List.toArray (boot [ "--lookup-key"; "/tmp/k.gpg" ]))
    match run with
    | Ok(CommandLine.Run _) -> ()
    | other -> Expect.fail $"%A{other}"

[<Fact>]
let ``check reports every file instead of refusing the run`` () =
    let entries = safeHost |> List.map (fun (p, e) -> if p = file then p, File(0, 0o666) else p, e)
    match parse entries hostConfig [ "check"; "--lookup-key"; "/tmp/k.gpg" ] with
    | Ok(CommandLine.Check(_, files)) ->
        let verdicts =
            files
            |> List.map (fun f ->
                f.Flag,
                f.Path,
                (match f.Verdict with
                 | Faulty _ -> "unsafe"
                 | Safe -> "safe"
                 | Unresolved -> "nowhere"))
        Expect.equal
            "files"
            [ "--config", file, "unsafe"
              "--ca", "/etc/matchbox/ca.crt", "safe"
              "--cert", "/etc/matchbox/client.crt", "safe"
              "--key", "/etc/matchbox/client.key", "safe"
              "--lookup-key", "/tmp/k.gpg", "unsafe"
              "--asset-key", "/etc/xen/fedora.gpg", "safe" ]
            verdicts
    | other -> Expect.fail $"%A{other}"

[<Fact>]
let ``check fails a line for each unsafe file and does not read it; one line says when all are root's`` () =
    let now = System.DateTimeOffset.UtcNow
    let judged flag path verdict : CommandLine.RootFile =
        { Flag = flag; Setting = flag; Path = path; Verdict = verdict }
    let unsafeKey = judged "--lookup-key" "/tmp/k.gpg" (Faulty [ Unsafe("/tmp", true, 0, Some 0o1777) ])
    let unsafeCa = judged "--ca" "/srv/ca.crt" (Faulty [ Unsafe("/srv", true, 1000, Some 0o755) ])
    let lines = Check.judge now (Check.RootFiles [ judged "--config" file Safe; unsafeCa; unsafeKey ]) Check.Parsed
    Expect.equal "subjects" [ "--ca /srv/ca.crt"; "--lookup-key /tmp/k.gpg" ] (lines |> List.map _.Subject)
    Expect.isTrue "all failed" (lines |> List.forall (fun l -> l.Verdict = Check.Fail))
    Expect.isTrue "XMB-118" (lines |> List.forall (fun l -> l.Text.StartsWith "XMB-118: --"))
    Expect.isTrue "TLS files not read" (Check.blocked lines Check.TlsFiles |> Option.isSome)
    Expect.isTrue
        "key file not read"
        (Check.blocked lines (Check.KeyFile("--lookup-key", "/tmp/k.gpg")) |> Option.isSome)
    Expect.equal "another key file" None (Check.blocked lines (Check.KeyFile("--asset-key", "/etc/xen/fedora.gpg")))
    let tlsSkipped =
        Check.judge now Check.TlsFiles (Check.NotTried "root does not read a TLS file that others may change")
    Expect.equal "TLS files line" [ "TLS files" ] (tlsSkipped |> List.map _.Subject)
    let route = Boot.Grpc("mb", "mb:8081")
    Expect.isTrue "gRPC needs the TLS files" (Check.blocked tlsSkipped (Check.Lookup route) |> Option.isSome)
    let allSafe =
        Check.judge now (Check.RootFiles [ judged "--config" file Safe; judged "--ca" "/etc/ca.crt" Safe ]) Check.Parsed
    Expect.equal
        "all root's"
        [ "✓ files read as root: 2 files, and every directory above them, root's and writable by root alone\n" ]
        (allSafe |> List.map Check.renderLine)
