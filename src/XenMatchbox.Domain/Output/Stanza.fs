module XenMatchbox.Domain.Stanza

open System
open System.Text
open XenMatchbox.Domain.Errors

type StanzaInput = { Kernel: string; Ramdisk: string option; Cmdline: string option }

let private describeControl (c: char) =
    match c with
    | '\000' -> "a NUL byte (U+0000), which no xl config string can carry"
    | '\n' -> "a newline (U+000A)"
    | '\r' -> "a carriage return (U+000D)"
    | '\t' -> "a tab (U+0009)"
    | c -> $"the control character U+{int c:X4}"

/// The first character that cannot be in a stanza value, described; None when there is none.
let private offending (value: string) =
    let rec scan i =
        if i >= value.Length then
            None
        else
            let c = value.[i]
            if Char.IsHighSurrogate c && i + 1 < value.Length && Char.IsLowSurrogate value.[i + 1] then
                scan (i + 2)
            elif Char.IsSurrogate c then
                Some $"it holds a lone UTF-16 surrogate (U+{int c:X4}), which has no UTF-8 form"
            elif Char.IsControl c then
                Some(
                    $"it holds {describeControl c}; control characters (U+0000–U+001F, U+007F–U+009F) "
                    + "are refused, as no kernel command line may hold one"
                )
            else
                scan (i + 1)
    scan 0

let quote (key: string) (value: string) =
    match offending value with
    | Some reason -> Error(Output(StanzaValueInvalid(key, reason)))
    | None ->
        // Inside double quotes only '"' and '\' need a backslash: libxlutil reads \" and \\ back as
        // the character, and takes every other byte but LF (refused above) as it is.
        let out = StringBuilder(value.Length + 2).Append '"'
        for c in value do
            if c = '"' || c = '\\' then out.Append('\\').Append(c) |> ignore else out.Append c |> ignore
        Ok(out.Append('"').ToString())

/// The path as an operator can read it in one line: control characters as '?'.
let private shown (path: string) =
    String.map (fun c -> if Char.IsControl c then '?' else c) path

let private absolute (key: string) (path: string) =
    if path.StartsWith '/' then
        Ok path
    else
        Error(Output(StanzaValueInvalid(key, $"'{shown path}' is not an absolute path")))

/// "key = VALUE\n", the value checked and quoted.
let private line (key: string) (check: string -> Result<string, BootError>) (value: string) =
    check value |> Result.bind (quote key) |> Result.map (fun quoted -> $"{key} = {quoted}\n")

let render (input: StanzaInput) =
    let present = Option.filter (fun (v: string) -> v.Length > 0)
    [ Some(line "kernel" (absolute "kernel") input.Kernel)
      present input.Ramdisk |> Option.map (line "ramdisk" (absolute "ramdisk"))
      present input.Cmdline |> Option.map (line "cmdline" Ok) ]
    |> List.choose id
    |> List.fold
        (fun text next -> text |> Result.bind (fun (text: string) -> next |> Result.map (fun l -> text + l)))
        (Ok "")
