module internal XenMatchbox.Domain.Xenstore

open System
open XenMatchbox.Domain.Errors

type DomainIdentity = { DomId: int; Uuid: string; Name: string }

let private domidIn (fileName: string) (suffix: string) =
    let prefix = "bootloader."
    if fileName.StartsWith prefix && fileName.EndsWith suffix && fileName.Length > prefix.Length + suffix.Length then
        let digits = fileName.Substring(prefix.Length, fileName.Length - prefix.Length - suffix.Length)
        match Int32.TryParse(digits, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, id when id > 0 -> Some id
        | _ -> None
    else
        None

let private fileName (path: string) =
    let trimmed = path.TrimEnd '/'
    trimmed.Substring(trimmed.LastIndexOf '/' + 1)

[<Literal>]
let NotUnderXl = "libxl's output paths (bootloader.<domid>.out) name no domain, so this is a run by hand, not xl's"

let domid (output: string option) (outputDirectory: string) =
    output
    |> Option.bind (fun o -> domidIn (fileName o) ".out")
    |> Option.orElse (domidIn (fileName outputDirectory) ".d")

let paths (domid: int) =
    [ $"/local/domain/{domid}/vm"; $"/local/domain/{domid}/name" ]

let private isUuid (text: string) =
    text.Length = 36
    && text
       |> Seq.indexed
       |> Seq.forall (fun (i, c) -> if i = 8 || i = 13 || i = 18 || i = 23 then c = '-' else Uri.IsHexDigit c)

let parseAnswer domid (answer: string) =
    let unavailable key detail = Error(Lookup(DomainLabelUnavailable([ key ], detail)))
    // One value per line, each ending in LF; an empty value is an empty line.
    let text = answer.Replace("\r", "")
    let text = if text.EndsWith "\n" then text.Substring(0, text.Length - 1) else text
    match text.Split '\n' |> List.ofArray with
    | [ vm; name ] ->
        let uuid = (fileName vm).ToLowerInvariant()
        if not (vm.StartsWith "/vm/" && isUuid uuid) then
            unavailable "uuid" $"/local/domain/{domid}/vm is '{vm}', not /vm/<uuid>"
        elif name.Length = 0 || Seq.exists Char.IsControl name then
            unavailable "name" $"/local/domain/{domid}/name is empty or not text"
        else
            Ok { DomId = domid; Uuid = uuid; Name = name }
    | lines -> unavailable "uuid" $"xenstore-read gave {lines.Length} lines for domain {domid}, not 2"

let labels identity = [ "uuid", identity.Uuid; "name", identity.Name ]
