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
