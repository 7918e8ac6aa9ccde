module internal XenMatchbox.Domain.Layers

open XenMatchbox.Domain.Argv
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Flags

/// A command-line error, as the boot workflow carries it.
let private fail error : Result<'a, BootError> = Error(BootError.CommandLine error)

type Layer = (Flag * string * Source) list

let switchValue (text: string) =
    match text.Trim().ToLowerInvariant() with
    | "true"
    | "yes"
    | "1"
    | "on" -> Some true
    | "false"
    | "no"
    | "0"
    | "off" -> Some false
    | _ -> None

/// One value from the environment or the file, as the flag would give it; None for a switch set to false.
let private layerValue flag (text: string) =
    match (spec flag).Value with
    | Some _ -> Ok(Some text)
    | None ->
        match switchValue text with
        | Some true -> Ok(Some "")
        | Some false -> Ok None
        | None -> Error "takes true or false"

let environmentLayer (environment: string -> string option) (ownVariables: string list) =
    let settable = all |> List.filter (settableIn InEnvironment) |> List.map (fun f -> variable f, f) |> Map.ofList
    let folder state name =
        state
        |> Result.bind (fun (found: Layer) ->
            match settable.TryFind name, environment name with
            | None, _ -> fail (ConfigRejected(name, 0, "is not one xenmatchbox reads"))
            | Some _, None -> Ok found
            | Some flag, Some text ->
                match layerValue flag text with
                | Ok(Some value) -> Ok(found @ [ flag, value, FromEnvironment name ])
                | Ok None -> Ok found
                | Error reason -> fail (ConfigRejected(name, 0, $"'{text}' {reason}")))
    ownVariables |> List.sort |> List.fold folder (Ok [])

let fileLayer (path: string) (text: string) =
    let settable =
        all
        |> List.filter (settableIn InConfigFile)
        |> List.collect (fun f -> keys f |> List.map (fun k -> k, f))
        |> Map.ofList
    let lines = text.Split '\n'
    let fail line reason = fail (ConfigRejected(path, line, reason))
    let rec go i (found: Layer) =
        if i >= lines.Length then
            Ok found
        else
            let number = i + 1
            let line = lines[i].TrimEnd('\r').Trim()
            if line.Length = 0 || line.StartsWith "#" then
                go (i + 1) found
            else
                match line.IndexOf '=' with
                | -1 -> fail number $"'{line}' is not 'key = value'"
                | at ->
                    let key = line.Substring(0, at).Trim()
                    let raw = line.Substring(at + 1).Trim()
                    let value =
                        if raw.Length >= 2 && raw.StartsWith "\"" && raw.EndsWith "\"" then
                            raw.Substring(1, raw.Length - 2)
                        else
                            raw
                    match settable.TryFind key with
                    | None when (tryFind ("--" + key)).IsSome ->
                        fail number $"'{key}' cannot be set in the configuration file; give it in bootloader_args"
                    | None -> fail number $"unknown key '{key}'"
                    | Some flag when not (spec flag).Repeatable && found |> List.exists (fun (f, _, _) -> f = flag) ->
                        fail number $"'{key}' is set a second time"
                    | Some flag ->
                        match layerValue flag value with
                        | Ok(Some v) -> go (i + 1) (found @ [ flag, v, FromFile(path, number) ])
                        | Ok None -> go (i + 1) found
                        | Error reason -> fail number $"'{key}' {reason}, not '{value}'"
    if Seq.exists (fun c -> c = '\000') text then fail 1 "the file is not text" else go 0 []

/// Settings that exclude each other: a higher layer setting one hides the others from lower layers.
let private exclusive = [ [ NoCache; CacheDir ]; [ HttpOnly; Cert; Key ] ]

let underlay (given: Given) (layer: Layer) =
    let hidden flag =
        given.Has flag
        || exclusive |> List.exists (fun group -> List.contains flag group && group |> List.exists given.Has)
    let added = layer |> List.filter (fun (f, _, _) -> not (hidden f))
    { given with
        Values =
            added
            |> List.fold
                (fun values (f, v, source) ->
                    // Only flags the layers above do not set get here: a repeatable flag's lines add up.
                    let earlier = values |> Map.tryFind f |> Option.defaultValue []
                    values.Add(f, earlier @ [ v, source ]))
                given.Values }
