/// --lookup labels: what matchbox selects a profile by. Keys are case-insensitive, a mac value is
/// normalised, and a key given twice must agree with itself.
module LookupLabelTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

let private pairs (labels: Labels.Labels) =
    Labels.toPairs labels |> List.map (fun (k, v) -> $"{k}={v}") |> String.concat " "

let private expectedPairs (items: (string * string) list) =
    items |> List.map (fun (k, v) -> $"{k}={v}") |> String.concat " "

[<Property>]
let ``a lookup key in any letter case is kept in lower case and found in any case`` () =
    let keyAndValue =
        gen {
            let! key = nonEmptyTextOf "abcdefghijklmnopqrstuvwxyz0123456789_-." |> Gen.filter (fun k -> k <> "mac")
            let! typed = randomCase key
            let! asked = randomCase key
            let! value = labelValue
            return key, typed, asked, value
        }
    Prop.forAll (arb keyAndValue) (fun (key, typed, asked, value) ->
        let labels = Labels.fromLookups [ $"{typed}={value}" ] |> Expect.ok "the lookup"
        Expect.equal "keys" [ key ] (Labels.keys labels)
        Expect.equal "the value found by the key in another case" (Some value) (Labels.tryFind asked labels))

[<Property>]
let ``a mac lookup in any spelling is sent to matchbox in Go's canonical form`` () =
    let lookup =
        gen {
            let! octets, text = macWithSpelling
            let! key = randomCase "mac"
            return octets, $"{key}={text}"
        }
    Prop.forAll (arb lookup) (fun (octets, text) ->
        let labels = Labels.fromLookups [ text ] |> Expect.ok text
        Expect.equalText $"mac={colonLower octets}" (pairs labels))

[<Property>]
let ``a label given twice with the same value counts once, in the place it was first given`` () =
    let lookups =
        gen {
            let! items = labelSet
            let! octets = macOctets
            let items = items @ [ "mac", colonLower octets ]
            // each label once as given, then repeats: keys in another case, the MAC in another spelling
            let! repeats = Gen.subListOf items
            let! retyped =
                repeats
                |> List.map (fun (k, v) ->
                    gen {
                        let! key = randomCase k
                        let! value = if k = "mac" then spelledMac octets else Gen.constant v
                        return $"{key}={value}"
                    })
                |> Gen.sequenceToList
            let! order = Gen.shuffle retyped
            return items, [ for k, v in items -> $"{k}={v}" ] @ List.ofArray order
        }
    Prop.forAll (arb lookups) (fun (items, texts) ->
        let labels = Labels.fromLookups texts |> Expect.ok "lookups with repeats"
        Expect.equalText (expectedPairs items) (pairs labels))

[<Property>]
let ``a label given twice with different values is a conflict naming both`` () =
    let lookups =
        gen {
            let! key = labelKey
            let! first = labelValue
            let! second = labelValue |> Gen.filter (fun v -> v <> first)
            let! typed = randomCase key
            return key, first, second, [ $"{key}={first}"; $"{typed}={second}" ]
        }
    Prop.forAll (arb lookups) (fun (key, first, second, texts) ->
        match Labels.fromLookups texts with
        | Error(CommandLine(ConflictingLabel(k, a, b))) -> Expect.equal "the conflict" (key, first, second) (k, a, b)
        | other -> Expect.fail $"expected ConflictingLabel, got %A{other}")

[<Fact>]
let ``two spellings of different MACs under mac are a conflict`` () =
    match Labels.fromLookups [ "mac=52:54:00:aa:bb:cc"; "MAC=52-54-00-AA-BB-CD" ] with
    | Error(CommandLine(ConflictingLabel("mac", "52:54:00:aa:bb:cc", "52:54:00:aa:bb:cd"))) -> ()
    | other -> Expect.fail $"expected ConflictingLabel, got %A{other}"

[<Theory>]
[<InlineData("nokeyvalue")>]
[<InlineData("=value")>]
[<InlineData("key=")>]
[<InlineData("")>]
[<InlineData("=")>]
[<InlineData("ke y=value")>]
[<InlineData("key/x=value")>]
[<InlineData("key=va\nlue")>]
[<InlineData("key=value\t")>]
let ``a lookup without '=', with an empty or bad key, or an empty or control-character value is not a label``
    (text: string)
    =
    match Labels.fromLookups [ text ] with
    | Error(CommandLine(InvalidLabel(shown, _))) -> Expect.equalText text shown
    | other -> Expect.fail $"{Expect.escaped text}: expected InvalidLabel, got %A{other}"

[<Theory>]
[<InlineData("mac=52:54:00:aa:bb")>]
[<InlineData("mac=host-1")>]
[<InlineData("MAC=52:54:00:aa:bb:cc:dd")>]
let ``a mac lookup that is not a MAC is rejected as such`` (text: string) =
    match Labels.fromLookups [ text ] with
    | Error(CommandLine(InvalidMac("mac", value))) -> Expect.equalText (text.Substring 4) value
    | other -> Expect.fail $"{text}: expected InvalidMac, got %A{other}"

[<Fact>]
let ``no lookup at all is an error`` () =
    match Labels.fromLookups [] with
    | Error(CommandLine NoLookupLabels) -> ()
    | other -> Expect.fail $"expected NoLookupLabels, got %A{other}"

[<Property>]
let ``the value is everything after the first '=', kept as given`` () =
    Prop.forAll (arb (Gen.zip labelKey labelValue)) (fun (key, value) ->
        let label = Labels.parseLabel $"{key}=x={value}" |> Expect.ok "the label"
        Expect.equalText $"x={value}" label.Value)
