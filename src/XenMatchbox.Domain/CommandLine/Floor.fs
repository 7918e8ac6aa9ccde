module internal XenMatchbox.Domain.Floor

open XenMatchbox.Domain.Errors

type Setting = { Key: string; Value: string; Named: string; Where: string }

type Trust =
    { VerifyAssets: Setting option
      AssetKeys: Setting list
      LookupKeys: Setting list
      LookupMaxAge: Setting option }

let private required (setting: Setting option) =
    setting |> Option.exists (fun s -> s.Value.Trim().ToLowerInvariant() = "required")

/// lookup-max-age when the host names lookup keys without one: the default, as a setting.
let private defaultMaxAge =
    { Key = "lookup-max-age"
      Value = string Limits.DefaultLookupMaxAgeSeconds
      Named = "the default"
      Where = "the default" }

/// The host's lookup-max-age, or the default when it names lookup keys; None when it sets neither.
let private hostMaxAge (host: Trust) =
    match host.LookupMaxAge with
    | Some age -> Some age
    | None when not host.LookupKeys.IsEmpty -> Some defaultMaxAge
    | None -> None

let fixedBy (host: Trust) =
    [ if required host.VerifyAssets then
          yield! Option.toList host.VerifyAssets
      yield! host.AssetKeys
      yield! host.LookupKeys
      yield! Option.toList (hostMaxAge host) ]

/// The host's files of one kind as a message lists them: "K, asset-key (F line 4); …".
let private listed (settings: Setting list) =
    settings |> List.map (fun s -> $"{s.Value}, {s.Named}") |> String.concat "; "

let check (host: Trust) (effective: Trust) (replacedBy: Setting option) =
    let weakened (setting: Setting option) reason =
        // A setting the run lacks can only be missing because --config replaced the host's file.
        match setting, replacedBy with
        | Some s, _ -> Error(CommandLine(TrustWeakened(s.Named, s.Value, reason)))
        | None, Some config ->
            Error(
                CommandLine(
                    TrustWeakened(
                        config.Named,
                        config.Value,
                        $"it replaces the host's configuration file, and {reason}"
                    )
                )
            )
        | None, None -> Error(CommandLine(TrustWeakened("the command line", "", reason)))
    let foreign (run: Setting list) (hosts: Setting list) =
        let named = hosts |> List.map _.Value |> Set.ofList
        run |> List.tryFind (fun s -> not (named.Contains s.Value))
    let verification () =
        match host.VerifyAssets with
        | Some h when required host.VerifyAssets && not (required effective.VerifyAssets) ->
            weakened effective.VerifyAssets $"the host requires verified assets ({h.Named} is required)"
        | _ -> Ok()
    let keys (key: string) (hosts: Setting list) (run: Setting list) mustHave =
        if hosts.IsEmpty then
            Ok()
        else
            let only = $"the host trusts only the {key} files it names ({listed hosts})"
            match foreign run hosts with
            | Some s -> weakened (Some s) only
            | None when mustHave && run.IsEmpty ->
                weakened None $"the host has every lookup signed by the {key} files it names ({listed hosts})"
            | None -> Ok()
    let age () =
        match hostMaxAge host with
        | None -> Ok()
        | Some h ->
            let seconds (s: Setting) =
                if s.Where = defaultMaxAge.Where then
                    Ok Limits.DefaultLookupMaxAgeSeconds
                else
                    Limits.parseMaxAge s.Named s.Value
            let where =
                if h.Where = defaultMaxAge.Where then
                    $"""the default, with {host.LookupKeys |> List.map _.Named |> List.head}"""
                else
                    h.Named
            let run = effective.LookupMaxAge |> Option.defaultValue defaultMaxAge
            match seconds h, seconds run with
            | Error e, _
            | _, Error e -> Error e
            | Ok most, Ok taken when taken > most ->
                weakened effective.LookupMaxAge $"the host takes signed answers at most {most} s old ({where})"
            | Ok _, Ok _ -> Ok()
    verification ()
    |> Result.bind (fun () -> keys "asset-key" host.AssetKeys effective.AssetKeys false)
    |> Result.bind (fun () -> keys "lookup-key" host.LookupKeys effective.LookupKeys true)
    |> Result.bind age
    |> Result.map (fun () -> fixedBy host)
