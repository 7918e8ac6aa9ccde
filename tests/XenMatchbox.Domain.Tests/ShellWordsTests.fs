/// libvirt's libxl driver passes <bootloader_args> to libxl as one argument (it splits the string
/// only at the three-character sequence space-tab-newline): xenmatchbox splits each argument of the
/// operator's part of argv that holds a blank as a POSIX shell would, and leaves everything else
/// (xl's argv, libxl's own flags, the disk) exactly as it came.
module ShellWordsTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators
open BootloaderArgv

/// Words with everything a shell treats specially: blanks, quotes, backslashes, $, `, #, *, ~.
let private wordAlphabet = "aZ09-_=/.:,@%+ \t\n'\"\\$`#*?~;&|<>(){}!é中😀"

let private words = textOf wordAlphabet |> Gen.listOf

/// Blanks between words, one or more.
let private separator = nonEmptyTextOf " \t\n"

/// The word in double quotes, with $, `, " and \ escaped by a backslash.
let private doubleQuoted (word: string) =
    let escaped =
        word
        |> Seq.map (fun c ->
            match c with
            | '$'
            | '`'
            | '"'
            | '\\' -> $"\\{c}"
            | other -> string other)
        |> String.concat ""
    "\"" + escaped + "\""

/// Every character escaped by a backslash, but a newline (a backslash would make it a line
/// continuation) in single quotes; '' for the empty word.
let private backslashed (word: string) =
    if word = "" then "''" else word |> Seq.map (fun c -> if c = '\n' then "'\n'" else $"\\{c}") |> String.concat ""

/// The words as one shell command line, each word rendered one of three ways, blanks between.
let private rendered (words: string list) =
    gen {
        let! renderings =
            words
            |> List.map (fun w -> Gen.elements [ ShellWords.quote w; doubleQuoted w; backslashed w ])
            |> Gen.sequenceToList
        let! separators = Gen.listOfLength (max 0 (words.Length - 1)) separator
        let! lead = Gen.elements [ ""; " "; "\n  " ]
        let! trail = Gen.elements [ ""; " "; "\t\n" ]
        let between = if words.IsEmpty then [] else List.append separators [ "" ]
        return lead + (List.map2 (+) renderings between |> String.concat "") + trail
    }

[<Property(MaxTest = 500)>]
let ``splitting a shell-quoted rendering of any words gives the words back`` () =
    let case =
        gen {
            let! words = words
            let! text = rendered words
            return words, text
        }
    Prop.forAll (arb case) (fun (words, text) ->
        match ShellWords.split text with
        | Ok split -> Expect.equal $"split {Expect.escaped text}" words split
        | Error e -> Expect.fail $"split {Expect.escaped text}: %A{e}")

[<Property(MaxTest = 300)>]
let ``quote makes one word of anything`` () =
    Prop.forAll (arb (textOf wordAlphabet)) (fun word ->
        Expect.equal $"quote {Expect.escaped word}" (Ok [ word ]) (ShellWords.split (ShellWords.quote word)))

/// libxl's argv around the operator's part.
let private libxlHead =
    [ "--output=/var/lib/xen/bootloader.3.out"
      "--output-format=simple0"
      "--output-directory=/var/lib/xen/bootloader.3.d" ]

let private disk = "/var/lib/libvirt/images/guest.img"

[<Property(MaxTest = 300)>]
let ``arguments without a blank are left as they are, so xl's argv parses exactly as before`` () =
    let noBlank = textOf "aZ09-_=/.:,@%+'\"\\$`#*?~;&|<>(){}!é中😀"
    Prop.forAll (arb (Gen.listOf noBlank)) (fun argv ->
        let argv = Array.ofList argv
        Expect.equal "expand" (Ok argv) (Argv.expand argv))

[<Property(MaxTest = 60)>]
let ``libxl's flags and the disk are never split, blanks or not`` () =
    let case =
        gen {
            let! args = textOf "a= \t\n'\""
            let! disk = textOf "/a '\"\\"
            let! user = textOf "a-= "
            return
                [| "--args=" + args
                   "--quiet"
                   "--output=/o"
                   "--output-format=simple0"
                   "--output-directory=/d"
                   "--server=mb"
                   "/" + disk |],
                user
        }
    Prop.forAll (arb case) (fun (argv, _) -> Expect.equal "expand" (Ok argv) (Argv.expand argv))

/// libxl's flags, as libxl writes them (--name=value, in its order).
let private isLibxl (flag: Flag) =
    List.contains
        flag.Name
        [ "--kernel"; "--ramdisk"; "--args"; "--quiet"; "--output"; "--output-format"; "--output-directory" ]

[<Property(MaxTest = 80)>]
let ``libvirt's one bootloader_args string gives the settings xl's list gives`` () =
    let case =
        gen {
            let! boot = boot
            let libxl = flags boot |> List.filter isLibxl
            let! order = Gen.shuffle (flags boot |> List.filter (isLibxl >> not))
            let! operator = order |> List.ofArray |> List.map written |> Gen.sequenceToList
            let operator = List.concat operator
            let! text = rendered operator
            let libxlArgv =
                libxl
                |> List.map (fun f ->
                    match f.Value with
                    | Some v -> $"{f.Name}={v}"
                    | None -> f.Name)
            return libxlArgv @ operator @ [ boot.Disk ], libxlArgv @ [ text; boot.Disk ]
        }
    Prop.forAll (arb case) (fun (xl, libvirt) ->
        // xl's list as it was always read, unsplit; libvirt's string split first.
        let read (argv: string list) =
            match CommandLine.parse (fun _ -> None) (Array.ofList argv) with
            | Ok(CommandLine.Run settings) -> Ok(describeSettings settings)
            | Ok other -> Ok $"%A{other}"
            | Error e -> Error e
        let parse argv =
            Argv.expand (Array.ofList argv) |> Result.map List.ofArray |> Result.bind read
        let shown = libvirt |> List.map Expect.escaped |> String.concat " | "
        Expect.equal $"libvirt's {shown}" (read xl) (parse libvirt))

[<Property(MaxTest = 300)>]
let ``an unbalanced quote is one line with XMB-121 naming the fix`` () =
    let case =
        gen {
            let! words = Gen.listOf (nonEmptyTextOf "aZ09-=:")
            let! text = rendered words
            let! opener, tail =
                Gen.elements [ "'", textOf "a \t\n\"\\$"; "\"", textOf "a \t\n'$" ]
                |> Gen.bind (fun (o, t) -> t |> Gen.map (fun t -> o, t))
            return text + " " + opener + tail
        }
    Prop.forAll (arb case) (fun text ->
        match Argv.expand [| "--output=/o"; text; disk |] with
        | Error(CommandLine(UnbalancedQuote(argument, _)) as e) ->
            Expect.equal "the argument named" text argument
            let line = describe e
            Expect.isTrue $"one line: {Expect.escaped line}" (not (line.Contains '\n'))
            Expect.isTrue $"code: {line}" (line.StartsWith "XMB-121: ")
            Expect.contains "the fix" "close the quote" line
        | other -> Expect.fail $"{Expect.escaped text}: expected XMB-121, got %A{other}")

[<Fact>]
let ``libvirt's element from the domain XML example`` () =
    let element =
        "--server matchbox.example.com --ca /etc/matchbox/ca.crt --cert /etc/matchbox/client.crt --key /etc/matchbox/client.key --lookup mac=52:54:00:aa:bb:cc"
    let argv = Array.ofList (libxlHead @ [ element; disk ])
    Expect.equal
        "expand"
        (Ok(
            Array.ofList (
                libxlHead
                @ [ "--server"
                    "matchbox.example.com"
                    "--ca"
                    "/etc/matchbox/ca.crt"
                    "--cert"
                    "/etc/matchbox/client.crt"
                    "--key"
                    "/etc/matchbox/client.key"
                    "--lookup"
                    "mac=52:54:00:aa:bb:cc"
                    disk ]
            )
        ))
        (Argv.expand argv)

[<Fact>]
let ``libvirt's element over several lines of the XML, with libxl's --args`` () =
    let element = "\n      --server m\n      --lookup mac=52:54:00:aa:bb:cc\n    "
    let argv = [| "--args=console=hvc0 panic=5"; yield! libxlHead; element; disk |]
    Expect.equal
        "expand"
        (Ok
            [| "--args=console=hvc0 panic=5"
               yield! libxlHead
               "--server"
               "m"
               "--lookup"
               "mac=52:54:00:aa:bb:cc"
               disk |])
        (Argv.expand argv)

[<Fact>]
let ``show, stage and check are not split: a shell split them`` () =
    for argv in [ [| "show"; "--lookup"; "name=a b" |]; [| "check"; "--server m"; "x" |] ] do
        Expect.equal "expand" (Ok argv) (Argv.expand argv)

[<Fact>]
let ``golden splits`` () =
    let cases =
        [ "", Ok []
          " \t\n ", Ok []
          "a b", Ok [ "a"; "b" ]
          "  a\t\tb\n", Ok [ "a"; "b" ]
          "--lookup 'name=my guest'", Ok [ "--lookup"; "name=my guest" ]
          "--lookup \"name=my guest\"", Ok [ "--lookup"; "name=my guest" ]
          "--lookup name=my\\ guest", Ok [ "--lookup"; "name=my guest" ]
          "a''b", Ok [ "ab" ]
          "'' \"\"", Ok [ ""; "" ]
          "'it'\\''s'", Ok [ "it's" ]
          "\"a\\\"b\\\\c\\$d\\`e\\x\"", Ok [ "a\"b\\c$d`e\\x" ]
          "'a\\b'", Ok [ "a\\b" ]
          "a\\\nb", Ok [ "ab" ]
          "\"a\\\nb\"", Ok [ "ab" ]
          "$HOME `id` $(id) ~ *.img #x", Ok [ "$HOME"; "`id`"; "$(id)"; "~"; "*.img"; "#x" ]
          "a 'b", Error ShellWords.OpenSingleQuote
          "a \"b", Error ShellWords.OpenDoubleQuote
          "a \"b\\\"", Error ShellWords.OpenDoubleQuote
          "a b\\", Error ShellWords.TrailingBackslash ]
    for text, expected in cases do
        Expect.equal $"split {Expect.escaped text}" expected (ShellWords.split text)

[<Fact>]
let ``the XMB-121 line for libvirt's element with a quote left open`` () =
    let error =
        Argv.expand (Array.ofList (libxlHead @ [ "--server m --lookup 'name=my guest"; disk ])) |> Expect.error "expand"
    Expect.equalText
        "XMB-121: the argument '--server m --lookup 'name=my guest' cannot be split into words: a single quote (') is never closed — an argument of bootloader_args that holds blanks (libvirt's <bootloader_args> is one) is split as a POSIX shell splits words: close the quote, or escape a quote or backslash meant literally with a backslash (\\' or \\\\)"
        (describe error)
