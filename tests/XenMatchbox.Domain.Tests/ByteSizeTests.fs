/// Sizes as people read them (check, show, progress): IEC units, the number before the unit never
/// more than 4 characters, exact below 1 KiB, a unit changed exactly where rounding reaches 1024,
/// and more bytes never shown as less.
module ByteSizeTests

open System
open System.Globalization
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain

let private KiB = 1024L
let private MiB = 1024L * KiB
let private GiB = 1024L * MiB
let private TiB = 1024L * GiB

[<Fact>]
let ``sizes in B, KiB, MiB, GiB and beyond`` () =
    for bytes, shown in
        [ 0L, "0 B"
          1L, "1 B"
          512L, "512 B"
          1023L, "1023 B"
          KiB, "1.0 KiB"
          1536L, "1.5 KiB"
          10239L, "10.0 KiB"
          99L * KiB + 972L, "99.9 KiB" // 99.949… KiB
          99L * KiB + 973L, "100 KiB" // 99.950… KiB: one decimal would be 100.0
          1023L * KiB + 511L, "1023 KiB"
          1023L * KiB + 512L, "1.0 MiB" // 1023.5 KiB rounds to 1024
          MiB - 1L, "1.0 MiB"
          8L * MiB, "8.0 MiB"
          64L * MiB, "64.0 MiB"
          512L * MiB, "512 MiB"
          1023L * MiB, "1023 MiB"
          GiB - 1L, "1.0 GiB"
          3L * GiB / 2L, "1.5 GiB"
          81357238272L, "75.8 GiB"
          4L * TiB, "4.0 TiB"
          Int64.MaxValue, "8.0 EiB"
          -1L, "0 B"
          Int64.MinValue, "0 B" ] do
        Expect.equalText shown (ByteSize.iec bytes)

[<Fact>]
let ``sizes ignore the machine's culture`` () =
    let saved = CultureInfo.CurrentCulture
    try
        let culture = CultureInfo.InvariantCulture.Clone() :?> CultureInfo
        culture.NumberFormat.NumberDecimalSeparator <- ","
        CultureInfo.CurrentCulture <- culture
        Expect.equalText "75.8 GiB" (ByteSize.iec 81357238272L)
    finally
        CultureInfo.CurrentCulture <- saved

let private units =
    [ "B", 1.0
      "KiB", 1024.0
      "MiB", 1024.0 ** 2.0
      "GiB", 1024.0 ** 3.0
      "TiB", 1024.0 ** 4.0
      "PiB", 1024.0 ** 5.0
      "EiB", 1024.0 ** 6.0 ]

/// A shown size read back: its number, its unit's scale and the most the rounding moved it.
let private readBack (text: string) =
    match text.Split ' ' with
    | [| number; unit |] ->
        let scale = units |> List.find (fst >> (=) unit) |> snd
        let step =
            if unit = "B" then 0.0
            elif number.Contains '.' then 0.05
            else 0.5
        number, Double.Parse(number, CultureInfo.InvariantCulture) * scale, step * scale
    | _ -> Expect.fail $"size {Expect.escaped text}"

let private anyBytes =
    Gen.oneof
        [ Gen.choose (0, 4096) |> Gen.map int64
          Gen.choose64 (0L, Int64.MaxValue)
          Gen.elements [ 1024L; MiB; GiB; TiB; Int64.MaxValue ] |> Gen.map (fun b -> b - 1L)
          // Around the unit boundaries and the switch from one decimal to none.
          gen {
              let! scale = Gen.elements [ KiB; MiB; GiB; TiB ]
              let! at = Gen.elements [ 99.95; 1023.5; 1024.0; 100.0 ]
              let! off = Gen.choose (-3, 3)
              return int64 (at * float scale) + int64 off
          } ]

[<Property>]
let ``a size is exact below 1 KiB`` () =
    Prop.forAll (Generators.arb (Gen.choose (0, 1023))) (fun n -> Expect.equalText $"{n} B" (ByteSize.iec (int64 n)))

[<Property>]
let ``the number before the unit has at most 4 characters and reads back within its rounding`` () =
    Prop.forAll (Generators.arb anyBytes) (fun bytes ->
        let text = ByteSize.iec bytes
        let number, value, tolerance = readBack text
        Expect.isTrue $"{text}: more than 4 characters" (number.Length <= 4)
        Expect.isTrue $"{text} for {bytes}" (abs (value - float bytes) <= tolerance * (1.0 + 1e-9) + 1.0)
        Expect.isTrue
            $"{text}: a unit is used below 1024 of it"
            (Double.Parse(number, CultureInfo.InvariantCulture) < 1024.0)
        Expect.isTrue $"{text}: KiB and up from 1024 B" (text.EndsWith " B" = (bytes < 1024L)))

[<Property>]
let ``more bytes never show a smaller size`` () =
    Prop.forAll (Generators.arb (Gen.two anyBytes)) (fun (a, b) ->
        let small, large = min a b, max a b
        let _, shownSmall, _ = readBack (ByteSize.iec small)
        let _, shownLarge, _ = readBack (ByteSize.iec large)
        Expect.isTrue $"{ByteSize.iec small} for {small} > {ByteSize.iec large} for {large}" (shownSmall <= shownLarge))

[<Property>]
let ``one byte more never shows a smaller size, at every boundary`` () =
    Prop.forAll (Generators.arb anyBytes) (fun bytes ->
        let bytes = min bytes (Int64.MaxValue - 1L)
        let _, here, _ = readBack (ByteSize.iec bytes)
        let _, next, _ = readBack (ByteSize.iec (bytes + 1L))
        Expect.isTrue $"{ByteSize.iec bytes} then {ByteSize.iec (bytes + 1L)}" (here <= next))
