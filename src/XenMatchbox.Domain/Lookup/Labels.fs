module XenMatchbox.Domain.Labels

open XenMatchbox.Domain.Errors

[<Sealed>]
type Label(key: string, value: string) =
    member _.Key = key
    member _.Value = value

[<Sealed>]
type Labels(items: Label list) =
    member _.Items = items

/// ASCII only: ToLowerInvariant would turn the Kelvin sign into 'k'.
let isKeyChar (c: char) =
    System.Char.IsAsciiLetterOrDigit c || c = '_' || c = '-' || c = '.'

let parseLabel (text: string) =
    match text.IndexOf '=' with
    | -1 -> Error(CommandLine(InvalidLabel(text, "it has no '='")))
    | 0 -> Error(CommandLine(InvalidLabel(text, "the key before '=' is empty")))
    | at ->
        let given = text.Substring(0, at)
        let key = given.ToLowerInvariant()
        let value = text.Substring(at + 1)
        if not (Seq.forall isKeyChar given) then
            Error(CommandLine(InvalidLabel(text, "keys may hold only letters, digits, '_', '-' and '.'")))
        elif value.Length = 0 then
            Error(CommandLine(InvalidLabel(text, "the value after '=' is empty")))
        elif Seq.exists System.Char.IsControl value then
            Error(CommandLine(InvalidLabel(text, "the value contains a control character")))
        elif key = "mac" then
            match Mac.tryParse value with
            | Some mac -> Ok(Label(key, Mac.canonical mac))
            | None -> Error(CommandLine(InvalidMac(key, value)))
        else
            Ok(Label(key, value))

let private add (labels: Label list) (label: Label) =
    match labels |> List.tryFind (fun l -> l.Key = label.Key) with
    | None -> Ok(labels @ [ label ])
    | Some same when same.Value = label.Value -> Ok labels
    | Some other -> Error(CommandLine(ConflictingLabel(label.Key, other.Value, label.Value)))

let fromLookups (texts: string list) =
    let folder state text =
        state |> Result.bind (fun labels -> parseLabel text |> Result.bind (add labels))
    match texts with
    | [] -> Error(CommandLine NoLookupLabels)
    | _ -> texts |> List.fold folder (Ok []) |> Result.map Labels

let DomainKeys = [ "uuid"; "name" ]

[<Sealed>]
type Lookup(given: string list, fromDomain: string list) =
    member _.Given = given
    member _.FromDomain = fromDomain

let noLookup = Lookup([], [])

let parseLookup (texts: string list) =
    let bare, given = texts |> List.partition (fun t -> List.contains (t.ToLowerInvariant()) DomainKeys)
    match texts, given with
    | [], _ -> Error(CommandLine NoLookupLabels)
    | _, [] -> Ok(Lookup([], bare |> List.map (fun t -> t.ToLowerInvariant()) |> List.distinct))
    | _ ->
        let fromDomain = bare |> List.map (fun t -> t.ToLowerInvariant()) |> List.distinct
        fromLookups given
        |> Result.bind (fun labels ->
            match fromDomain |> List.tryFind (fun k -> labels.Items |> List.exists (fun l -> l.Key = k)) with
            | Some key ->
                Error(
                    CommandLine(
                        InvalidLabel(key, "it is given both bare (read from xenstore) and with a value; keep one")
                    )
                )
            | None -> Ok(Lookup(given, fromDomain)))

let complete (lookup: Lookup) (domain: (string * string) list) (detail: string) =
    let valueOf key =
        domain |> List.tryFind (fun (k, _) -> k = key) |> Option.map (fun (_, value) -> $"{key}={value}")
    match lookup.FromDomain |> List.filter (valueOf >> Option.isNone) with
    | [] -> fromLookups (lookup.Given @ List.choose valueOf lookup.FromDomain)
    | missing -> Error(BootError.Lookup(DomainLabelUnavailable(missing, detail)))

let extend (labels: Labels) (pairs: (string * string) list) =
    let added =
        pairs
        |> List.filter (fun (k, _) -> labels.Items |> List.forall (fun l -> l.Key <> k))
        |> List.choose (fun (k, v) -> parseLabel $"{k}={v}" |> Result.toOption)
    Labels(labels.Items @ added)

let tryFind (key: string) (labels: Labels) =
    let key = key.ToLowerInvariant()
    labels.Items |> List.tryFind (fun l -> l.Key = key) |> Option.map (fun l -> l.Value)

let keys (labels: Labels) = labels.Items |> List.map (fun l -> l.Key)

let toPairs (labels: Labels) = labels.Items |> List.map (fun l -> l.Key, l.Value)

let display (labels: Labels) =
    labels.Items |> List.map (fun l -> $"{l.Key}={l.Value}") |> String.concat " "
