/// The host's trust settings are a floor (Floor, XMB-119): what the host's configuration file or
/// its XENMATCHBOX_* environment sets for verify-assets, asset-key, lookup-key and lookup-max-age,
/// the command line (a domU's bootloader_args) may tighten, never weaken.
module FloorTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private hostFile = "/etc/xen/xenmatchbox.conf"

let private bootArgv extra =
    [ "--output=/var/lib/xen/bootloader.7.out"
      "--output-directory=/var/lib/xen/bootloader.7.d"
      "--lookup=mac=52:54:00:aa:bb:cc" ]
    @ extra
    @ [ "/dev/vg0/guest" ]

/// A run as xl starts it: the host's file (named by XENMATCHBOX_CONFIG or the default), the host's
/// variables, and the domU's bootloader_args; ownFile is the file a --config of the command line
/// names, read instead of the host's.
let private runWith (variables: (string * string) list) (host: string) (ownFile: (string * string) option) argv =
    let environment name =
        variables |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd
    let read, hostRead =
        match ownFile with
        | Some own -> Some own, Some(hostFile, host)
        | None -> Some(hostFile, host), None
    CommandLine.parseIn
        { CommandLine.noContext environment with
            OwnVariables = variables |> List.map fst
            ConfigFile = read
            HostConfigFile = hostRead }
        (List.toArray (bootArgv argv))

let private run variables host argv = runWith variables host None argv

let private trustOf result =
    match result with
    | Ok(CommandLine.Run settings) -> settings.Trust
    | other -> Expect.fail $"expected a boot, got %A{other}"

/// The flag (as errors name it) and value XMB-119 names, or None when the run was not refused so.
let private weakened result =
    match result with
    | Error(CommandLine(TrustWeakened(setting, value, _))) -> Some(setting, value)
    | _ -> None

let private pool = [ "/etc/xen/fedora.gpg"; "/etc/xen/flatcar.asc"; "/etc/xen/matchbox.gpg" ]

let private foreign = [ "/root/own.gpg"; "/tmp/k.gpg" ]

/// A set of the host's key files: one to three of the pool, in some order.
let private hostKeys =
    Gen.shuffle pool |> Gen.bind (fun keys -> Gen.choose (1, 3) |> Gen.map (fun n -> List.ofArray keys |> List.take n))

/// The command line's key files: none to three, from the pool or foreign.
let private givenKeys = Gen.elements (pool @ foreign) |> Gen.listOf |> Gen.map (List.truncate 3 >> List.distinct)

[<Property(MaxTest = 200)>]
let ``the command line may name fewer of the host's key files, never one the host does not name`` () =
    Prop.forAll
        (arb (Gen.zip3 (Gen.elements [ "asset-key"; "lookup-key" ]) hostKeys givenKeys))
        (fun (key, hosts, given) ->
            let host = String.concat "" [ "server = mb\n"; yield! hosts |> List.map (fun k -> $"{key} = {k}\n") ]
            let result = run [] host (given |> List.collect (fun k -> [ $"--{key}"; k ]))
            match given |> List.tryFind (fun k -> not (List.contains k hosts)) with
            | Some stranger -> Expect.equal "refused" (Some($"--{key}", stranger)) (weakened result)
            | None ->
                let trust = trustOf result
                let keys = if key = "asset-key" then trust.AssetKeys else trust.LookupKeys
                Expect.equal "keys" (if given.IsEmpty then hosts else given) keys)

[<Property(MaxTest = 100)>]
let ``where the host names no key files, the command line names its own`` () =
    Prop.forAll (arb (Gen.zip (Gen.elements [ "asset-key"; "lookup-key" ]) givenKeys)) (fun (key, given) ->
        let trust = trustOf (run [] "server = mb\n" (given |> List.collect (fun k -> [ $"--{key}"; k ])))
        Expect.equal "keys" given (if key = "asset-key" then trust.AssetKeys else trust.LookupKeys))

[<Property(MaxTest = 100)>]
let ``verify-assets the host requires cannot be turned off, only given again`` () =
    let spelling = Gen.elements [ "off"; "OFF"; " off"; "required"; "Required" ]
    Prop.forAll (arb (Gen.zip spelling (Gen.elements [ true; false ]))) (fun (value, inEnvironment) ->
        let variables, host =
            if inEnvironment then
                [ "XENMATCHBOX_VERIFY_ASSETS", "required"; "XENMATCHBOX_ASSET_KEY", "/etc/xen/fedora.gpg" ],
                "server = mb\n"
            else
                [], "server = mb\nverify-assets = required\nasset-key = /etc/xen/fedora.gpg\n"
        let result = run variables host [ $"--verify-assets={value}" ]
        if value.Trim().ToLowerInvariant() = "off" then
            Expect.equal "refused" (Some("--verify-assets", value)) (weakened result)
            let reason = Expect.error "XMB-119" result |> describe
            Expect.contains
                "names the host's setting"
                (if inEnvironment then
                     "(XENMATCHBOX_VERIFY_ASSETS is required)"
                 else
                     $"(verify-assets ({hostFile} line 2) is required)")
                reason
        else
            Expect.isTrue "verified" (trustOf result).VerifyAssets)

[<Property(MaxTest = 100)>]
let ``where the host does not require it, the command line turns verification on or leaves it off`` () =
    Prop.forAll (arb (Gen.elements [ "off"; "required" ])) (fun value ->
        let trust = trustOf (run [] "server = mb\nasset-key = /etc/xen/fedora.gpg\n" [ $"--verify-assets={value}" ])
        Expect.equal "verified" (value = "required") trust.VerifyAssets
        Expect.equal "the host's keys" [ "/etc/xen/fedora.gpg" ] trust.AssetKeys)

[<Property(MaxTest = 200)>]
let ``a signed answer may be no older than the host takes it, its lookup-max-age or the default`` () =
    let age = Gen.choose (Limits.MinLookupMaxAgeSeconds, Limits.MaxLookupMaxAgeSeconds)
    Prop.forAll (arb (Gen.zip3 (Gen.optionOf age) (Gen.elements [ true; false ]) age)) (fun (hostAge, hostKey, given) ->
        let host =
            String.concat
                ""
                [ "server = mb\n"
                  if hostKey then "lookup-key = /etc/xen/matchbox.gpg\n"
                  match hostAge with
                  | Some a -> $"lookup-max-age = {a}\n"
                  | None -> () ]
        let result = run [] host [ "--lookup-max-age"; string given ]
        let most =
            match hostAge with
            | Some a -> Some a
            | None when hostKey -> Some Limits.DefaultLookupMaxAgeSeconds
            | None -> None
        match most with
        | Some most when given > most ->
            Expect.equal "refused" (Some("--lookup-max-age", string given)) (weakened result)
        | _ -> Expect.equal "taken" given (trustOf result).LookupMaxAgeSeconds)

/// What a file the command line's --config names may set, line by line.
let private ownLines =
    Gen.subListOf
        [ "verify-assets = required"
          "verify-assets = off"
          "asset-key = /etc/xen/fedora.gpg"
          "asset-key = /root/own.gpg"
          "lookup-key = /etc/xen/matchbox.gpg" ]
    |> Gen.map (fun lines ->
        // One verify-assets line at most: a key set twice is XMB-115, another matter.
        match lines |> List.filter (fun l -> l.StartsWith "verify-assets") with
        | _ :: _ :: _ -> lines |> List.filter (fun l -> l <> "verify-assets = off")
        | _ -> lines)

[<Property(MaxTest = 200)>]
let ``a --config of the command line's replaces the host's file but not its floor`` () =
    Prop.forAll (arb ownLines) (fun lines ->
        let host =
            "server = mb\nverify-assets = required\nasset-key = /etc/xen/fedora.gpg\nlookup-key = /etc/xen/matchbox.gpg\n"
        let own = String.concat "" [ "server = mb\n"; yield! lines |> List.map (fun l -> l + "\n") ]
        let result = runWith [] host (Some("/srv/own.conf", own)) [ "--config"; "/srv/own.conf" ]
        let verified = List.contains "verify-assets = required" lines
        // Required without a key is XMB-101, judged before the floor.
        let invalid = verified && not (lines |> List.exists (fun l -> l.StartsWith "asset-key"))
        let keeps =
            verified
            && not (List.contains "asset-key = /root/own.gpg" lines)
            && List.contains "lookup-key = /etc/xen/matchbox.gpg" lines
        match result, weakened result with
        | Error(CommandLine(CommandLineRejected _)), _ -> Expect.isTrue $"XMB-101 for %A{lines}" invalid
        | _, None -> Expect.isTrue $"kept the floor with %A{lines}: %A{result}" (keeps && not invalid)
        | _, Some(setting, _) ->
            Expect.isTrue $"refused %A{lines}" (not keeps && not invalid)
            // The own file's line that weakens it, or --config itself for what it lacks.
            Expect.isTrue setting (setting = "--config" || setting.Contains "/srv/own.conf line"))

[<Fact>]
let ``a --config that names the host's own file is the host's file`` () =
    let host = "server = mb\nverify-assets = required\nasset-key = /etc/xen/fedora.gpg\n"
    let trust = trustOf (run [] host [ "--config"; hostFile ])
    Expect.isTrue "verified" trust.VerifyAssets

[<Fact>]
let ``show's report names what the host fixed, and where`` () =
    let host =
        "server = mb\nverify-assets = required\nasset-key = /etc/xen/fedora.gpg\nlookup-key = /etc/xen/matchbox.gpg\n"
    let floor = (trustOf (run [ "XENMATCHBOX_LOOKUP_MAX_AGE", "120" ] host [])).HostFloor
    Expect.equal
        "floor"
        [ "verify-assets", "required", $"{hostFile} line 2"
          "asset-key", "/etc/xen/fedora.gpg", $"{hostFile} line 3"
          "lookup-key", "/etc/xen/matchbox.gpg", $"{hostFile} line 4"
          "lookup-max-age", "120", "XENMATCHBOX_LOOKUP_MAX_AGE" ]
        (floor |> List.map (fun s -> s.Key, s.Value, s.Where))
    Expect.equal "nothing fixed" [] (trustOf (run [] "server = mb\nverify-assets = off\n" [])).HostFloor

[<Fact>]
let ``the flags the table marks as a floor are the trust settings the rule reads`` () =
    let marked = Flags.all |> List.filter (fun f -> (Flags.spec f).Floor)
    Expect.equal "floor flags" [ Flags.LookupKey; Flags.LookupMaxAge; Flags.AssetKey; Flags.VerifyAssets ] marked
    for flag in marked do
        Expect.isTrue
            $"{flag} may be set by the host"
            (Flags.settableIn Flags.InConfigFile flag && Flags.settableIn Flags.InEnvironment flag)

[<Fact>]
let ``XMB-119 names the flag, the host's file and line, and what to do`` () =
    let host = "server = mb\nverify-assets = required\nasset-key = /etc/xen/fedora.gpg\n"
    let error = Expect.error "XMB-119" (run [] host [ "--asset-key"; "/root/own.gpg" ])
    Expect.equalText
        $"XMB-119: --asset-key '/root/own.gpg' would weaken the host's trust settings: the host trusts only the asset-key files it names (/etc/xen/fedora.gpg, asset-key ({hostFile} line 3)) — the host's verify-assets, asset-key, lookup-key and lookup-max-age are a floor that bootloader_args may tighten, never lower: remove it from bootloader_args, or name only keys the host names; a new key or a longer age goes into the host's configuration file"
        (describe error)
    Expect.equal "exit" 2 (exitCode error)
