module internal XenMatchbox.Domain.Text

open System

let printable (text: string) =
    String.map (fun c -> if Char.IsControl c then '?' else c) text

let shown maxChars (text: string) =
    let visible = printable text
    if visible.Length > maxChars then visible.Substring(0, maxChars) + "…" else visible

let traverse (f: 'a -> Result<'b, 'e>) (items: 'a list) =
    let folder state item =
        state |> Result.bind (fun done' -> f item |> Result.map (fun r -> r :: done'))
    items |> List.fold folder (Ok []) |> Result.map List.rev
