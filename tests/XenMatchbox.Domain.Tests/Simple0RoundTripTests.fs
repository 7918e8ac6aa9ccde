/// What libxl reads back from our simple0 bytes is what we meant to hand it; what it could not
/// read (a NUL inside a value, an item too long for its buffer) is refused before it is written.
module Simple0RoundTripTests

open System.Text
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

/// Value text: paths, command lines with quotes, backslashes, tabs, LFs and non-ASCII, never NUL.
let private valueAlphabet = "abc/XYZ019 =:.,-_'\"\\\t\n\réß€中😀\u00a0\u2028"

/// A value libxl can carry: no NUL, not empty, and not starting with whitespace, because libxl
/// skips all whitespace between the key and the value, so leading whitespace never arrives.
let private value =
    nonEmptyTextOf valueAlphabet
    |> Gen.map (fun v -> v.TrimStart(' ', '\t', '\n', '\r', '\011', '\012'))
    |> Gen.filter (fun v -> v.Length > 0)

/// Sometimes a long value, still under libxl's item limit with its key.
let private longValue (key: string) =
    gen {
        let! head = value
        let! bytes = Gen.choose (1000, Output.MaxItemBytes - 1 - key.Length - 1)
        let padding = max 0 (bytes - Encoding.UTF8.GetByteCount head)
        return head + String.replicate padding "x"
    }

let private valueFor key = Gen.frequency [ 9, value; 1, longValue key ]

let private result =
    gen {
        let! kernel = valueFor "kernel"
        let! ramdisk = Gen.optionOf (valueFor "ramdisk")
        let! args = Gen.optionOf (valueFor "args")
        return ({ Kernel = kernel; Ramdisk = ramdisk; Args = args }: Output.BootResult)
    }

[<Property>]
let ``libxl reads back exactly the kernel, ramdisk and args we render as simple0`` () =
    Prop.forAll (arb result) (fun result ->
        let bytes = Output.render Output.Simple0 result |> Expect.ok "simple0"
        let read = LibxlSimple0Reader.read bytes
        Expect.equal "kernel" (Some result.Kernel) read.Kernel
        Expect.equal "ramdisk" result.Ramdisk read.Ramdisk
        Expect.equal "args" result.Args read.Args
        Expect.equal "items libxl would warn about" [] read.Unexpected
        Expect.equal "items libxl would skip as too long" 0 read.OverlyLong
        Expect.equal "keys given twice" [] read.Repeated
        Expect.isTrue
            $"{Expect.escapedBytes bytes} does not end with the empty item"
            (bytes.[bytes.Length - 2 ..] = [| 0uy; 0uy |]))

/// A valid result with the given text put into one of its values.
let private withInValue (inserted: string) =
    gen {
        let! result = result
        // no other value may hold the text, so the one spoiled below is the one reported
        let clean (v: string) = v.Replace(inserted, "")
        let result =
            { result with
                Kernel = clean result.Kernel
                Ramdisk = Option.map clean result.Ramdisk
                Args = Option.map clean result.Args }
        let! key = Gen.elements [ "kernel"; "ramdisk"; "args" ]
        let! before = value |> Gen.map clean
        let! after = textOf valueAlphabet |> Gen.map clean
        let spoiled = before + inserted + after
        let result: Output.BootResult =
            match key with
            | "kernel" -> { result with Kernel = spoiled }
            | "ramdisk" -> { result with Ramdisk = Some spoiled }
            | _ -> { result with Args = Some spoiled }
        return key, result
    }

[<Property>]
let ``a value holding a NUL cannot be written as simple0`` () =
    Prop.forAll (arb (withInValue "\000")) (fun (key, result) ->
        match Output.render Output.Simple0 result with
        | Error(Output(ValueContainsDelimiter(k, "simple0", _))) -> Expect.equalText key k
        | other -> Expect.fail $"{key}: expected ValueContainsDelimiter, got %A{other}")

[<Property>]
let ``a value holding a line feed cannot be written as simple`` () =
    Prop.forAll (arb (withInValue "\n")) (fun (key, result) ->
        match Output.render Output.Simple result with
        | Error(Output(ValueContainsDelimiter(k, "simple", _))) -> Expect.equalText key k
        | other -> Expect.fail $"{key}: expected ValueContainsDelimiter, got %A{other}")

/// A value that makes "key value" exactly this many UTF-8 bytes, with multi-byte characters in it.
let private valueMaking (key: string) (itemBytes: int) =
    let head = "/é€😀"
    head + String.replicate (itemBytes - key.Length - 1 - Encoding.UTF8.GetByteCount head) "x"

[<Theory>]
[<InlineData("kernel")>]
[<InlineData("ramdisk")>]
[<InlineData("args")>]
let ``an item of 8191 bytes or more is refused and one of 8190 bytes is written and read back`` (key: string) =
    let resultWith (v: string) : Output.BootResult =
        match key with
        | "kernel" -> { Kernel = v; Ramdisk = None; Args = None }
        | "ramdisk" -> { Kernel = "/k"; Ramdisk = Some v; Args = None }
        | _ -> { Kernel = "/k"; Ramdisk = None; Args = Some v }
    for format in [ Output.Simple0; Output.Simple; Output.Sxp ] do
        for bytes in [ 8191; 8192; 9000 ] do
            match Output.render format (resultWith (valueMaking key bytes)) with
            | Error(Output(ItemTooLong(k, counted, limit))) ->
                Expect.equal "key, bytes, limit" (key, bytes, 8191) (k, counted, limit)
            | other -> Expect.fail $"{key} item of {bytes} bytes as %A{format}: expected ItemTooLong, got %A{other}"
    let fits = valueMaking key 8190
    let bytes = Output.render Output.Simple0 (resultWith fits) |> Expect.ok "an 8190-byte item"
    let read = LibxlSimple0Reader.read bytes
    let readBack =
        match key with
        | "kernel" -> read.Kernel
        | "ramdisk" -> read.Ramdisk
        | _ -> read.Args
    Expect.equal "the value libxl reads" (Some fits) readBack
