module internal XenMatchbox.Domain.Servers

open System
open System.Net
open XenMatchbox.Domain.Errors

[<Sealed>]
type ServerList(hosts: string list) =
    member _.Hosts = hosts

    override _.Equals(other: obj) =
        match other with
        | :? ServerList as list -> list.Hosts = hosts
        | _ -> false

    override _.GetHashCode() = hash hosts

[<Literal>]
let Separator = ','

/// One item, trimmed: the host without IPv6 brackets, or why it is none.
let private host (item: string) =
    match item with
    | "" -> Error "it is empty; a comma-separated list holds a host between every two commas"
    | _ when item.Contains "://" -> Error "it is a URL, not a host"
    | _ when item.IndexOfAny [| '/'; ' '; '\t'; '?'; '#'; '@' |] >= 0 -> Error "it is not a host name"
    | _ when item.StartsWith "[" && item.EndsWith "]" ->
        let inner = item.Substring(1, item.Length - 2)
        if Uri.CheckHostName inner = UriHostNameType.IPv6 then
            Ok inner
        else
            Error "only an IPv6 address goes in brackets"
    | _ when item.Contains ':' && Uri.CheckHostName item <> UriHostNameType.IPv6 -> Error "it carries a port"
    | _ when Uri.CheckHostName item = UriHostNameType.Unknown -> Error "it is not a host name"
    | _ -> Ok item

/// The form two spellings of one host share: an address's canonical text, a name in lower case.
let private identity (host: string) =
    match Uri.CheckHostName host with
    | UriHostNameType.IPv4
    | UriHostNameType.IPv6 ->
        match IPAddress.TryParse host with
        | true, NonNull address -> address.ToString()
        | _ -> host.ToLowerInvariant()
    | _ -> host.ToLowerInvariant().TrimEnd '.'

let create (values: (string * string) list) =
    let items =
        values
        |> List.collect (fun (value, source) ->
            value.Split Separator |> Array.toList |> List.map (fun item -> source, value, item.Trim()))
    let rec check seen hosts remaining =
        match remaining with
        | [] -> Ok(ServerList(List.rev hosts))
        | (source, value, item) :: rest ->
            let invalid reason =
                let shown = if item = value then value else $"{value}' item '{item}"
                Error(CommandLine(InvalidServer(source, shown, reason)))
            match host item with
            | Error reason -> invalid reason
            | Ok found when Set.contains (identity found) seen ->
                invalid "it is given twice; each matchbox server is asked once"
            | Ok found -> check (Set.add (identity found) seen) (found :: hosts) rest
    if List.isEmpty values then Error(CommandLine MissingServer) else check Set.empty [] items

let display (servers: ServerList) =
    servers.Hosts |> List.map Profile.hostForUrl |> String.concat (string Separator)
