/// Profile args with and without variables, for the template properties.
module TemplateGenerators

open FsCheck
open FsCheck.FSharp
open XenMatchbox.Domain
open Generators

/// Labels built the way the command line builds them.
let labelsOf (items: (string * string) list) =
    Labels.fromLookups [ for k, v in items -> $"{k}={v}" ] |> Expect.ok "the labels"

/// Text that holds no "${" and no "{{", though it may hold '$', '{' and '}' on their own.
let markerFreeText =
    let breakMarkers (text: string) =
        // a '{' right after '$' or '{' would start a marker: put a space between them
        let out = System.Text.StringBuilder()
        for c in text do
            if c = '{' && out.Length > 0 && (out.[out.Length - 1] = '$' || out.[out.Length - 1] = '{') then
                out.Append ' ' |> ignore
            out.Append c |> ignore
        out.ToString()
    textOf "abc XYZ 019=:/.,-_'\"\\é€😀$${{}}}" |> Gen.map breakMarkers

/// Every way a profile can refer to a label's plain value.
let markerForms (key: string) =
    [ $"${{{key}}}"; $"{{{{ .{key} }}}}"; $"{{{{.{key}}}}}"; $"${{net0/{key}}}"; $"${{{key}:string}}" ]

/// A part of an arg: literal text, or a marker and the value it must become.
type Part =
    | Literal of text: string
    | Marker of marker: string * value: string

/// An arg mixing literal text (without '$', '{' or '}', so it cannot run into a marker) and
/// markers for known keys, in any marker form and any key case.
let argOver (items: (string * string) list) =
    let literal = textOf "abc XYZ 019=:/.,-_'\"\\é€😀" |> Gen.map Literal
    let marker =
        gen {
            let! key, value = Gen.elements items
            let! typed = randomCase key
            let! form = Gen.elements (markerForms typed)
            return Marker(form, value)
        }
    Gen.listOf (Gen.oneof [ literal; marker ])

let textOfParts (parts: Part list) =
    parts
    |> List.map (function
        | Literal t -> t
        | Marker(m, _) -> m)
    |> String.concat ""

let expandedParts (parts: Part list) =
    parts
    |> List.map (function
        | Literal t -> t
        | Marker(_, v) -> v)
    |> String.concat ""
