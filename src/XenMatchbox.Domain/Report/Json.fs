module internal XenMatchbox.Domain.Json

open System
open System.Globalization
open System.Text

type Value =
    | Null
    | Bool of bool
    | Number of int64
    | String of string
    | Array of Value list
    | Object of (string * Value) list

let private escapeInto (out: StringBuilder) (text: string) =
    out.Append '"' |> ignore
    let mutable i = 0
    while i < text.Length do
        let c = text[i]
        match c with
        | '"' -> out.Append "\\\"" |> ignore
        | '\\' -> out.Append "\\\\" |> ignore
        | '\b' -> out.Append "\\b" |> ignore
        | '\012' -> out.Append "\\f" |> ignore
        | '\n' -> out.Append "\\n" |> ignore
        | '\r' -> out.Append "\\r" |> ignore
        | '\t' -> out.Append "\\t" |> ignore
        | c when c < ' ' || c = '\127' ->
            out.Append("\\u").Append((int c).ToString("x4", CultureInfo.InvariantCulture)) |> ignore
        | c when Char.IsHighSurrogate c && i + 1 < text.Length && Char.IsLowSurrogate text[i + 1] ->
            out.Append(c).Append(text[i + 1]) |> ignore
            i <- i + 1
        | c when Char.IsSurrogate c -> out.Append '\uFFFD' |> ignore
        | c -> out.Append c |> ignore
        i <- i + 1
    out.Append '"' |> ignore

let quote (text: string) =
    let out = StringBuilder(text.Length + 2)
    escapeInto out text
    out.ToString()

let render value =
    let out = StringBuilder()
    let newline (depth: int) = out.Append('\n').Append(' ', 2 * depth) |> ignore
    let rec write depth value =
        match value with
        | Null -> out.Append "null" |> ignore
        | Bool true -> out.Append "true" |> ignore
        | Bool false -> out.Append "false" |> ignore
        | Number n -> out.Append(n.ToString(CultureInfo.InvariantCulture)) |> ignore
        | String text -> escapeInto out text
        | Array [] -> out.Append "[]" |> ignore
        | Object [] -> out.Append "{}" |> ignore
        | Array items -> many depth '[' ']' [ for item in items -> fun () -> write (depth + 1) item ]
        | Object members ->
            many
                depth
                '{'
                '}'
                [ for key, item in members ->
                      fun () ->
                          escapeInto out key
                          out.Append ": " |> ignore
                          write (depth + 1) item ]
    // Each item written by its own function, one a line, comma-separated.
    and many depth (opening: char) (closing: char) (writers: (unit -> unit) list) =
        out.Append opening |> ignore
        writers
        |> List.iteri (fun index writeOne ->
            if index > 0 then out.Append ',' |> ignore
            newline (depth + 1)
            writeOne ())
        newline depth
        out.Append closing |> ignore
    write 0 value
    out.ToString()
