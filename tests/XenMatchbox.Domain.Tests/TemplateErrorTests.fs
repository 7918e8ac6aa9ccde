/// Args a profile cannot be booted with: a variable without a label, template code, a MAC format
/// on a value that is no MAC, and markers that never close. Each stops the boot with its own error.
module TemplateErrorTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators
open TemplateGenerators

[<Property>]
let ``a variable without a label is an error naming it and listing the labels known`` () =
    let case =
        gen {
            let! items = labelSet
            let! unknown = labelKey |> Gen.filter (fun k -> not (List.exists (fun (key, _) -> key = k) items))
            let! form =
                Gen.elements
                    [ $"${{{unknown}}}"
                      $"{{{{ .{unknown} }}}}"
                      $"{{{{.{unknown}}}}}"
                      $"${{net0/{unknown}}}"
                      $"${{{unknown}:hexhyp}}"
                      $"${{net0/{unknown}:hexraw}}" ]
            let! before = markerFreeText
            return items, unknown, before + " " + form + " tail"
        }
    Prop.forAll (arb case) (fun (items, unknown, arg) ->
        match Template.expandArg (labelsOf items) arg with
        | Error(Plan(UnknownVariable(variable, known))) ->
            Expect.isTrue $"{Expect.escaped variable} does not name {unknown}" (variable.Contains unknown)
            Expect.equal "the labels known" (List.map fst items) known
        | other -> Expect.fail $"{Expect.escaped arg}: expected UnknownVariable, got %A{other}")

[<Theory>]
[<InlineData("{{ printf \"x\" }}")>]
[<InlineData("{{ .a | b }}")>]
[<InlineData("{{ }}")>]
[<InlineData("{{}}")>]
[<InlineData("{{ . }}")>]
[<InlineData("{{ if .a }}x{{ end }}")>]
[<InlineData("{{ end }}")>]
[<InlineData("{{/* comment */}}")>]
[<InlineData("{{ $x := .a }}")>]
[<InlineData("{{ template \"t\" . }}")>]
[<InlineData("{{ index . \"a\" }}")>]
[<InlineData("{{- .a -}}")>]
[<InlineData("{{ a }}")>]
[<InlineData("{{ .a .a }}")>]
[<InlineData("url=http://x/?{{ call .f }}")>]
let ``anything between {{ and }} other than one .label is refused as template code`` (arg: string) =
    match Template.expandArg (labelsOf [ "a", "value" ]) arg with
    | Error(Plan(TemplateCode text)) ->
        Expect.isTrue $"{Expect.escaped text} is not part of {Expect.escaped arg}" (arg.Contains text)
        Expect.isTrue $"{Expect.escaped text} is not a {{{{ }}}} marker" (text.StartsWith "{{" && text.EndsWith "}}")
    | other -> Expect.fail $"{Expect.escaped arg}: expected TemplateCode, got %A{other}"

[<Property>]
let ``a MAC format on a label that holds no MAC is an error naming the variable and value`` () =
    let case =
        gen {
            let! key = labelKey
            let! value = labelValue |> Gen.filter (fun v -> (Mac.tryParse v).IsNone)
            let! format = Gen.elements [ "hexhyp"; "hexraw"; "hex" ]
            return key, value, $"${{{key}:{format}}}"
        }
    Prop.forAll (arb case) (fun (key, value, marker) ->
        match Template.expandArg (labelsOf [ key, value ]) $"x={marker}" with
        | Error(Plan(VariableNotMac(variable, shown))) ->
            Expect.equalText marker variable
            Expect.equalText value shown
        | other -> Expect.fail $"{Expect.escaped marker}: expected VariableNotMac, got %A{other}")

[<Property>]
let ``a marker that is never closed is malformed`` () =
    let case =
        gen {
            let! key = labelKey
            let! before = markerFreeText
            let! open' =
                Gen.elements [ $"${{{key}"; $"${{net0/{key}:hexhyp"; "${"; $"{{{{ .{key}"; $"{{{{ .{key} }}"; "{{" ]
            // the tail holds no '}' (and no marker), so nothing after the marker can close it
            let! after = textOf "abc 019=:/.,-_"
            // a space keeps a '$' or '{' at the end of the text before from joining the marker
            return key, before + " " + open' + after
        }
    Prop.forAll (arb case) (fun (key, arg) ->
        match Template.expandArg (labelsOf [ key, "v" ]) arg with
        | Error(Plan(MalformedVariable(text, _))) ->
            Expect.isTrue $"{Expect.escaped text} is not the end of {Expect.escaped arg}" (arg.EndsWith text)
        | other -> Expect.fail $"{Expect.escaped arg}: expected MalformedVariable, got %A{other}")

[<Theory>]
[<InlineData("${}")>]
[<InlineData("${net0/}")>]
[<InlineData("${ a }")>]
[<InlineData("${a:nosuchformat}")>]
[<InlineData("${a/b}")>]
let ``a ${...} marker that names no label or an unknown format is malformed`` (arg: string) =
    match Template.expandArg (labelsOf [ "a", "value" ]) arg with
    | Error(Plan(MalformedVariable(text, _))) -> Expect.equalText arg text
    | other -> Expect.fail $"{Expect.escaped arg}: expected MalformedVariable, got %A{other}"

[<Fact>]
let ``the first bad arg stops expandArgs`` () =
    match Template.expandArgs (labelsOf [ "a", "v" ]) [ "ok=${a}"; "bad=${b}"; "worse={{ x }}" ] with
    | Error(Plan(UnknownVariable("${b}", [ "a" ]))) -> ()
    | other -> Expect.fail $"expected UnknownVariable for ${{b}}, got %A{other}"
