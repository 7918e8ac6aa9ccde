/// The exact bytes of each output format, against hand-written golden files (golden/README.md).
module GoldenOutputTests

open global.Xunit
open XenMatchbox.Domain

let private formats = [ "simple0", Output.Simple0; "simple", Output.Simple; "sxp", Output.Sxp ]

/// Every case and format that has an expected file.
let cases: objnull array seq =
    seq {
        for case in Golden.cases "" do
            for name, _ in formats do
                if Golden.exists $"{case}.{name}.expected" then
                    yield [| box case; box name |]
    }

let private readInput (case: string) : Output.BootResult =
    let fields = Golden.fields $"{case}.json"
    let field (name: string) = Map.tryFind name fields
    { Kernel = field "kernel" |> Option.defaultWith (fun () -> Expect.fail $"{case}.json has no kernel")
      Ramdisk = field "ramdisk"
      Args = field "args" }

[<Fact>]
let ``every golden case has all three formats`` () =
    let caseCount = (Golden.cases "").Length
    Expect.isTrue "no golden case was copied to the test output" (caseCount > 0)
    Expect.equal "expected files" (caseCount * formats.Length) (Seq.length cases)

[<Theory>]
[<MemberData(nameof cases)>]
let ``the rendered bytes are exactly the golden file`` (case: string, format: string) =
    let expected = Golden.bytes $"{case}.{format}.expected"
    let outputFormat = formats |> List.find (fun (name, _) -> name = format) |> snd
    let actual = Output.render outputFormat (readInput case) |> Expect.ok $"{case} as {format}"
    Expect.equalBytes expected actual
