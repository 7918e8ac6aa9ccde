/// Which build is running, from the informational version the SDK writes ("VERSION+COMMIT" in a
/// git work tree, "VERSION" in a tarball): what --version, show and a boot's first line say.
module ReleaseTests

open global.Xunit
open XenMatchbox.Domain

[<Fact>]
let ``a build from git names its version and the commit's first 12 hex digits`` () =
    let release = Release.ofInformationalVersion "0.1.0+86429930C423008eb1572b22c8abc114adf1ec35"
    Expect.equalText "xenmatchbox 0.1.0 (commit 86429930c423)" (Release.line release)
    Expect.equalText "version 0.1.0 (commit 86429930c423)" (Release.bootLine release)

[<Fact>]
let ``a build without git says unknown commit`` () =
    Expect.equalText "xenmatchbox 0.1.0 (unknown commit)" (Release.line (Release.ofInformationalVersion "0.1.0"))

[<Theory>]
[<InlineData("0.1.0+local")>]
[<InlineData("0.1.0+")>]
[<InlineData("0.1.0+abc12")>]
let ``build metadata that is not a commit id is not shown as one`` (informational: string) =
    let release = Release.ofInformationalVersion informational
    Expect.equalText "0.1.0" release.Version
    Expect.equalText "xenmatchbox 0.1.0 (unknown commit)" (Release.line release)

// ---- one version source: Version in Directory.Build.props ----

let private repositoryRoot =
    let rec root (dir: System.IO.DirectoryInfo | null) =
        match dir with
        | null -> failwith "XenMatchbox.sln not found above the test directory"
        | dir when System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "XenMatchbox.sln")) -> dir.FullName
        | dir -> root dir.Parent
    root (System.IO.DirectoryInfo System.AppContext.BaseDirectory)

let private propsVersion () =
    System.Xml.Linq.XDocument
        .Load(System.IO.Path.Combine(repositoryRoot, "Directory.Build.props"))
        .Descendants(System.Xml.Linq.XName.Get "Version")
    |> Seq.exactlyOne
    |> _.Value

[<Fact>]
let ``every script and document that pins XenMatchbox.Domain pins the Version of Directory.Build.props`` () =
    let version = propsVersion ()
    let skipped = set [ ".git"; "artifacts"; "bin"; "obj" ]
    let rec files (dir: string) =
        seq {
            for file in System.IO.Directory.EnumerateFiles dir do
                if file.EndsWith ".fsx" || file.EndsWith ".md" then
                    yield file
            for sub in System.IO.Directory.EnumerateDirectories dir do
                if not (skipped.Contains(nonNull (System.IO.Path.GetFileName sub))) then
                    yield! files sub
        }
    let stale =
        [ for file in files repositoryRoot do
              let lines = System.IO.File.ReadAllLines file
              for number, line in Seq.indexed lines do
                  for pin in
                      System.Text.RegularExpressions.Regex.Matches(line, @"nuget: XenMatchbox\.Domain, (\d[^""\s`]*)") do
                      if pin.Groups[1].Value <> version then
                          yield
                              $"{System.IO.Path.GetRelativePath(repositoryRoot, file)}:{number + 1} pins {pin.Groups[1].Value}" ]
    Expect.equal $"pins of XenMatchbox.Domain other than Version {version}: set them to {version}" [] stale

[<Fact>]
let ``packaging/changelog's newest entry is the Version of Directory.Build.props`` () =
    let version = propsVersion ()
    let first = System.IO.File.ReadLines(System.IO.Path.Combine(repositoryRoot, "packaging", "changelog")) |> Seq.head
    Expect.isTrue
        $"packaging/changelog starts with '{first}': add an entry 'xenmatchbox ({version}) …' on top for Version {version}"
        (first.StartsWith $"xenmatchbox ({version}) ")
