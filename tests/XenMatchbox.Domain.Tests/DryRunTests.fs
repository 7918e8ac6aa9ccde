/// What a dry run prints, against hand-checked golden files in golden/dry-run/.
module DryRunTests

open System.IO
open System.Text
open global.Xunit
open XenMatchbox.Domain

let private golden name =
    File.ReadAllText(Path.Combine(System.AppContext.BaseDirectory, "golden", "dry-run", name))

let private report format via (sizes: int64 option list) =
    let labels = Expect.ok "labels" (Labels.fromLookups [ "mac=52-54-00-AA-BB-CC"; "os=installed" ])
    let profile: Plan.UnvalidatedProfile =
        { Id = "fcos-stable"
          Kernel = "/assets/fcos/kernel"
          Initrds = [ "--name main /assets/fcos/initramfs.img"; "http://mirror.example/rootfs.img" ]
          Args = [ "console=hvc0"; "xmb.mac=${mac:hexhyp}"; "os={{ .os }}" ] }
    let plan =
        Expect.ok "plan" (Plan.create { Host = "mb"; Port = 8080 } "/var/lib/xen/bootloader.7.d" labels (Some "quiet") profile)
    let bytes =
        Expect.ok "output" (Output.render format { Kernel = plan.KernelPath; Ramdisk = plan.RamdiskPath; Args = plan.CommandLine })
    let assets =
        (("kernel", plan.Kernel) :: (plan.Initrds |> List.map (fun url -> "initrd", url)))
        |> List.zip sizes
        |> List.map (fun (size, (role, url)) -> ({ Role = role; Url = url; Bytes = size }: DryRun.AssetSize))
    DryRun.render
        { LookupVia = via
          Labels = labels
          Plan = plan
          Assets = assets
          Format = format
          Output = bytes }

[<Fact>]
let ``a gRPC dry run in simple0 shows each NUL as \0`` () =
    Expect.equalText (golden "grpc.simple0.expected") (report Output.Simple0 "gRPC mb:8081" [ Some 8388608L; Some 67108864L; None ])

[<Fact>]
let ``an HTTP-only dry run in sxp`` () =
    Expect.equalText
        (golden "http-only.sxp.expected")
        (report Output.Sxp "HTTP http://mb:8080/ipxe?mac=52%3A54%3A00%3Aaa%3Abb%3Acc&os=installed" [ Some 1L; Some 2L; Some 3L ])

[<Fact>]
let ``the report never holds a raw NUL, so it prints on any terminal`` () =
    let text = report Output.Simple0 "gRPC mb:8081" [ None; None; None ]
    Expect.isTrue "no NUL" (not (text.Contains '\000'))
    Expect.isTrue "ends with a newline" (text.EndsWith "\n")
