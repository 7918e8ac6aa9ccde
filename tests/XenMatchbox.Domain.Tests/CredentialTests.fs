/// Credentials in a profile's asset URLs (http://user:password@host/…): sent as HTTP Basic, never
/// shown, stored or requested in the clear.
module CredentialTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open Generators

/// User names and passwords as operators write them, percent-encoding included (a password with
/// '@', ':' or '/' must be escaped in a URL).
let private secret = nonEmptyTextOf "abcXYZ019-_.~!$&'()*+,;=%" |> Gen.map (fun s -> s.Replace("%", "%25"))

let private credentialed =
    gen {
        let! user = secret
        let! password = secret
        let! scheme = Gen.elements [ "http"; "https" ]
        let! path = Gen.elements [ "/assets/kernel"; "/a/b?x=1"; "/" ]
        return user, password, $"{scheme}://{user}:{password}@mb.example:8080{path}"
    }

let private url (text: string) =
    Profile.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "fcos" text |> Expect.ok text

[<Property>]
let ``the password is sent as Basic, never requested, shown or redacted back into a message`` () =
    Prop.forAll (arb credentialed) (fun (user, password, text) ->
        let asset = url text
        let userInfo = System.Uri(asset.Value).UserInfo + "@"
        asset.Credentials = Some(System.Uri.UnescapeDataString user, System.Uri.UnescapeDataString password)
        && System.Uri(asset.Request).UserInfo = ""
        && asset.Value = asset.Request.Insert(asset.Request.IndexOf "://" + 3, userInfo)
        && asset.Shown = asset.Request.Insert(asset.Request.IndexOf "://" + 3, "***@")
        && not ((Errors.describe (Errors.Download(AssetStatus(asset.Value, 401)))).Contains userInfo))

[<Fact>]
let ``a URL without credentials is requested and shown as it is`` () =
    let asset = url "http://mb.example:8080/assets/kernel"
    Assert.Equal(None, asset.Credentials)
    Assert.Equal(asset.Value, asset.Request)
    Assert.Equal(asset.Value, asset.Shown)

[<Theory>]
[<InlineData("GET http://boot:s3cret@127.0.0.1:8080/a answered HTTP 401",
             "GET http://***@127.0.0.1:8080/a answered HTTP 401")>]
[<InlineData("https://u@h/x and http://a:b@c/", "https://***@h/x and http://***@c/")>]
[<InlineData("no URL here, just user@example.com", "no URL here, just user@example.com")>]
[<InlineData("http://host/path@not-userinfo", "http://host/path@not-userinfo")>]
[<InlineData("'http://x:y@h' then ://@", "'http://***@h' then ://@")>]
let ``redact takes the user information out of every URL in a text`` (text: string, expected: string) =
    Assert.Equal(expected, Errors.redact text)

[<Property>]
let ``redact is idempotent and keeps texts without credentials`` () =
    Prop.forAll (arb (textOf "ab:/@ \"'x")) (fun text ->
        let once = Errors.redact text
        Errors.redact once = once && (text.Contains "@" || once = text))
