module XenMatchbox.Domain.Template

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels

/// Finds a variable's value: (the variable as written) -> key -> value.
type private Resolve = string -> string -> Result<string, BootError>

let private fromLabels labels : Resolve =
    fun variable key ->
        match tryFind key labels with
        | Some value -> Ok value
        | None -> Error(Plan(UnknownVariable(variable, keys labels)))

/// The inside of {{ }}: a single field reference ".key", surrounded by optional spaces.
let private goField (lookup: Resolve) (marker: string) (inner: string) =
    let field = inner.Trim()
    if field.Length > 1 && field.[0] = '.' && Seq.forall isKeyChar (field.Substring 1) then
        lookup marker (field.Substring 1)
    else
        Error(Plan(TemplateCode marker))

let private asMac variable value format =
    match Mac.tryParse value with
    | Some mac -> Ok(format mac)
    | None -> Error(Plan(VariableNotMac(variable, value)))

/// The inside of ${ }: "[net0/]key[:type]".
let private ipxeSetting (lookup: Resolve) (marker: string) (inner: string) =
    let name, kind =
        match inner.IndexOf ':' with
        | -1 -> inner, ""
        | at -> inner.Substring(0, at), inner.Substring(at + 1)
    let key = if name.StartsWith "net0/" then name.Substring 5 else name
    if key.Length = 0 || not (Seq.forall isKeyChar key) then
        Error(Plan(MalformedVariable(marker, "does not name a label")))
    else
        lookup marker key
        |> Result.bind (fun value ->
            match kind with
            | ""
            | "string" -> Ok value
            | "hex" -> asMac marker value Mac.canonical
            | "hexhyp" -> asMac marker value Mac.hexhyp
            | "hexraw" -> asMac marker value Mac.hexraw
            | "uristring" -> Ok(Uri.EscapeDataString value)
            | other -> Error(Plan(MalformedVariable(marker, $"has the unknown format ':{other}'"))))

let private expandWith (lookup: Resolve) (arg: string) =
    let output = Text.StringBuilder(arg.Length)
    let rec scan (from: int) =
        let goAt = arg.IndexOf("{{", from, StringComparison.Ordinal)
        let ipxeAt = arg.IndexOf("${", from, StringComparison.Ordinal)
        let next =
            match goAt, ipxeAt with
            | -1, -1 -> None
            | -1, i -> Some(i, "}", ipxeSetting)
            | g, -1 -> Some(g, "}}", goField)
            | g, i when g < i -> Some(g, "}}", goField)
            | _, i -> Some(i, "}", ipxeSetting)
        match next with
        | None ->
            output.Append(arg, from, arg.Length - from) |> ignore
            Ok(output.ToString())
        | Some(start, closing, expand) ->
            output.Append(arg, from, start - from) |> ignore
            match arg.IndexOf(closing, start + 2, StringComparison.Ordinal) with
            | -1 -> Error(Plan(MalformedVariable(arg.Substring start, $"is not closed by '{closing}'")))
            | close ->
                let marker = arg.Substring(start, close + closing.Length - start)
                let inner = arg.Substring(start + 2, close - start - 2)
                match expand lookup marker inner with
                | Error e -> Error e
                | Ok value ->
                    output.Append value |> ignore
                    scan (close + closing.Length)
    scan 0

let expandArg labels arg = expandWith (fromLabels labels) arg

let references (args: string list) =
    let found = Collections.Generic.List<string>()
    // Every key resolves, to a value every format accepts (a MAC), so that the scan goes on past it.
    let record: Resolve =
        fun _ key ->
            found.Add(key.ToLowerInvariant())
            Ok "00:00:00:00:00:00"
    for arg in args do
        expandWith record arg |> ignore
    found |> Seq.distinct |> List.ofSeq

let expandArgs labels (args: string list) =
    let folder state arg =
        state |> Result.bind (fun expanded -> expandArg labels arg |> Result.map (fun e -> e :: expanded))
    args
    |> List.fold folder (Ok [])
    |> Result.map (List.rev >> List.filter (fun arg -> arg.Length > 0) >> String.concat " ")
