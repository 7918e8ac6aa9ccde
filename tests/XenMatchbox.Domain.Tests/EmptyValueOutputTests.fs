/// pygrub leaves out the ramdisk and args items when they are empty (xen-bootloader-protocol.md
/// §4.1: "only if there is a ramdisk", "only if args is non-empty"; §4.3: "omitted when empty").
/// An empty "ramdisk " item would make libxl map and unlink the path "".
module EmptyValueOutputTests

open System.Text
open global.Xunit
open XenMatchbox.Domain

let private emptyBoth: Output.BootResult = { Kernel = "/d/kernel"; Ramdisk = Some ""; Args = Some "" }

[<Fact>]
let ``an empty ramdisk or args value is left out of simple0`` () =
    let bytes = Output.render Output.Simple0 emptyBoth |> Expect.ok "simple0"
    Expect.equalBytes (Encoding.UTF8.GetBytes "kernel /d/kernel\000\000") bytes

[<Fact>]
let ``an empty ramdisk or args value is left out of sxp`` () =
    let bytes = Output.render Output.Sxp emptyBoth |> Expect.ok "sxp"
    Expect.equalBytes (Encoding.UTF8.GetBytes "linux (kernel '/d/kernel')") bytes
