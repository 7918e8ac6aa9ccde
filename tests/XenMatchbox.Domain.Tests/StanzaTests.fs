/// The xl config stanza of `xenmatchbox stage`: golden files, and properties against a model of
/// how xl reads a double-quoted string, so every value we accept reads back byte for byte.
module StanzaTests

open System
open System.Text
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Stanza

// ---- a model of xl's reader ----

/// How xl reads `key = "value"` lines, from the facts of libxlutil's config lexer and dequoting
/// (tools/libs/util, as in tools/libxl before it): a quoted string is any byte but the quote, '\'
/// and LF, or '\' and any byte but LF; \" \' \\ \a \b \f \n \r \t \v read as one byte; \x is
/// always a parse error; an octal escape yields no byte (its digits are dropped, or it fails), so
/// it is an error here; any other escape is a parse error; a value is a C string, so a NUL ends it.
module XlReader =
    let private isSpace (b: byte) = b = ' 'B || b = '\t'B

    let private isIdentStart (b: byte) = b >= 'a'B && b <= 'z'B

    let private isIdent (b: byte) = isIdentStart b || (b >= '0'B && b <= '9'B) || b = '_'B

    let private escapes =
        Map
            [ '"'B, '"'B
              '\''B, '\''B
              '\\'B, '\\'B
              'a'B, 7uy
              'b'B, 8uy
              'f'B, 12uy
              'n'B, 10uy
              'r'B, 13uy
              't'B, 9uy
              'v'B, 11uy ]

    /// The bytes between the quotes, with escapes read.
    let private dequote (raw: byte list) =
        let rec go (raw: byte list) (acc: byte list) =
            match raw with
            | [] -> Ok(List.rev acc |> Array.ofList)
            | 0uy :: _ -> Error "a NUL ends the C string"
            | '\\'B :: next :: rest ->
                match escapes.TryFind next with
                | Some b -> go rest (b :: acc)
                | None when next = 'x'B -> Error "a hex escape is always a parse error"
                | None when next >= '0'B && next <= '7'B -> Error "an octal escape yields no byte"
                | None -> Error $"invalid character after backslash: {next}"
            | [ '\\'B ] -> Error "a lone backslash before the closing quote"
            | b :: rest -> go rest (b :: acc)
        go raw []

    /// One string token from the quote at `at`: its raw bytes and the index after its closing quote.
    let private lexString (bytes: byte array) (at: int) =
        let quote = bytes.[at]
        let rec go i (acc: byte list) =
            if i >= bytes.Length then
                Error "an unterminated string"
            else
                let b = bytes.[i]
                if b = quote then
                    Ok(List.rev acc, i + 1)
                elif b = '\n'B then
                    Error "a newline inside a string"
                elif b = '\\'B then
                    if i + 1 >= bytes.Length || bytes.[i + 1] = '\n'B then
                        Error "a backslash before a newline"
                    else
                        go (i + 2) (bytes.[i + 1] :: b :: acc)
                else
                    go (i + 1) (b :: acc)
        go (at + 1) []

    /// The settings, in order, or why xl would refuse the text.
    let read (bytes: byte array) : Result<(string * byte array) list, string> =
        let skipSpace i =
            let mutable i = i
            while i < bytes.Length && isSpace bytes.[i] do
                i <- i + 1
            i
        let rec lines i (acc: (string * byte array) list) =
            let i = skipSpace i
            if i >= bytes.Length then
                Ok(List.rev acc)
            elif bytes.[i] = '\n'B then
                lines (i + 1) acc
            elif not (isIdentStart bytes.[i]) then
                Error $"no setting at byte {i}"
            else
                let mutable j = i
                while j < bytes.Length && isIdent bytes.[j] do
                    j <- j + 1
                let key = Encoding.ASCII.GetString(bytes, i, j - i)
                let j = skipSpace j
                if j >= bytes.Length || bytes.[j] <> '='B then
                    Error $"no '=' after {key}"
                else
                    let j = skipSpace (j + 1)
                    if j >= bytes.Length || (bytes.[j] <> '"'B && bytes.[j] <> '\''B) then
                        Error $"{key} is not a string"
                    else
                        match
                            lexString bytes j
                            |> Result.bind (fun (raw, next) -> dequote raw |> Result.map (fun v -> v, next))
                        with
                        | Error e -> Error $"{key}: {e}"
                        | Ok(value, next) ->
                            let next = skipSpace next
                            if next < bytes.Length && bytes.[next] <> '\n'B then
                                Error $"text after {key}'s value"
                            else
                                lines next ((key, value) :: acc)
        lines 0 []

let private utf8 (text: string) = Encoding.UTF8.GetBytes text

let private readBack (stanza: string) =
    match XlReader.read (utf8 stanza) with
    | Ok settings -> settings
    | Error reason -> Expect.fail $"xl would not read {Expect.escaped stanza}: {reason}"

[<Fact>]
let ``the reader model follows libxlutil on escapes`` () =
    let value (text: string) =
        XlReader.read (utf8 $"k = {text}\n") |> Result.map (List.map snd)
    Expect.equal
        "simple escapes"
        (Ok [ [| '"'B; '\''B; '\\'B; 10uy; 13uy; 9uy; 7uy; 8uy; 12uy; 11uy |] ])
        (value "\"\\\"\\'\\\\\\n\\r\\t\\a\\b\\f\\v\"")
    Expect.equal "single quotes" (Ok [ utf8 "a\"b" ]) (value "'a\"b'")
    for refused in [ "\"\\x41\""; "\"\\101\""; "\"\\q\""; "\"a\nb\""; "\"a\\\nb\""; "\"a\000b\""; "\"open" ] do
        match value refused with
        | Ok v -> Expect.fail $"{Expect.escaped refused} read as %A{v}"
        | Error _ -> ()

// ---- golden files ----

let cases: objnull array seq = Golden.cases "stanza" |> Seq.map (fun case -> [| box case |])

let private readInput (case: string) : StanzaInput =
    let fields = Golden.fields $"stanza/{case}.json"
    let field (name: string) = Map.tryFind name fields
    { Kernel = field "kernel" |> Option.defaultWith (fun () -> Expect.fail $"{case}.json has no kernel")
      Ramdisk = field "ramdisk"
      Cmdline = field "cmdline" }

[<Fact>]
let ``every stanza case has its expected file`` () =
    Expect.isTrue "no stanza case was copied to the test output" (Seq.length cases > 0)
    for case in cases do
        let name = string case.[0]
        Expect.isTrue $"{name}.stanza.expected" (Golden.exists $"stanza/{name}.stanza.expected")

[<Theory>]
[<MemberData(nameof cases)>]
let ``the stanza is exactly the golden file`` (case: string) =
    let expected = Golden.bytes $"stanza/{case}.stanza.expected"
    let actual = render (readInput case) |> Expect.ok case
    Expect.equalBytes expected (utf8 actual)

[<Theory>]
[<MemberData(nameof cases)>]
let ``xl reads every golden stanza back as its input`` (case: string) =
    let input = readInput case
    let expected =
        [ Some("kernel", input.Kernel)
          input.Ramdisk |> Option.map (fun r -> "ramdisk", r)
          input.Cmdline |> Option.map (fun c -> "cmdline", c) ]
        |> List.choose id
        |> List.filter (fun (_, v) -> v.Length > 0)
        |> List.map (fun (k, v) -> k, utf8 v)
    let text = Golden.text $"stanza/{case}.stanza.expected"
    Expect.equal "settings" expected (readBack text)

// ---- examples ----

let private refusedWith (key: string) (result: Result<string, BootError>) =
    match result with
    | Error(Output(StanzaValueInvalid(k, reason))) ->
        Expect.equalText key k
        reason
    | other -> Expect.fail $"expected StanzaValueInvalid for {key}, got %A{other}"

[<Fact>]
let ``a value needing no escape is only put in double quotes`` () =
    Expect.equal "quoted" (Ok "\"console=hvc0 x='a' $HOME #1 é\"") (quote "cmdline" "console=hvc0 x='a' $HOME #1 é")

[<Fact>]
let ``double quotes and backslashes take a backslash`` () =
    Expect.equal "quoted" (Ok "\"a=\\\"b\\\" c=\\\\d\\\\\"") (quote "cmdline" "a=\"b\" c=\\d\\")

[<Fact>]
let ``NUL, newline, tab and other control characters are refused, named`` () =
    for value, named in
        [ "a\000b", "U+0000"
          "a\nb", "U+000A"
          "a\rb", "U+000D"
          "a\tb", "U+0009"
          "a\u001bb", "U+001B"
          "a\u007fb", "U+007F"
          "a\u0085b", "U+0085" ] do
        let reason = quote "cmdline" value |> refusedWith "cmdline"
        Expect.isTrue $"{reason} names {named}" (reason.Contains named)

[<Fact>]
let ``a lone surrogate is refused`` () =
    let reason = quote "cmdline" (String [| 'a'; char 0xd800; 'b' |]) |> refusedWith "cmdline"
    Expect.isTrue reason (reason.Contains "U+D800")

[<Fact>]
let ``relative paths are refused`` () =
    render { Kernel = "boot/kernel"; Ramdisk = None; Cmdline = None } |> refusedWith "kernel" |> ignore
    render { Kernel = "/boot/kernel"; Ramdisk = Some "ramdisk"; Cmdline = None } |> refusedWith "ramdisk" |> ignore
    render { Kernel = ""; Ramdisk = None; Cmdline = None } |> refusedWith "kernel" |> ignore

[<Fact>]
let ``empty ramdisk and cmdline are left out`` () =
    Expect.equal
        "stanza"
        (Ok "kernel = \"/d/kernel\"\n")
        (render { Kernel = "/d/kernel"; Ramdisk = Some ""; Cmdline = Some "" })

// ---- properties ----

/// Pieces of values: plain text, the characters xl's strings treat specially, literal escape
/// spellings, UTF-8 of every length, and now and then a character the stanza must refuse.
let private cleanPieces =
    [ "a"
      "Z"
      "0"
      "/"
      " "
      "="
      "."
      ","
      ";"
      "'"
      "\""
      "\\"
      "$"
      "{"
      "}"
      "#"
      "["
      "]"
      "\\n"
      "\\x41"
      "\\101"
      "\\\""
      "é"
      "€"
      "中"
      "😀"
      "\u00a0"
      "\u2028"
      "\ufffd" ]

let private forbiddenPieces =
    // lone surrogates built from chars: an F# literal would turn them into U+FFFD
    [ "\000"
      "\n"
      "\r"
      "\t"
      "\u0001"
      "\u001f"
      "\u007f"
      "\u0080"
      "\u009f"
      string (char 0xd800)
      string (char 0xdfff) ]

/// Clean text, or (one time in four) clean text with one forbidden piece somewhere in it, so both
/// accepted and refused values come up often.
let private text =
    gen {
        let! pieces = Gen.listOf (Gen.elements cleanPieces)
        let! spoil = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]
        if spoil then
            let! at = Gen.choose (0, pieces.Length)
            let! bad = Gen.elements forbiddenPieces
            return String.concat "" (List.insertAt at bad pieces)
        else
            return String.concat "" pieces
    }

let private path =
    gen {
        let! absolute = Gen.frequency [ 9, Gen.constant true; 1, Gen.constant false ]
        let! rest = text
        return if absolute then "/" + rest else rest.TrimStart '/'
    }

let private input =
    gen {
        let! kernel = path
        let! ramdisk = Gen.optionOf path
        let! cmdline = Gen.optionOf text
        return { Kernel = kernel; Ramdisk = ramdisk; Cmdline = cmdline }
    }

/// Written here from the rule, not taken from the Domain: C0, DEL and C1 controls, and UTF-16
/// surrogates that are not part of a pair.
let private forbidden (value: string) =
    let rec scan i =
        if i >= value.Length then
            false
        else
            let c = int value.[i]
            if
                c >= 0xd800
                && c <= 0xdbff
                && i + 1 < value.Length
                && int value.[i + 1] >= 0xdc00
                && int value.[i + 1] <= 0xdfff
            then
                scan (i + 2)
            elif (c >= 0xd800 && c <= 0xdfff) || c < 0x20 || (c >= 0x7f && c <= 0x9f) then
                true
            else
                scan (i + 1)
    scan 0

/// The settings the stanza should hold, in order, and the first key that should be refused.
let private expectation (input: StanzaInput) =
    let items =
        [ Some("kernel", input.Kernel, true)
          input.Ramdisk |> Option.filter (fun r -> r.Length > 0) |> Option.map (fun r -> "ramdisk", r, true)
          input.Cmdline |> Option.filter (fun c -> c.Length > 0) |> Option.map (fun c -> "cmdline", c, false) ]
        |> List.choose id
    let refused =
        items
        |> List.tryPick (fun (key, value, isPath) ->
            if (isPath && not (value.StartsWith "/")) || forbidden value then Some key else None)
    items |> List.map (fun (key, value, _) -> key, utf8 value), refused

[<Property>]
let ``xl reads every accepted stanza back byte for byte`` () =
    Prop.forAll (Generators.arb input) (fun input ->
        match render input, expectation input with
        | Ok stanza, (settings, None) ->
            Expect.isTrue $"{Expect.escaped stanza} ends with LF" (stanza.EndsWith '\n')
            Expect.equal "settings" settings (readBack stanza)
        | Ok stanza, (_, Some key) -> Expect.fail $"{key} should have been refused: {Expect.escaped stanza}"
        | Error e, _ when (snd (expectation input)).IsNone -> Expect.fail $"refused {Expect.shown e} for %A{input}"
        | Error _, _ -> ())

[<Property>]
let ``exactly the values with a forbidden character, and relative paths, are refused`` () =
    Prop.forAll (Generators.arb input) (fun input ->
        match render input, snd (expectation input) with
        | Ok _, None -> ()
        | Error(Output(StanzaValueInvalid(key, _))), Some expected -> Expect.equalText expected key
        | result, expected -> Expect.fail $"for %A{input}: expected refusal of %A{expected}, got %A{result}")

[<Property>]
let ``quote is the value in double quotes when it holds no double quote or backslash`` () =
    Prop.forAll (Generators.arb text) (fun value ->
        match quote "cmdline" value with
        | Ok quoted when not (value.Contains '"' || value.Contains '\\') ->
            Expect.equalText ("\"" + value + "\"") quoted
        | Ok quoted -> Expect.equal "read back" (Ok [ "k", utf8 value ]) (XlReader.read (utf8 $"k = {quoted}\n"))
        | Error _ -> Expect.isTrue $"{Expect.escaped value} was refused" (forbidden value))
