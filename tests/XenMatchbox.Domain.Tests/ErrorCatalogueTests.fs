/// Every way a boot can fail has a stable code an operator can search for, one line to read, and
/// a non-zero exit status libxl sees as a failed boot.
module ErrorCatalogueTests

open System
open System.Text.RegularExpressions
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open Microsoft.FSharp.Reflection
open XenMatchbox.Domain
open XenMatchbox.Domain.Errors
open Generators

/// Builds every case of every stage's union, and XMB-900 (found by reflection, so a new case or
/// stage is covered without editing this file), with its text payloads taken from the given list.
let private everyCase (texts: string list) =
    let mutable next = 0
    let text () =
        let t = texts.[next % texts.Length]
        next <- next + 1
        t
    let rec payload (t: Type) : objnull =
        if t = typeof<string> then
            box (text ())
        elif t = typeof<int> then
            box 8192
        elif t = typeof<int64> then
            box 1048576L
        elif t = typeof<string list> then
            box [ text (); text () ]
        elif t = typeof<(string * string * string) list> then
            box [ text (), text (), text (); text (), text (), text () ]
        elif t = typeof<Ownership.Fault list> then
            box
                [ Ownership.Unsafe(text (), true, 1000, Some 0o1777)
                  Ownership.Unsafe(text (), false, 0, Some 0o666)
                  Ownership.Unsafe(text (), false, 1000, None)
                  Ownership.Unexamined(text (), text ()) ]
        elif FSharpType.IsUnion t then
            // Endpoint, LookupStatus: the first case that has a payload.
            let case = FSharpType.GetUnionCases t |> Array.find (fun c -> c.GetFields().Length > 0)
            FSharpValue.MakeUnion(case, case.GetFields() |> Array.map (fun f -> payload f.PropertyType))
        else
            failwith $"no sample payload for {t.Name}: extend ErrorCatalogueTests"
    let make (case: UnionCaseInfo) (fields: objnull array) =
        match FSharpValue.MakeUnion(case, fields) with
        | :? BootError as error -> error
        | _ -> failwith $"{case.Name} did not make a BootError"
    [ for stage in FSharpType.GetUnionCases typeof<BootError> do
          match stage.GetFields() with
          | [| field |] when FSharpType.IsUnion field.PropertyType ->
              for case in FSharpType.GetUnionCases field.PropertyType ->
                  let fields = case.GetFields() |> Array.map (fun f -> payload f.PropertyType)
                  $"{stage.Name}.{case.Name}", make stage [| FSharpValue.MakeUnion(case, fields) |]
          | fields -> yield stage.Name, make stage (fields |> Array.map (fun f -> payload f.PropertyType)) ]

let private samples = everyCase [ "mac=52:54:00:aa:bb:cc"; "/var/lib/xen/bootloader.7.d/kernel"; "mb:8081" ]

[<Fact>]
let ``every error has its own code of the form XMB-nnn`` () =
    for name, error in samples do
        Expect.isTrue $"{name}: code {code error} is not XMB-nnn" (Regex.IsMatch(code error, @"^XMB-\d{3}$"))
    let duplicates = samples |> List.groupBy (snd >> code) |> List.filter (fun (_, cases) -> cases.Length > 1)
    Expect.equal "codes shared by several errors" [] (duplicates |> List.map (fun (c, cases) -> c, List.map fst cases))

[<Fact>]
let ``every error reads as its code, then the cause, a dash and the fix`` () =
    for name, error in samples do
        let line = describe error
        Expect.isTrue $"{name}: {Expect.escaped line} does not start with its code" (line.StartsWith(code error + ": "))
        Expect.isTrue $"{name}: {Expect.escaped line} has no \" — \"" (line.Contains " — ")
        Expect.isTrue $"{name}: empty cause" ((cause error).Trim().Length > 0)
        Expect.isTrue $"{name}: empty fix" ((fix error).Trim().Length > 0)

[<Fact>]
let ``every error fails the boot with the exit status of its family`` () =
    for name, error in samples do
        let expected =
            match (code error).Substring(4, 1) with
            | "1" -> 2
            | "2" -> 3
            | "3" -> 4
            | "4" -> 5
            | "5" -> 6
            | "6" -> 7
            | "7" -> 8
            | _ -> 1
        Expect.isTrue $"{name}: exit status 0 would tell libxl the boot succeeded" (exitCode error <> 0)
        Expect.equal $"{name} ({code error}) exit status" expected (exitCode error)

[<Property(MaxTest = 30)>]
let ``an error stays one line whatever its details hold`` () =
    // details come from exceptions, servers and files: newlines, tabs, NULs, escapes
    let detail = textOf "ab /:\n\r\t\000\u001b\u007fé—"
    Prop.forAll (arb (Gen.nonEmptyListOf detail)) (fun texts ->
        for name, error in everyCase texts do
            let line = describe error
            match line |> Seq.tryFind Char.IsControl with
            | Some c -> Expect.fail $"{name}: {Expect.escaped line} holds control character U+{int c:X4}"
            | None -> ())

[<Fact>]
let ``an unreachable or silent matchbox is named by the lookup that failed: gRPC or HTTP-only /ipxe`` () =
    let grpc = Endpoint.Grpc "mb.example.com:8081"
    let ipxeUrl = "http://mb.example.com:8080/ipxe?mac=52%3A54%3A00%3Aaa%3Abb%3Acc"
    let ipxe = Endpoint.Ipxe ipxeUrl
    Expect.equalText
        "XMB-204: cannot reach matchbox gRPC at mb.example.com:8081: refused — check --server and --grpcport, and that matchbox runs with -rpc-address on that port"
        (describe (Lookup(ServerUnreachable(grpc, "refused"))))
    Expect.equalText
        $"XMB-204: cannot reach matchbox HTTP at {ipxeUrl}: refused — check --server and --httpport, and that matchbox serves HTTP (-address) on that port"
        (describe (Lookup(ServerUnreachable(ipxe, "refused"))))
    Expect.equalText
        $"XMB-210: matchbox HTTP at {ipxeUrl} did not answer in time: no answer within 5 s — check that matchbox is up and reachable on --httpport, or raise --connect-timeout/--timeout"
        (describe (Lookup(ServerTimedOut(ipxe, "no answer within 5 s"))))

/// The repository's README.md, found above the test directory.
let private readme () =
    let rec root (dir: IO.DirectoryInfo | null) =
        match dir with
        | null -> failwith "README.md and XenMatchbox.sln not found above the test directory"
        | dir when IO.File.Exists(IO.Path.Combine(dir.FullName, "XenMatchbox.sln")) -> dir.FullName
        | dir -> root dir.Parent
    IO.File.ReadAllLines(IO.Path.Combine(root (IO.DirectoryInfo AppContext.BaseDirectory), "README.md"))

[<Fact>]
let ``the catalogue lists every code the errors have, once, with its exit status and the program's own fix`` () =
    let listed = ErrorCatalogue.entries |> List.map (fun entry -> entry.Code, entry.Status)
    let actual = samples |> List.map (fun (_, error) -> code error, exitCode error) |> List.distinct |> List.sort
    Expect.equal "codes listed twice" [] (listed |> List.countBy fst |> List.filter (fun (_, n) -> n > 1))
    Expect.equal "the catalogue's codes and exit statuses against the errors'" actual (List.sort listed)
    for entry in ErrorCatalogue.entries do
        Expect.isTrue $"{entry.Code}: empty summary" (entry.Failed.Trim().Length > 0)
        Expect.isTrue $"{entry.Code}: empty fix" (entry.Fix.Trim().Length > 0)

[<Fact>]
let ``README's error table is the catalogue's: regenerate it with ErrorCatalogue.markdownTable`` () =
    let section =
        readme ()
        |> Array.skipWhile (fun line -> line.Trim() <> "## Errors")
        |> Array.skip 1
        |> Array.takeWhile (fun line -> not (line.StartsWith "## "))
        |> Array.filter (fun line -> line.StartsWith "|")
    Expect.equalText ErrorCatalogue.markdownTable (String.concat "" [ for line in section -> line + "\n" ])

[<Fact>]
let ``every exit status an error ends a run with is in the catalogue, 8 for signatures among them`` () =
    let statuses = ErrorCatalogue.exitStatuses |> List.map fst
    Expect.equal "statuses" (samples |> List.map (snd >> exitCode) |> List.distinct |> List.sort) statuses
    Expect.isTrue
        "8: trust"
        (ErrorCatalogue.exitStatuses |> List.exists (fun (s, text) -> s = 8 && text.StartsWith "XMB-701 to XMB-712"))
