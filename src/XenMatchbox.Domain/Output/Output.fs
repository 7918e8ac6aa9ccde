module XenMatchbox.Domain.Output

open System
open System.Text
open XenMatchbox.Domain.Errors

type OutputFormat =
    | Simple0
    | Simple
    | Sxp

let formats = [ Simple0; Simple; Sxp ]

let formatName format =
    match format with
    | Simple0 -> "simple0"
    | Simple -> "simple"
    | Sxp -> "sxp"

let parseFormat (text: string) =
    match formats |> List.tryFind (fun f -> formatName f = text) with
    | Some format -> Ok format
    | None -> Error(CommandLine(UnknownOutputFormat text))

[<Literal>]
let MaxItemBytes = 8191

type BootResult = { Kernel: string; Ramdisk: string option; Args: string option }

let private items (result: BootResult) =
    [ Some("kernel", result.Kernel)
      result.Ramdisk |> Option.map (fun path -> "ramdisk", path)
      result.Args |> Option.map (fun line -> "args", line) ]
    |> List.choose id
    // pygrub writes ramdisk and args only when they are non-empty; so does xenmatchbox.
    |> List.filter (fun (key, value) -> key = "kernel" || value.Length > 0)

/// Python's repr() of a str, which pygrub writes into sxp: single quotes unless the text holds a
/// single quote and no double quote; backslash escapes for the quote, '\\', \t, \n, \r and other
/// non-printable characters.
let private pythonRepr (text: string) =
    let quote = if text.Contains '\'' && not (text.Contains '"') then '"' else '\''
    let out = StringBuilder().Append quote
    for rune in text.EnumerateRunes() do
        let c = rune.Value
        if c = int quote || c = int '\\' then
            out.Append('\\').Append(char c) |> ignore
        elif c = int '\t' then
            out.Append "\\t" |> ignore
        elif c = int '\n' then
            out.Append "\\n" |> ignore
        elif c = int '\r' then
            out.Append "\\r" |> ignore
        elif c < 0x20 || c = 0x7f then
            out.Append("\\x").Append(c.ToString "x2") |> ignore
        elif c < 0x7f then
            out.Append(char c) |> ignore
        else
            match Rune.GetUnicodeCategory rune with
            | Globalization.UnicodeCategory.Control
            | Globalization.UnicodeCategory.Format
            | Globalization.UnicodeCategory.Surrogate
            | Globalization.UnicodeCategory.PrivateUse
            | Globalization.UnicodeCategory.OtherNotAssigned
            | Globalization.UnicodeCategory.LineSeparator
            | Globalization.UnicodeCategory.ParagraphSeparator
            | Globalization.UnicodeCategory.SpaceSeparator when c <> 0x20 ->
                if c <= 0xff then out.Append("\\x").Append(c.ToString "x2") |> ignore
                elif c <= 0xffff then out.Append("\\u").Append(c.ToString "x4") |> ignore
                else out.Append("\\U").Append(c.ToString "x8") |> ignore
            | _ -> out.Append(rune.ToString()) |> ignore
    out.Append(quote).ToString()

/// The first item libxl would drop for its length, if any.
let private tooLong (items: (string * string) list) =
    items
    |> List.tryPick (fun (key, value) ->
        let bytes = Encoding.UTF8.GetByteCount(key) + 1 + Encoding.UTF8.GetByteCount(value)
        if bytes >= MaxItemBytes then Some(Output(ItemTooLong(key, bytes, MaxItemBytes))) else None)

let private separated (separator: char) (name: string) (shown: string) (result: BootResult) =
    let items = items result
    let offending = items |> List.tryFind (fun (_, value) -> value.Contains separator)
    match offending with
    | Some(key, _) -> Error(Output(ValueContainsDelimiter(key, name, shown)))
    | None ->
        match tooLong items with
        | Some e -> Error e
        | None ->
            let text = StringBuilder()
            for key, value in items do
                text.Append(key).Append(' ').Append(value).Append(separator) |> ignore
            text.Append separator |> ignore
            Ok(Encoding.UTF8.GetBytes(text.ToString()))

let private sxp (result: BootResult) =
    let items = items result
    match tooLong items with
    | Some e -> Error e
    | None ->
        let parts = items |> List.map (fun (key, value) -> $"({key} {pythonRepr value})")
        Ok(Encoding.UTF8.GetBytes("linux " + String.Concat parts))

let render format result =
    match format with
    | Simple0 -> separated '\000' "simple0" "a NUL byte" result
    | Simple -> separated '\n' "simple" "a newline" result
    | Sxp -> sxp result
