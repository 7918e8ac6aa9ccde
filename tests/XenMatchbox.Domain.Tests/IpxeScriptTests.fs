/// The HTTP-only lookup: the query matchbox's /ipxe selects by, and the iPXE script it answers with
/// read back into the profile (matchbox-api.md §4.2 and §4.5).
module IpxeScriptTests

open System
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators
open MatchboxIpxe

let private source = "/ipxe?mac=52:54:00:aa:bb:cc"

let private profile (kernel: string) (initrds: string list) (args: string list) : Profile.UnvalidatedProfile =
    { Id = source; Kernel = kernel; Initrds = initrds; Args = args }

let private parsed (script: string) =
    Ipxe.parse source script |> Expect.ok (Expect.escaped script)

/// The line number and reason of the script's rejection, or a failure naming what came instead.
let private rejected (script: string) =
    match Ipxe.parse source script with
    | Error(Lookup(IpxeScriptRejected(url, line, reason)) as error) ->
        Expect.equalText source url
        Expect.equalText "XMB-211" (code error)
        line, reason
    | Error other -> Expect.fail $"{Expect.escaped script}: expected IpxeScriptRejected, got {Expect.shown other}"
    | Ok profile -> Expect.fail $"{Expect.escaped script}: expected a rejection, got %A{profile}"

/// The code of the script's refusal and the line it names: XMB-211 names the line that is not
/// matchbox's; XMB-315 (an arg that wrote lines of its own) names the first line the kernel line
/// runs on into.
let private refusal (script: string) =
    match Ipxe.parse source script with
    | Error(Lookup(IpxeScriptRejected(_, line, _)) as error) -> code error, line, describe error
    | Error(Plan(ArgsControlCharacter(where, _)) as error) ->
        let found = Text.RegularExpressions.Regex.Match(where, @"runs on into line (\d+)")
        Expect.isTrue $"'{where}' names the line" found.Success
        code error, int found.Groups.[1].Value, describe error
    | Error other -> Expect.fail $"{Expect.escaped script}: expected XMB-211 or XMB-315, got {Expect.shown other}"
    | Ok profile -> Expect.fail $"{Expect.escaped script}: expected a refusal, got %A{profile}"

/// The code a line out of place gets: between the kernel line and the final boot it can only have
/// come from a newline in an arg (XMB-315); elsewhere the script is not matchbox's (XMB-211).
let private codeAt (at: int) (lineCount: int) = if at >= 2 && at < lineCount then "XMB-315" else "XMB-211"

// ---- generators ----

/// Kernel and initrd references as profiles name them: server paths and absolute URLs, some with
/// an iPXE variable; never starting with '-' (iPXE would read that as an option).
let reference =
    let segment = nonEmptyTextOf "abcdefghijklmnopqrstuvwxyz0123456789-_.~%"
    let path = Gen.nonEmptyListOf segment |> Gen.map (List.truncate 4 >> String.concat "/")
    gen {
        let! path = path
        let! prefix =
            Gen.elements
                [ "/assets/"; "/"; "http://matchbox.example.com:8080/assets/"; "https://builds.example.org/prod/" ]
        let! query = Gen.elements [ ""; "?arch=${buildarch:uristring}"; "?mac=${mac:hexhyp}&x=1" ]
        return prefix + path + query
    }

/// Args as written in profiles: no spaces (matchbox joins args with spaces, so a space cannot come
/// back) except inside a {{ .label }} marker, no control characters; option-like and keyword-like
/// words included, since after the kernel reference they are plain args.
let arg =
    Gen.oneof
        [ nonEmptyTextOf "abcXYZ019.,:;/=+-_%&?#@!'\"()[]<>|\\^~`éßü€中😀${}"
          |> Gen.filter (fun text -> not (text.Contains "{{" || text.Contains "}}"))
          Gen.elements
              [ "--name"
                "-n"
                "main"
                "initrd=main"
                "boot"
                "kernel"
                "initrd"
                "#!ipxe"
                "${mac:hexhyp}"
                "{{.uuid}}"
                "-" ]
          Gen.elements
              [ "{{ .uuid }}"
                "xmb.name={{ .name }}"
                "a={{ .mac }}-{{ .os }}"
                "x={{.uuid }}"
                "{{ index .request.query \"mac\" }}" ] ]

let private boot =
    gen {
        let! kernel = reference
        let! initrdCount = Gen.choose (0, 4)
        let! initrds = Gen.listOfLength initrdCount reference
        let! argCount = Gen.choose (0, 8)
        let! args = Gen.listOfLength argCount arg
        let! style = Gen.elements [ PerLine; LegacyOneLine ]
        return style, { Kernel = kernel; Initrds = initrds; Args = args }
    }

/// iPXE image options, as they may stand in front of a reference.
let options =
    Gen.elements
        [ "--name main"
          "-n main"
          "--name=main"
          "--name initrd.img"
          "--timeout 5000"
          "-t 3"
          "--timeout=100"
          "--autofree"
          "-a"
          "--replace"
          "-r" ]
    |> Gen.listOf
    |> Gen.map (List.truncate 3 >> List.map (fun option -> option + " ") >> String.concat "")

/// Lines matchbox never writes for /ipxe: other iPXE commands, misspelt keywords, error pages.
let private unknownLine =
    gen {
        let! command =
            Gen.elements
                [ "chain"
                  "echo"
                  "imgfetch"
                  "module"
                  "sanboot"
                  "set"
                  "goto"
                  "dhcp"
                  "shell"
                  "exit"
                  "#"
                  ":retry"
                  "Kernel"
                  "KERNEL"
                  "kernel2"
                  "initrd2"
                  "INITRD"
                  "Boot"
                  "boot2"
                  "<html>"
                  "404"
                  "imgexec"
                  "#!gpxe" ]
        let! tail =
            Gen.listOf (
                Gen.elements
                    [ "http://matchbox.example.com:8080/boot.ipxe"; "page"; "not"; "found"; "${mac}"; "-n"; "x" ]
            )
        return String.concat " " (command :: List.truncate 4 tail)
    }

// ---- properties ----

[<Property>]
let ``a boot rendered as matchbox does, in either style, reads back as the same profile`` () =
    Prop.forAll (arb boot) (fun (style, boot) ->
        Expect.equal "the profile" (profile boot.Kernel boot.Initrds boot.Args) (parsed (render style boot)))

[<Property>]
let ``iPXE options in front of the kernel and of each initrd are dropped`` () =
    let case =
        gen {
            let! style, boot = boot
            let! kernelOptions = options
            let! initrdOptions = Gen.listOfLength boot.Initrds.Length options
            let withOptions =
                { boot with
                    Kernel = kernelOptions + boot.Kernel
                    Initrds = List.map2 (+) initrdOptions boot.Initrds }
            return style, boot, withOptions
        }
    Prop.forAll (arb case) (fun (style, boot, withOptions) ->
        Expect.equal "the profile" (parsed (render style boot)) (parsed (render style withOptions)))

[<Property>]
let ``a script with CRLF line ends reads as the same script with LF`` () =
    Prop.forAll (arb boot) (fun (style, boot) ->
        let script = render style boot
        Expect.equal "the profile" (parsed script) (parsed (script.Replace("\n", "\r\n"))))

/// The script's lines, without the empty piece after the final LF.
let private linesOf (script: string) =
    script.Split '\n' |> Array.toList |> List.filter (fun l -> l.Length > 0)

let private joined (lines: string list) = String.concat "" [ for line in lines -> line + "\n" ]

[<Property>]
let ``a line matchbox never writes, anywhere in the script, is rejected by its line number`` () =
    let case =
        gen {
            let! style, boot = boot
            let lines = linesOf (render style boot)
            let! at = Gen.choose (0, lines.Length)
            let! line = unknownLine
            return line, at, joined (List.insertAt at line lines)
        }
    Prop.forAll (arb case) (fun (line, at, script) ->
        let code, number, text = refusal script
        Expect.equalText (codeAt at ((linesOf script).Length - 1)) code
        Expect.equal $"the line number for '{line}' inserted as line {at + 1}" (at + 1) number
        Expect.isTrue $"the error '{text}' quotes the line '{line}'" (text.Contains(line.Split(' ').[0])))

[<Property>]
let ``blank lines after boot are ignored, before it they are rejected`` () =
    let case =
        gen {
            let! style, boot = boot
            let lines = linesOf (render style boot)
            let! blank = Gen.elements [ ""; " "; "   " ]
            let! count = Gen.choose (1, 3)
            let! at = Gen.choose (1, lines.Length - 1)
            return lines, List.replicate count blank, at
        }
    Prop.forAll (arb case) (fun (lines, blanks, at) ->
        Expect.equal "the profile" (parsed (joined lines)) (parsed (joined (lines @ blanks)))
        let code, number, _ = refusal (joined (List.insertManyAt at blanks lines))
        Expect.equalText (codeAt at lines.Length) code
        Expect.equal "the line number of the first blank line" (at + 1) number)

[<Property>]
let ``the query carries every label, in order, and unescapes to exactly the labels`` () =
    let lookups =
        gen {
            let! items = labelSet
            let! octets = macOctets
            let! mac = spelledMac octets
            let! macFirst = Gen.elements [ true; false ]
            let texts = [ for k, v in items -> $"{k}={v}" ]
            return if macFirst then $"mac={mac}" :: texts else texts @ [ $"mac={mac}" ]
        }
    Prop.forAll (arb lookups) (fun texts ->
        let labels = Labels.fromLookups texts |> Expect.ok "the lookups"
        let query = Ipxe.query labels
        Expect.isTrue
            $"'{query}' holds a character a query must not carry raw"
            (query |> Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || "-._~%=&".Contains c))
        let decoded =
            query.Split '&'
            |> Array.toList
            |> List.map (fun pair ->
                match pair.Split '=' with
                | [| key; value |] -> Uri.UnescapeDataString key, Uri.UnescapeDataString value
                | _ -> Expect.fail $"'{pair}' in '{query}' is not one key=value")
        Expect.equal "the labels" (Labels.toPairs labels) decoded)

// ---- examples ----

[<Fact>]
let ``matchbox's own fixture reads back in both styles`` () =
    let expected = profile "/image/kernel" [ "/image/initrd_a"; "/image/initrd_b" ] [ "a=b"; "c" ]
    Expect.equal
        "v0.7.0 and later"
        expected
        (parsed "#!ipxe\nkernel /image/kernel a=b c\ninitrd /image/initrd_a\ninitrd /image/initrd_b\nboot\n")
    Expect.equal
        "v0.6.1"
        expected
        (parsed "#!ipxe\nkernel /image/kernel a=b c\ninitrd /image/initrd_a /image/initrd_b \nboot\n")

[<Fact>]
let ``the FCOS initrd with --name main is the bare asset path`` () =
    let script =
        "#!ipxe\nkernel /assets/k initrd=main coreos.live.rootfs_url=http://mb:8080/assets/rootfs.img\ninitrd --name main /assets/x\nboot\n"
    Expect.equal
        "the profile"
        (profile
            "/assets/k"
            [ "/assets/x" ]
            [ "initrd=main"; "coreos.live.rootfs_url=http://mb:8080/assets/rootfs.img" ])
        (parsed script)

[<Fact>]
let ``a {{ .label }} marker the script splits at its spaces is one arg again`` () =
    let script = "#!ipxe\nkernel /assets/k console=hvc0 xmb.name={{ .name }} b={{ .a }}{{ .b }} c={{  .c\nboot\n"
    Expect.equal
        "the profile"
        (profile "/assets/k" [] [ "console=hvc0"; "xmb.name={{ .name }}"; "b={{ .a }}{{ .b }}"; "c={{"; ".c" ])
        (parsed script)

[<Fact>]
let ``a kernel line without args gives no args`` () =
    Expect.equal
        "the profile"
        (profile "/assets/k" [ "/assets/i" ] [])
        (parsed "#!ipxe\nkernel /assets/k\ninitrd /assets/i\nboot\n")

[<Fact>]
let ``a script without initrd lines, or with the legacy empty one, gives no initrds`` () =
    Expect.equal
        "no initrd line"
        (profile "/assets/k" [] [ "console=hvc0" ])
        (parsed "#!ipxe\nkernel /assets/k console=hvc0\nboot\n")
    Expect.equal
        "'initrd ' alone"
        (profile "/assets/k" [] [ "console=hvc0" ])
        (parsed "#!ipxe\nkernel /assets/k console=hvc0\ninitrd \nboot\n")

[<Fact>]
let ``a script without the final LF still reads`` () =
    Expect.equal "the profile" (profile "/assets/k" [] []) (parsed "#!ipxe\nkernel /assets/k\nboot")

[<Fact>]
let ``a CRLF script reads as the LF one`` () =
    Expect.equal
        "the profile"
        (profile "/image/kernel" [ "/image/initrd_a" ] [ "a=b"; "c" ])
        (parsed "#!ipxe\r\nkernel /image/kernel a=b c\r\ninitrd /image/initrd_a\r\nboot\r\n")

[<Theory>]
[<InlineData("404 page not found\n")>]
[<InlineData("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body>not found</body></html>\n")>]
[<InlineData("matchbox\n")>]
[<InlineData("#!ipxe \nkernel /k\nboot\n")>]
[<InlineData("\uFEFF#!ipxe\nkernel /k\nboot\n")>]
[<InlineData("\n#!ipxe\nkernel /k\nboot\n")>]
let ``a body that does not start with #!ipxe is rejected on line 1`` (body: string) =
    let number, reason = rejected body
    Expect.equal "the line" 1 number
    Expect.isTrue $"the reason '{reason}' names the missing header" (reason.Contains "#!ipxe")

[<Fact>]
let ``an empty body is rejected on line 1`` () = Expect.equal "the line" 1 (fst (rejected ""))

[<Fact>]
let ``a chain line is refused, not run`` () =
    let number, reason = rejected "#!ipxe\nchain http://matchbox.example.com:8080/boot.ipxe\n"
    Expect.equal "the line" 2 number
    Expect.equalText
        "is 'chain http://matchbox.example.com:8080/boot.ipxe', which xenmatchbox does not run (matchbox writes only kernel, initrd and boot)"
        reason

[<Theory>]
[<InlineData("#!ipxe\n", 1, "XMB-211")>]
[<InlineData("#!ipxe\nkernel /k\n", 2, "XMB-211")>]
[<InlineData("#!ipxe\nkernel /k\ninitrd /i\n", 3, "XMB-211")>]
[<InlineData("#!ipxe\nboot\n", 2, "XMB-211")>]
[<InlineData("#!ipxe\ninitrd /i\nkernel /k\nboot\n", 2, "XMB-211")>]
[<InlineData("#!ipxe\nkernel /k\nkernel /k2\nboot\n", 3, "XMB-315")>]
[<InlineData("#!ipxe\nkernel /k\nboot\nboot\n", 3, "XMB-315")>]
[<InlineData("#!ipxe\nkernel /k\nboot\ninitrd /i\n", 4, "XMB-211")>]
[<InlineData("#!ipxe\nkernel /k\nboot now\n", 3, "XMB-211")>]
[<InlineData("#!ipxe\nkernel\nboot\n", 2, "XMB-211")>]
[<InlineData("#!ipxe\nkernel --name k\nboot\n", 2, "XMB-211")>]
[<InlineData("#!ipxe\nkernel --name\nboot\n", 2, "XMB-211")>]
[<InlineData("#!ipxe\nkernel --bogus /k\nboot\n", 2, "XMB-211")>]
[<InlineData("#!ipxe\nkernel /k\ninitrd\nboot\n", 3, "XMB-315")>]
[<InlineData("#!ipxe\nkernel /k\ninitrd /a /b\nboot\n", 3, "XMB-315")>]
[<InlineData("#!ipxe\nkernel /k\ninitrd --name main\nboot\n", 3, "XMB-315")>]
[<InlineData("#!ipxe\nkernel /k\ninitrd /a --name main \nboot\n", 3, "XMB-315")>]
[<InlineData("#!ipxe\nkernel /k\ninitrd -x /a \nboot\n", 3, "XMB-315")>]
[<InlineData("#!ipxe\nkernel /k\n\nboot\n", 3, "XMB-315")>]
let ``a script out of matchbox's shape is rejected at the line that breaks it``
    (script: string, line: int, expectedCode: string)
    =
    let code, number, _ = refusal script
    Expect.equal "the line" line number
    Expect.equalText expectedCode code

[<Fact>]
let ``a second kernel line names the first`` () =
    let code, number, text = refusal "#!ipxe\nkernel /k\ninitrd /i\nkernel /k2\nboot\n"
    Expect.equalText "XMB-315" code
    Expect.equal "the line" 4 number
    Expect.isTrue $"the error '{text}' names line 2" (text.Contains "line 2")

[<Fact>]
let ``a script of more than MaxLines lines is refused at the first line over, without reading the rest`` () =
    let script = "#!ipxe\nkernel /k\n" + String.replicate (Ipxe.MaxLines + 10) "initrd /i\n" + "boot\n"
    let number, _ = rejected script
    Expect.equal "the line" (Ipxe.MaxLines + 1) number
    let lines = "#!ipxe\nkernel /k\n" + String.replicate (Ipxe.MaxLines - 3) "initrd /i\n" + "boot\n"
    Expect.equal "initrds in a script of exactly MaxLines lines" (Ipxe.MaxLines - 3) (parsed lines).Initrds.Length

[<Fact>]
let ``a line over MaxLineBytes is refused, counted in UTF-8 bytes`` () =
    // The kernel line is held to the profile's arg limits instead (IpxeParityTests).
    let path n = "/" + String.replicate n "é"
    let ok = "#!ipxe\nkernel /k\ninitrd " + path ((Ipxe.MaxLineBytes - "initrd /".Length) / 2) + "\nboot\n"
    Expect.equal "initrds of a line at the limit" 1 (parsed ok).Initrds.Length
    let number, reason =
        rejected ("#!ipxe\nkernel /k\ninitrd " + path ((Ipxe.MaxLineBytes - "initrd /".Length) / 2 + 1) + "\nboot\n")
    Expect.equal "the line" 3 number
    Expect.isTrue $"the reason '{reason}' says bytes" (reason.Contains "bytes")

[<Fact>]
let ``a body of one huge line without LF is refused, not split whole`` () =
    let number, _ = rejected ("#!ipxe\n" + String('x', 1 <<< 20))
    Expect.equal "the line" 2 number

[<Fact>]
let ``the parsed fixture makes the plan matchbox's iPXE flow would boot`` () =
    let labels = Labels.fromLookups [ "mac=52:54:00:aa:bb:cc" ] |> Expect.ok "labels"
    let profile =
        parsed
            "#!ipxe\nkernel /image/kernel a=b c mac=${mac:hexhyp}\ninitrd --name main /image/initrd_a\ninitrd /image/initrd_b\nboot\n"
    let plan =
        Profile.create { Host = "mb"; Port = 8080; Secure = false } "/out" labels None profile |> Expect.ok "the plan"
    Expect.equalText "http://mb:8080/image/kernel" plan.Kernel.Value
    Expect.equal
        "initrds"
        [ "http://mb:8080/image/initrd_a"; "http://mb:8080/image/initrd_b" ]
        (plan.Initrds |> List.map (fun u -> u.Value))
    Expect.equal "command line" (Some "a=b c mac=52-54-00-aa-bb-cc") plan.CommandLine
    Expect.equalText source plan.ProfileId

[<Fact>]
let ``the query of a mac and a uuid label`` () =
    let labels =
        Labels.fromLookups [ "MAC=52-54-00-AA-BB-CC"; "uuid=0b7c5b08-1d6e-4f3a"; "role=a b&c" ] |> Expect.ok "labels"
    Expect.equalText "mac=52%3A54%3A00%3Aaa%3Abb%3Acc&uuid=0b7c5b08-1d6e-4f3a&role=a%20b%26c" (Ipxe.query labels)

// ---- answers other than 200 ----

let private endpoint = "http://matchbox.example.com:8080/ipxe"

[<Fact>]
let ``a 404 from /ipxe is no matching group, not worth another try`` () =
    let labels = Labels.fromLookups [ "mac=52-54-00-AA-BB-CC" ] |> Expect.ok "labels"
    let error = Ipxe.statusError endpoint labels 404 None "404 page not found\n"
    Expect.equal "the error" (Lookup(NoMatchingGroup "mac=52:54:00:aa:bb:cc")) error
    Expect.isTrue "a 404 is retried" (not (Transfer.isTransient error))

[<Property>]
let ``any other status is a failed lookup naming it and the body's first line; only 502, 503 and 504 are retried`` () =
    let case =
        gen {
            let! status =
                Gen.oneof [ Gen.choose (100, 599); Gen.elements [ 200; 301; 403; 500; 502; 503; 504 ] ]
                |> Gen.filter (fun s -> s <> 404)
            let! first = textOf "abcXYZ 019<>/:.\t\u0000"
            let! rest = safeText
            let! crlf = Gen.elements [ "\n"; "\r\n" ]
            return status, first, first + crlf + rest
        }
    Prop.forAll (arb case) (fun (status, first, body) ->
        let labels = Labels.fromLookups [ "uuid=0b7c5b08" ] |> Expect.ok "labels"
        let error = Ipxe.statusError endpoint labels status None body
        let shownFirst = String.map (fun c -> if Char.IsControl c then '?' else c) first
        let shownFirst = if shownFirst.Trim().Length = 0 then "(no body)" else shownFirst
        Expect.equal
            "the error"
            (Lookup(LookupFailed(Endpoint.Ipxe endpoint, LookupStatus.Http status, shownFirst)))
            error
        Expect.equal
            $"whether HTTP {status} is retried"
            (status = 502 || status = 503 || status = 504)
            (Transfer.isTransient error))

[<Fact>]
let ``a long first line of an error body is cut`` () =
    let labels = Labels.fromLookups [ "uuid=0b7c5b08" ] |> Expect.ok "labels"
    match Ipxe.statusError endpoint labels 500 None (String('x', 100000)) with
    | Lookup(LookupFailed(_, LookupStatus.Http 500, detail)) ->
        Expect.isTrue $"{detail.Length} characters shown" (detail.Length <= 201)
    | other -> Expect.fail $"expected LookupFailed, got {Expect.shown other}"

[<Fact>]
let ``only a 200 is matchbox's script; every other status is statusError's`` () =
    Assert.True(Ipxe.isScript 200)
    for status in [ 201; 204; 206; 301; 302; 304; 400; 404; 500; 503 ] do
        Assert.False(Ipxe.isScript status, string status)
