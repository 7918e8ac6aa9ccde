/// MAC normalisation: matchbox compares a mac selector byte for byte, so every spelling an operator
/// types must come out as Go's canonical form.
module MacAddressTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open Generators

let private parsed (text: string) =
    match Mac.tryParse text with
    | Some mac -> mac
    | None -> Expect.fail $"{Expect.escaped text} was not read as a MAC"

[<Property>]
let ``the canonical form reads back as itself`` () =
    Prop.forAll (arb macWithSpelling) (fun (_, text) ->
        let canonical = Mac.canonical (parsed text)
        Expect.equalText canonical (Mac.canonical (parsed canonical)))

[<Property>]
let ``every spelling of one MAC gives the same lower-case colon form`` () =
    Prop.forAll (arb macOctets) (fun octets ->
        for spelling in allSpellings do
            for text in [ spell spelling octets; (spell spelling octets).ToUpperInvariant() ] do
                Expect.equalText (colonLower octets) (Mac.canonical (parsed text)))

[<Property>]
let ``a MAC in random letter case gives the lower-case colon form`` () =
    Prop.forAll (arb macWithSpelling) (fun (octets, text) ->
        Expect.equalText (colonLower octets) (Mac.canonical (parsed text)))

[<Property>]
let ``hexhyp and hexraw are the canonical form with dashes and with no separators`` () =
    Prop.forAll (arb macWithSpelling) (fun (_, text) ->
        let mac = parsed text
        Expect.equalText ((Mac.canonical mac).Replace(':', '-')) (Mac.hexhyp mac)
        Expect.equalText ((Mac.canonical mac).Replace(":", "")) (Mac.hexraw mac))

/// One edit that makes a valid spelling invalid: every spelling has a fixed length (17, 14 or 12)
/// and fixed separator positions, so these never land on another valid spelling.
type private Damage =
    | DropCharacter of at: int
    | InsertHexDigit of at: int * digit: char
    | ReplaceWithNonHex of at: int * bad: char
    | SwapSeparator of at: int * other: char

let private damaged =
    gen {
        let! octets = macOctets
        let! spelling = Gen.elements allSpellings
        let text = spell spelling octets
        let separators =
            [ for i in 0 .. text.Length - 1 do
                  if text.[i] = ':' || text.[i] = '-' || text.[i] = '.' then i ]
        let digits =
            [ for i in 0 .. text.Length - 1 do
                  if System.Uri.IsHexDigit text.[i] then i ]
        let! damage =
            Gen.oneof
                [ Gen.choose (0, text.Length - 1) |> Gen.map DropCharacter
                  Gen.zip (Gen.choose (0, text.Length)) (Gen.elements "0123456789abcdefABCDEF")
                  |> Gen.map InsertHexDigit
                  Gen.zip (Gen.elements digits) (Gen.elements "gGxz -_/\u0663\uff11 \t") |> Gen.map ReplaceWithNonHex
                  if not separators.IsEmpty then
                      Gen.zip (Gen.elements separators) (Gen.elements ":-.,; ")
                      |> Gen.filter (fun (at, other) -> text.[at] <> other)
                      |> Gen.map SwapSeparator ]
        let broken =
            match damage with
            | DropCharacter at -> text.Remove(at, 1)
            | InsertHexDigit(at, digit) -> text.Insert(at, string digit)
            | ReplaceWithNonHex(at, bad) -> text.Remove(at, 1).Insert(at, string bad)
            | SwapSeparator(at, other) -> text.Remove(at, 1).Insert(at, string other)
        return broken
    }

[<Property>]
let ``a MAC with a dropped, extra or non-hex character or mixed separators is rejected`` () =
    Prop.forAll (arb damaged) (fun text ->
        match Mac.tryParse text with
        | None -> ()
        | Some mac -> Expect.fail $"{Expect.escaped text} was read as {Mac.canonical mac}")

[<Theory>]
[<InlineData("")>]
[<InlineData("52:54:00:aa:bb")>]
[<InlineData("52:54:00:aa:bb:cc:dd")>]
[<InlineData("2:54:00:aa:bb:cc:d")>]
[<InlineData("525:4:00:aa:bb:cc")>]
[<InlineData("52:54-00:aa:bb:cc")>]
[<InlineData("52-54-00-aa-bb:cc")>]
[<InlineData("5254.00aa:bbcc")>]
[<InlineData("525.400aa.bbcc")>]
[<InlineData("52540.0aab.bcc")>]
[<InlineData("5254:00aa:bbcc")>]
[<InlineData("525400aabbc")>]
[<InlineData("525400aabbccd")>]
[<InlineData("525400aabbcg")>]
[<InlineData(" 52:54:00:aa:bb:cc")>]
[<InlineData("52:54:00:aa:bb:cc ")>]
[<InlineData("52::54:00:aa:bb:c")>]
[<InlineData("0x525400aabbcc")>]
[<InlineData("52:54:00:aa:bb:\u0663\u0663")>]
let ``garbage is not a MAC`` (text: string) =
    match Mac.tryParse text with
    | None -> ()
    | Some mac -> Expect.fail $"{Expect.escaped text} was read as {Mac.canonical mac}"
