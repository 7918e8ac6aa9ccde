/// Generators shared by the properties: MAC addresses in every spelling operators use, label keys
/// and values, and text with or without template markers.
module Generators

open System
open FsCheck
open FsCheck.FSharp

/// The characters of an alphabet as whole code points, so no surrogate is ever split.
let private runesOf (alphabet: string) =
    [ for rune in alphabet.EnumerateRunes() -> rune.ToString() ]

/// Text drawn from an alphabet, of length 0 up to the size.
let textOf (alphabet: string) =
    Gen.elements (runesOf alphabet) |> Gen.listOf |> Gen.map (String.concat "")

/// Non-empty text drawn from an alphabet.
let nonEmptyTextOf (alphabet: string) =
    Gen.elements (runesOf alphabet) |> Gen.nonEmptyListOf |> Gen.map (String.concat "")

/// Flips the case of each letter at random.
let randomCase (text: string) =
    gen {
        let! upper = Gen.arrayOfLength text.Length (Gen.elements [ false; true ])
        return
            String(
                Array.init text.Length (fun i ->
                    if upper.[i] then Char.ToUpperInvariant text.[i] else Char.ToLowerInvariant text.[i])
            )
    }

// ---- MAC addresses ----

/// A MAC as six random octets.
let macOctets = Gen.arrayOfLength 6 (Gen.choose (0, 255) |> Gen.map byte)

/// The canonical spelling, worked out here independently of the Domain: lower-case, ':'.
let colonLower (octets: byte array) =
    octets |> Array.map (fun b -> b.ToString "x2") |> String.concat ":"

/// The ways operators and tools spell a MAC.
type MacSpelling =
    | Colon
    | Hyphen
    | CiscoDotted
    | BareHex

let allSpellings = [ Colon; Hyphen; CiscoDotted; BareHex ]

let spell (spelling: MacSpelling) (octets: byte array) =
    let hex = octets |> Array.map (fun b -> b.ToString "x2")
    match spelling with
    | Colon -> String.concat ":" hex
    | Hyphen -> String.concat "-" hex
    | CiscoDotted ->
        let raw = String.concat "" hex
        $"{raw.Substring(0, 4)}.{raw.Substring(4, 4)}.{raw.Substring(8, 4)}"
    | BareHex -> String.concat "" hex

/// One MAC in one of the spellings, in random letter case.
let spelledMac (octets: byte array) =
    gen {
        let! spelling = Gen.elements allSpellings
        return! randomCase (spell spelling octets)
    }

/// Octets with a random spelling of them.
let macWithSpelling =
    gen {
        let! octets = macOctets
        let! text = spelledMac octets
        return octets, text
    }

// ---- labels ----

/// Label keys as matchbox selectors use them: [a-z0-9_-], never "mac" (which must hold a MAC).
let labelKey =
    nonEmptyTextOf "abcdefghijklmnopqrstuvwxyz0123456789_-"
    |> Gen.map (fun k -> if k.Length > 12 then k.Substring(0, 12) else k)
    |> Gen.filter (fun k -> k <> "mac")

/// Label values from an alphabet that holds no template marker characters ($ { }) and no control
/// characters, but spaces, separators, quotes and non-ASCII letters.
let safeAlphabet = "abcXYZ019 .,:;/=+-_%&?#@!'\"()[]<>|\\^~`éßü€中😀"

let safeText = textOf safeAlphabet

let labelValue = nonEmptyTextOf safeAlphabet

/// Distinct keys with values, in order.
let labelSet =
    gen {
        let! count = Gen.choose (1, 5)
        let! keys = Gen.listOfLength count labelKey
        let keys = List.distinct keys
        let! values = Gen.listOfLength keys.Length labelValue
        return List.zip keys values
    }

/// Any generator as an Arbitrary that does not shrink (the values are built, not sampled).
let arb (g: Gen<'a>) = Arb.fromGen g
