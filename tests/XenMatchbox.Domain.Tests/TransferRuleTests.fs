/// The rules of fetching: which answers are accepted, which redirects are followed and where to,
/// and how long to wait before a retry.
module TransferRuleTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open Generators

[<Property>]
let ``only 200, and 304 to a conditional request, are accepted`` () =
    Prop.forAll (arb (Gen.zip (Gen.choose (100, 599)) (Gen.elements [ true; false ]))) (fun (status, conditional) ->
        Transfer.isAccepted status conditional = (status = 200 || status = 304 && conditional))

[<Fact>]
let ``the redirects followed are 301, 302, 303, 307 and 308`` () =
    let followed = [ 100..599 ] |> List.filter Transfer.isRedirect
    Assert.Equal<int list>([ 301; 302; 303; 307; 308 ], followed)

let private url text =
    Plan.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "p" text |> Expect.ok text

[<Theory>]
[<InlineData("/assets/b", "http://mb.example:8080/assets/b")>]
[<InlineData("https://mirror.example/k", "https://mirror.example/k")>]
[<InlineData("../x", "http://mb.example:8080/x")>]
let ``a redirect resolves against the URL it came from`` (location: string, expected: string) =
    let target = Transfer.followRedirect (url "http://mb.example:8080/assets/a") location 1 |> Expect.ok location
    Assert.Equal(expected, target.Value)

[<Theory>]
[<InlineData("file:///etc/shadow", "XMB-407")>]
[<InlineData("ftp://mirror/k", "XMB-407")>]
let ``a redirect to anything but http or https is refused`` (location: string, code: string) =
    Assert.Equal(code, Transfer.followRedirect (url "http://mb/a") location 1 |> Expect.error location |> Errors.code)

[<Fact>]
let ``a sixth redirect is one too many`` () =
    Assert.Equal(
        "XMB-406",
        Transfer.followRedirect (url "http://mb/a") "/b" (Transfer.MaxRedirects + 1)
        |> Expect.error "hops"
        |> Errors.code
    )

[<Fact>]
let ``retries wait a quarter second, then a second`` () =
    Assert.Equal<int list>([ 250; 1000 ], [ Transfer.backoffMilliseconds 2; Transfer.backoffMilliseconds 3 ])
