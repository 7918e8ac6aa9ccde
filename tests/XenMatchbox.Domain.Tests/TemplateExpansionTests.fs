/// Expanding a profile's args from the lookup labels: iPXE ${...} and Go-template {{ .key }}
/// markers become the label values; nothing else changes.
module TemplateExpansionTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open Generators
open TemplateGenerators

[<Property>]
let ``args without ${ or {{ are passed through unchanged`` () =
    Prop.forAll (arb (Gen.zip labelSet markerFreeText)) (fun (items, text) ->
        Expect.equalText text (Template.expandArg (labelsOf items) text |> Expect.ok text))

[<Property>]
let ``every marker form of a known label becomes its value and no marker survives`` () =
    let case =
        gen {
            let! items = labelSet
            let! parts = argOver items
            return items, parts
        }
    Prop.forAll (arb case) (fun (items, parts) ->
        let arg = textOfParts parts
        let expanded = Template.expandArg (labelsOf items) arg |> Expect.ok arg
        Expect.equalText (expandedParts parts) expanded
        Expect.isTrue
            $"a marker survived in {Expect.escaped expanded}"
            (not (expanded.Contains "${" || expanded.Contains "{{")))

[<Property>]
let ``a mac label comes out with colons, dashes or no separators as the marker asks`` () =
    Prop.forAll (arb macWithSpelling) (fun (octets, text) ->
        let labels = labelsOf [ "mac", text ]
        let colon = colonLower octets
        let cases =
            [ "${mac}", colon
              "${mac:hex}", colon
              "{{ .mac }}", colon
              "${mac:hexhyp}", colon.Replace(':', '-')
              "${net0/mac:hexhyp}", colon.Replace(':', '-')
              "${MAC:hexhyp}", colon.Replace(':', '-')
              "${mac:hexraw}", colon.Replace(":", "")
              "${net0/mac:hexraw}", colon.Replace(":", "") ]
        for marker, expected in cases do
            Expect.equalText $"mac={expected}&x" (Template.expandArg labels $"mac={marker}&x" |> Expect.ok marker))

[<Property>]
let ``any label holding a MAC in any spelling formats as hexhyp, hexraw and hex`` () =
    // Only the mac label is normalised when given; the formats read a MAC from any label's value.
    Prop.forAll (arb macWithSpelling) (fun (octets, text) ->
        let labels = labelsOf [ "vif0", text ]
        let colon = colonLower octets
        Expect.equalText (colon.Replace(':', '-')) (Template.expandArg labels "${vif0:hexhyp}" |> Expect.ok text)
        Expect.equalText (colon.Replace(":", "")) (Template.expandArg labels "${vif0:hexraw}" |> Expect.ok text)
        Expect.equalText colon (Template.expandArg labels "${vif0:hex}" |> Expect.ok text))

[<Fact>]
let ``the FCOS ignition URL gets the vif MAC with dashes`` () =
    let labels = labelsOf [ "mac", "52:54:00:AA:BB:CC"; "uuid", "0b7c5b08-8a1a-4c3e-a4a0-6a0a7a2c9a11" ]
    let arg = "ignition.config.url=http://matchbox.example.com:8080/ignition?uuid=${uuid}&mac=${mac:hexhyp}"
    Expect.equalText
        "ignition.config.url=http://matchbox.example.com:8080/ignition?uuid=0b7c5b08-8a1a-4c3e-a4a0-6a0a7a2c9a11&mac=52-54-00-aa-bb-cc"
        (Template.expandArg labels arg |> Expect.ok arg)

[<Fact>]
let ``the uristring format percent-encodes the value`` () =
    let labels = labelsOf [ "host", "a b/c&d" ]
    Expect.equalText "h=a%20b%2Fc%26d" (Template.expandArg labels "h=${host:uristring}" |> Expect.ok "uristring")

[<Property>]
let ``expandArgs joins the expanded args with single spaces and drops empty ones`` () =
    let case =
        gen {
            let! items = labelSet
            let! args = Gen.listOf (argOver items)
            return items, args
        }
    Prop.forAll (arb case) (fun (items, args) ->
        let line = Template.expandArgs (labelsOf items) (List.map textOfParts args) |> Expect.ok "the args"
        Expect.equalText (args |> List.map expandedParts |> List.filter ((<>) "") |> String.concat " ") line)

[<Fact>]
let ``no args expand to an empty line`` () =
    Expect.equalText "" (Template.expandArgs (labelsOf [ "a", "b" ]) [] |> Expect.ok "no args")
