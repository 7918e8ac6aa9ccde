/// The libxl reader model itself, on the examples of xen-bootloader-protocol.md §4.4, so the
/// round-trip properties rest on a reader that behaves as documented.
module LibxlSimple0ReaderTests

open System.Text
open global.Xunit
open LibxlSimple0Reader

let private bytes (text: string) = Encoding.UTF8.GetBytes text

[<Fact>]
let ``the doc's example reads as kernel, ramdisk and args`` () =
    let read =
        read (
            bytes
                "kernel /var/lib/xen/bootloader.7.d/k\000ramdisk /var/lib/xen/bootloader.7.d/r\000args console=hvc0 ip=dhcp\000\000"
        )
    Expect.equal "kernel" (Some "/var/lib/xen/bootloader.7.d/k") read.Kernel
    Expect.equal "ramdisk" (Some "/var/lib/xen/bootloader.7.d/r") read.Ramdisk
    Expect.equal "args" (Some "console=hvc0 ip=dhcp") read.Args
    Expect.equal "unexpected" [] read.Unexpected

[<Fact>]
let ``a key must be followed by whitespace, all of which is skipped, trailing whitespace kept`` () =
    let read = read (bytes "args\000kernel \t /k  \000ramdiskX /r\000")
    Expect.equal "kernel" (Some "/k  ") read.Kernel
    Expect.equal "args on its own is not recognised" None read.Args
    Expect.equal "ramdisk" None read.Ramdisk
    Expect.equal "unexpected" [ "args"; "ramdiskX /r" ] read.Unexpected

[<Fact>]
let ``'args ' gives an empty command line and a last item without NUL is still read`` () =
    let read = read (bytes "kernel /k\000args ")
    Expect.equal "args" (Some "") read.Args

[<Fact>]
let ``an item of 8192 bytes or more is skipped and 8191 bytes is kept`` () =
    let kept = "kernel " + String.replicate (8191 - 7) "k"
    let skipped = "ramdisk " + String.replicate (8192 - 8) "r"
    let read = read (bytes (kept + "\000" + skipped + "\000\000"))
    Expect.equal "kernel" (Some(kept.Substring 7)) read.Kernel
    Expect.equal "ramdisk" None read.Ramdisk
    Expect.equal "overly long items" 1 read.OverlyLong

[<Fact>]
let ``a repeated key is noticed`` () =
    let read = read (bytes "kernel /a\000kernel /b\000\000")
    Expect.equal "repeated" [ "kernel" ] read.Repeated
