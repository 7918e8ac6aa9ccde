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
    Profile.resolveAsset { Host = "mb"; Port = 8080; Secure = false } "p" text |> Expect.ok text

[<Theory>]
[<InlineData("/assets/b", "http://mb.example:8080/assets/b")>]
[<InlineData("https://mirror.example/k", "https://mirror.example/k")>]
[<InlineData("../x", "http://mb.example:8080/x")>]
let ``a redirect resolves against the URL it came from`` (location: string, expected: string) =
    let target =
        Transfer.followRedirect Transfer.EitherScheme (url "http://mb.example:8080/assets/a") location 1
        |> Expect.ok location
    Assert.Equal(expected, target.Value)

[<Theory>]
[<InlineData("file:///etc/shadow", "XMB-407")>]
[<InlineData("ftp://mirror/k", "XMB-407")>]
let ``a redirect to anything but http or https is refused`` (location: string, code: string) =
    Assert.Equal(
        code,
        Transfer.followRedirect Transfer.EitherScheme (url "http://mb/a") location 1
        |> Expect.error location
        |> Errors.code
    )

[<Fact>]
let ``a sixth redirect is one too many`` () =
    Assert.Equal(
        "XMB-406",
        Transfer.followRedirect Transfer.EitherScheme (url "http://mb/a") "/b" (Transfer.MaxRedirects + 1)
        |> Expect.error "hops"
        |> Errors.code
    )

[<Fact>]
let ``retries wait a quarter second, then a second`` () =
    Assert.Equal<int list>([ 250; 1000 ], [ Transfer.backoffMilliseconds 2; Transfer.backoffMilliseconds 3 ])

[<Property>]
let ``a request is tried again only after a transient failure and fewer than three tries, after the backoff`` () =
    let failures =
        Gen.elements
            [ Errors.Download(AssetUnreachable("http://mb/k", "Connection refused"))
              Errors.Download(AssetStatus("http://mb/k", 503))
              Errors.Download(AssetStatus("http://mb/k", 404))
              Errors.Download(AssetTimedOut("http://mb/k", "no answer within 30 s"))
              Errors.Download(AssetTruncated("http://mb/k", 10L, 5L)) ]
    Prop.forAll (arb (Gen.zip (Gen.choose (1, 5)) failures)) (fun (tried, error) ->
        let expected =
            if tried < Transfer.MaxAttempts && Transfer.isTransient error then
                Some(Transfer.backoffMilliseconds (tried + 1))
            else
                None
        Expect.equal $"after try {tried} with {Errors.code error}" expected (Transfer.retryAfter tried error))

// ---- --web-ssl: no downgrade from https:// to http:// ----

let private schemes = Gen.elements [ "http"; "https" ]

[<Property>]
let ``without --web-ssl any redirect between http and https is allowed; under it all but https to http`` () =
    Prop.forAll (arb (Gen.zip3 (Gen.elements [ true; false ]) schemes schemes)) (fun (webSsl, from, target) ->
        Expect.equal
            $"--web-ssl {webSsl}: {from} to {target}"
            (not webSsl || not (from = "https" && target = "http"))
            (Transfer.allowsRedirect (Transfer.redirectRule webSsl) from target))

/// A Location a server may send: relative (a path, or "//host/…") or absolute http(s), some with
/// credentials, some with a port.
let private location =
    gen {
        let! path = nonEmptyTextOf "abcdefxyz019-_." |> Gen.map (fun p -> "/assets/" + p)
        let! host = Gen.elements [ "mb"; "mirror.example"; "10.0.0.7"; "[fd00::1]" ]
        let! port = Gen.elements [ ""; ":8080"; ":8443" ]
        let! credentials = Gen.elements [ ""; "user:secret@" ]
        let! scheme = Gen.elements [ "http://"; "https://"; "//" ]
        return! Gen.elements [ path; scheme + credentials + host + port + path ]
    }

/// Follows the Locations in turn from start as AssetHttp does, until one is refused or none is left:
/// every URL reached, and the refusal if any.
let private follow rule (start: Profile.AssetUrl) (locations: string list) =
    let rec go (current: Profile.AssetUrl) hop reached locations =
        match locations with
        | [] -> List.rev reached, None
        | location :: rest ->
            match Transfer.followRedirect rule current location hop with
            | Ok next -> go next (hop + 1) (next :: reached) rest
            | Error error -> List.rev reached, Some(current, location, error)
    go start 1 [ start ] locations

let private start = Gen.elements [ "https://mb:8443/assets/k"; "http://mb:8080/assets/k" ]

[<Property(MaxTest = 300)>]
let ``under --web-ssl a download that is on https never reaches http, and the refusal is XMB-414 naming both URLs`` () =
    let case = Gen.zip start (Gen.listOfLength Transfer.MaxRedirects location)
    Prop.forAll (arb case) (fun (first, locations) ->
        let reached, refused = follow Transfer.NoDowngrade (url first) locations
        let firstHttps = reached |> List.tryFindIndex (fun u -> u.Value.StartsWith "https:")
        match firstHttps with
        | Some i ->
            for later in List.skip i reached do
                Expect.isTrue $"{later.Shown} reached after https" (later.Value.StartsWith "https:")
        | None -> ()
        match refused with
        | Some(from, location, error) ->
            Expect.equalText "XMB-414" (Errors.code error)
            Expect.isTrue $"{from.Shown} is https" (from.Value.StartsWith "https:")
            let line = Errors.describe error
            Expect.contains "the URL that redirected" from.Shown line
            let target = System.Uri(System.Uri from.Value, location)
            Expect.isTrue $"{location} is http" (target.Scheme = "http")
            Expect.contains "the http:// URL" (Errors.redact target.AbsoluteUri) line
            Expect.isTrue $"no password in {line}" (not (line.Contains "secret"))
            Expect.contains "the fix" "--web-ssl" (Errors.fix error)
        | None -> Expect.equal "every Location followed" (locations.Length + 1) reached.Length)

[<Property(MaxTest = 200)>]
let ``without --web-ssl every http or https Location is followed, as before`` () =
    let case = Gen.zip start (Gen.listOfLength Transfer.MaxRedirects location)
    Prop.forAll (arb case) (fun (first, locations) ->
        let reached, refused = follow Transfer.EitherScheme (url first) locations
        Expect.equal "refused" None (refused |> Option.map (fun (_, _, e) -> Errors.code e))
        Expect.equal "every Location followed" (locations.Length + 1) reached.Length)

[<Fact>]
let ``a downgrade is not worth another try`` () =
    let error =
        Transfer.followRedirect Transfer.NoDowngrade (url "https://mb/a") "http://mb/a" 1 |> Expect.error "downgrade"
    Expect.isTrue "not transient" (not (Transfer.isTransient error))
    Expect.equal "exit status" 5 (Errors.exitCode error)

// ---- the /ipxe lookup follows no redirect ----

[<Theory>]
[<InlineData("https://mb:8443/ipxe", "http://mb:8080/ipxe?case=web", "http://mb:8080/ipxe?case=web", true)>]
[<InlineData("https://mb:8443/ipxe", "/elsewhere", "https://mb:8443/elsewhere", false)>]
[<InlineData("http://mb:8080/ipxe", "https://mb:8443/ipxe", "https://mb:8443/ipxe", false)>]
[<InlineData("https://mb:8443/ipxe", "http://u:secret@evil/ipxe", "http://***@evil/ipxe", true)>]
let ``a redirect from /ipxe is a lookup failure naming both URLs, and the downgrade when it is one``
    (endpoint: string, location: string, shown: string, downgrade: bool)
    =
    let labels = Labels.fromLookups [ "case=web" ] |> Expect.ok "labels"
    let error = Ipxe.statusError endpoint labels 302 (Some location) ""
    Expect.equalText "XMB-203" (Errors.code error)
    Expect.equal "exit status" 3 (Errors.exitCode error)
    let line = Errors.describe error
    Expect.contains "the endpoint" endpoint line
    Expect.contains "the target" shown line
    Expect.isTrue $"no password in {line}" (not (line.Contains "secret"))
    Expect.equal $"{line} names the downgrade" downgrade (line.Contains "never leaves https:// for plain http://")
    Expect.isTrue "not transient" (not (Transfer.isTransient error))
    Expect.equal "an answer that ends the lookup" Failover.Answered (Failover.judge error)

[<Property>]
let ``only a redirect status with a Location is named as a redirect`` () =
    let labels = Labels.fromLookups [ "case=web" ] |> Expect.ok "labels"
    Prop.forAll
        (arb (Gen.zip (Gen.choose (300, 399)) (Gen.elements [ None; Some ""; Some "/x" ])))
        (fun (status, location) ->
            match Ipxe.statusError "http://mb:8080/ipxe" labels status location "" with
            | Errors.Lookup(LookupFailed(_, LookupStatus.Redirect _, _)) ->
                Expect.isTrue $"{status} {location}" (Transfer.isRedirect status && location = Some "/x")
            | Errors.Lookup(LookupFailed(_, LookupStatus.Http s, _)) ->
                Expect.equal "the status" status s
                Expect.isTrue $"{status} {location}" (not (Transfer.isRedirect status && location = Some "/x"))
            | other -> Expect.fail $"{Expect.shown other}")
