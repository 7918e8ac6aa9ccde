/// Failover across several --server hosts: what moves a lookup on and what is an answer, and the
/// order, number and spacing of the tries.
module FailoverTests

open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open global.Xunit
open XenMatchbox.Domain
open XenMatchbox.Domain.Boot
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Failover
open Generators

let private grpc n = Grpc($"mb{n}", $"mb{n}:8081")

/// How one try at a server goes.
type Fate =
    | Answers
    | Refused
    | HangsUntilTimeout
    | Answers503
    | Answers500
    | NoGroup
    | Untrusted

let private errorOf route fate =
    let endpoint = Endpoint.Grpc(routeServer route)
    match fate with
    | Answers -> None
    | Refused -> Some(Lookup(ServerUnreachable(endpoint, "Connection refused")))
    | HangsUntilTimeout -> Some(Lookup(ServerTimedOut(endpoint, "no answer within 3 s")))
    | Answers503 -> Some(Lookup(LookupFailed(endpoint, LookupStatus.Http 503, "busy")))
    | Answers500 -> Some(Lookup(LookupFailed(endpoint, LookupStatus.Http 500, "broken")))
    | NoGroup -> Some(Lookup(NoMatchingGroup "mac=52:54:00:aa:bb:cc"))
    | Untrusted -> Some(Lookup(ServerNotTrusted(endpoint, "PartialChain")))

/// Runs the steps as the shell does: each try's fate by server and try number. The tries made
/// (route, delay, last try) and the outcome: the route that answered, or the error.
let private simulate (routes: LookupRoute list) (fate: LookupRoute -> int -> Fate) =
    let rec go step tries (count: Map<LookupRoute, int>) =
        match step with
        | Fail error -> List.rev tries, Error error
        | Ask attempt ->
            let n = defaultArg (count.TryFind attempt.Route) 0 + 1
            let tries = (attempt.Route, attempt.DelayMilliseconds, attempt.LastTry) :: tries
            match errorOf attempt.Route (fate attempt.Route n) with
            | None -> List.rev tries, Ok attempt.Route
            | Some error -> go (failed attempt error) tries (count.Add(attempt.Route, n))
    go (start routes) [] Map.empty

let private fates = Gen.elements [ Answers; Refused; HangsUntilTimeout; Answers503; Answers500; NoGroup; Untrusted ]

/// Several servers, and each one's fate on its first, second and third try.
let private scenario =
    gen {
        let! count = Gen.choose (1, 4)
        let routes = List.init count (fun i -> grpc (i + 1))
        let! table = Gen.listOfLength (count * Transfer.MaxAttempts) fates
        let fate route n =
            let i = List.findIndex ((=) route) routes
            table[i * Transfer.MaxAttempts + n - 1]
        return routes, table, fate
    }

[<Property(MaxTest = 300)>]
let ``no server is asked more than the retry rule allows, nor after it timed out or failed with a 500`` () =
    Prop.forAll (arb scenario) (fun (routes, _, fate) ->
        let tries, _ = simulate routes fate
        for route in routes do
            let mine = tries |> List.filter (fun (r, _, _) -> r = route)
            Expect.isTrue $"{routeServer route} asked {mine.Length} times" (mine.Length <= Transfer.MaxAttempts)
            mine
            |> List.iteri (fun i _ ->
                let earlier = fate route (i + 1)
                if i + 1 < mine.Length then
                    Expect.isTrue
                        $"{routeServer route} asked again after {earlier}"
                        (earlier = Refused || earlier = Answers503)))

[<Property(MaxTest = 300)>]
let ``a lookup ends at the first answer, and an answer that is an error is not failed over`` () =
    Prop.forAll (arb scenario) (fun (routes, _, fate) ->
        let tries, outcome = simulate routes fate
        let counts = tries |> List.countBy (fun (r, _, _) -> r) |> Map.ofList
        let lastRoute, _, _ = List.last tries
        let lastFate = fate lastRoute counts[lastRoute]
        match outcome with
        | Ok route ->
            Expect.equal "the last asked answered" lastRoute route
            Expect.equal "its fate" Answers lastFate
        | Error error when lastFate = NoGroup || lastFate = Untrusted ->
            Expect.equal "the answer itself" (errorOf lastRoute lastFate) (Some error)
        | Error error when routes.Length = 1 ->
            Expect.equal "one server: its last error" (errorOf lastRoute lastFate) (Some error)
        | Error error ->
            Expect.equal "code" "XMB-213" (code error)
            let line = cause error
            // Each server once, in order, with its own last failure's code.
            let positions = routes |> List.map (fun r -> line.IndexOf(routeServer r + " XMB-"))
            Expect.isTrue
                $"each server named once, in order: {line}"
                (positions = List.sort positions && List.forall (fun p -> p >= 0) positions)
            for route in routes do
                let last = fate route counts[route]
                let expected = errorOf route last |> Option.map code |> Option.defaultValue "none"
                Expect.isTrue
                    $"{routeServer route} with {expected}: {line}"
                    (line.Contains $"{routeServer route} {expected}"))

[<Property(MaxTest = 300)>]
let ``each round asks the servers in order without waiting; a later round starts after the backoff`` () =
    Prop.forAll (arb scenario) (fun (routes, _, fate) ->
        let tries, _ = simulate routes fate
        let index route = List.findIndex ((=) route) routes
        let rec rounds (tries: (LookupRoute * int * bool) list) number =
            match tries with
            | [] -> ()
            | (_, delay, _) :: _ ->
                Expect.equal
                    $"round {number} starts"
                    (if number = 1 then 0 else Transfer.backoffMilliseconds number)
                    delay
                let rest = List.tail tries |> List.takeWhile (fun (_, d, _) -> d = 0)
                let round = List.head tries :: rest
                let order = round |> List.map (fun (r, _, _) -> index r)
                Expect.equal "in order" (List.sort order) order
                Expect.isTrue
                    "last try only in the last round"
                    (round |> List.forall (fun (_, _, last) -> last = (number = Transfer.MaxAttempts)))
                rounds (List.skip round.Length tries) (number + 1)
        rounds tries 1)

[<Theory>]
[<InlineData("refused")>]
[<InlineData("hung")>]
[<InlineData("503")>]
let ``the second server is asked at once when the first is down, hung or answers 503`` (how: string) =
    let first =
        match how with
        | "refused" -> Refused
        | "hung" -> HangsUntilTimeout
        | _ -> Answers503
    let routes = [ grpc 1; grpc 2 ]
    let tries, outcome = simulate routes (fun route _ -> if route = grpc 1 then first else Answers)
    Assert.Equal<(LookupRoute * int * bool) list>([ grpc 1, 0, false; grpc 2, 0, false ], tries)
    Assert.Equal(Ok(grpc 2), outcome)

[<Fact>]
let ``no matching group on the first server is the answer: the second is not asked`` () =
    let tries, outcome = simulate [ grpc 1; grpc 2 ] (fun _ _ -> NoGroup)
    Assert.Equal(1, tries.Length)
    Assert.Equal(
        "XMB-201",
        outcome
        |> Result.mapError code
        |> function
            | Error c -> c
            | Ok _ -> ""
    )

[<Fact>]
let ``one server keeps the retry rule: three tries a quarter second then a second apart, its own error`` () =
    let tries, outcome = simulate [ grpc 1 ] (fun _ _ -> Refused)
    Assert.Equal<(LookupRoute * int * bool) list>([ grpc 1, 0, false; grpc 1, 250, false; grpc 1, 1000, true ], tries)
    Assert.Equal(
        "XMB-204",
        outcome
        |> function
            | Error e -> code e
            | Ok _ -> ""
    )
    let tries, outcome = simulate [ grpc 1 ] (fun _ _ -> HangsUntilTimeout)
    Assert.Equal(1, tries.Length)
    Assert.Equal(
        "XMB-210",
        outcome
        |> function
            | Error e -> code e
            | Ok _ -> ""
    )

[<Fact>]
let ``all down is one line naming each server's failure`` () =
    let _, outcome = simulate [ grpc 1; grpc 2 ] (fun route _ -> if route = grpc 1 then Refused else HangsUntilTimeout)
    match outcome with
    | Error error ->
        Assert.Equal(
            "XMB-213: no matchbox server answered the lookup: mb1:8081 XMB-204 Connection refused; mb2:8081 XMB-210 no answer within 3 s",
            (describe error).Split(" — ").[0]
        )
        Assert.Equal(3, exitCode error)
    | Ok _ -> failwith "expected a failure"

[<Fact>]
let ``moving on says which server failed and which is asked now, only with several servers`` () =
    match start [ grpc 1; grpc 2 ] with
    | Ask first ->
        Assert.Equal(None, first.Note)
        match failed first (errorOf (grpc 1) Refused).Value with
        | Ask second ->
            Assert.Equal(Some "mb1:8081 failed (XMB-204 Connection refused); asking mb2:8081", second.Note)
            match failed second (errorOf (grpc 2) Answers503).Value with
            | Ask again ->
                Assert.Equal(
                    Some "mb2:8081 failed (XMB-203 HTTP 503: busy); asking mb1:8081 again in 250 ms",
                    again.Note
                )
            | Fail e -> failwith (describe e)
        | Fail e -> failwith (describe e)
    | Fail e -> failwith (describe e)
    match start [ grpc 1 ] with
    | Ask only ->
        match failed only (errorOf (grpc 1) Refused).Value with
        | Ask again -> Assert.Equal(None, again.Note)
        | Fail e -> failwith (describe e)
    | Fail e -> failwith (describe e)

[<Property>]
let ``what moves on: unreachable, timed out, 5xx; an answer: everything a server says of the labels or of us`` () =
    Prop.forAll (arb (Gen.choose (400, 599))) (fun status ->
        let verdict = judge (Lookup(LookupFailed(Endpoint.Ipxe "http://mb:8080/ipxe", LookupStatus.Http status, "")))
        let expected =
            if status = 502 || status = 503 || status = 504 then TryLater
            elif status >= 500 then NotAgain
            else Answered
        Expect.equal $"HTTP {status}" expected verdict)
    |> ignore
    let endpoint = Endpoint.Grpc "mb:8081"
    Assert.Equal(TryLater, judge (Lookup(ServerUnreachable(endpoint, "reset"))))
    Assert.Equal(NotAgain, judge (Lookup(ServerTimedOut(endpoint, "no connection within 1 s"))))
    for answer in
        [ Lookup(NoMatchingGroup "a=b")
          Lookup(NoMatchingProfile "a=b")
          Lookup(LookupFailed(endpoint, LookupStatus.Grpc "PermissionDenied", ""))
          Lookup(ServerNotTrusted(endpoint, ""))
          Lookup(ServerNameMismatch(endpoint, ""))
          Lookup(ClientCertificateRefused(endpoint, ""))
          Lookup(IpxeScriptRejected("/ipxe", 1, "")) ] do
        Assert.Equal(Answered, judge answer)
