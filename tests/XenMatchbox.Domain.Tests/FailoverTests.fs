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
/// (route, delay) and the outcome: the route that answered, or the error (the last try's own
/// when the lookup stops with it).
let private simulate (routes: LookupRoute list) (fate: LookupRoute -> int -> Fate) =
    let rec go step tries (count: Map<LookupRoute, int>) lastError =
        match step with
        | Fail error -> List.rev tries, Error error
        | Stop -> List.rev tries, Error(Option.get lastError)
        | Ask attempt ->
            let n = defaultArg (count.TryFind attempt.Route) 0 + 1
            let tries = (attempt.Route, attempt.DelayMilliseconds) :: tries
            match errorOf attempt.Route (fate attempt.Route n) with
            | None -> List.rev tries, Ok attempt.Route
            | Some error -> go (failed attempt error) tries (count.Add(attempt.Route, n)) (Some error)
    go (start routes) [] Map.empty None

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
            let mine = tries |> List.filter (fun (r, _) -> r = route)
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
        let counts = tries |> List.countBy fst |> Map.ofList
        let lastRoute, _ = List.last tries
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
        let rec rounds (tries: (LookupRoute * int) list) number =
            match tries with
            | [] -> ()
            | (_, delay) :: _ ->
                Expect.isTrue $"no more than {Transfer.MaxAttempts} rounds" (number <= Transfer.MaxAttempts)
                Expect.equal
                    $"round {number} starts"
                    (if number = 1 then 0 else Transfer.backoffMilliseconds number)
                    delay
                let rest = List.tail tries |> List.takeWhile (fun (_, d) -> d = 0)
                let round = List.head tries :: rest
                let order = round |> List.map (fst >> index)
                Expect.equal "in order" (List.sort order) order
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
    Assert.Equal<(LookupRoute * int) list>([ grpc 1, 0; grpc 2, 0 ], tries)
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
    Assert.Equal<(LookupRoute * int) list>([ grpc 1, 0; grpc 1, 250; grpc 1, 1000 ], tries)
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

[<Property(MaxTest = 300)>]
let ``a lookup stops with the failed try's own error, and fails with one of its own only when several servers all failed``
    ()
    =
    Prop.forAll (arb scenario) (fun (routes, _, fate) ->
        let rec last step tries error =
            match step with
            | Ask attempt ->
                let n = 1 + (tries |> List.filter ((=) attempt.Route) |> List.length)
                match errorOf attempt.Route (fate attempt.Route n) with
                | None -> None
                | Some e -> last (failed attempt e) (attempt.Route :: tries) (Some e)
            | ending -> Some(ending, error)
        match last (start routes) [] None with
        | None -> ()
        | Some(Stop, Some error) ->
            Expect.isTrue $"{code error} stops the lookup" (routes.Length = 1 || judge error = Answered)
        | Some(Fail error, Some _) ->
            Expect.isTrue "several servers" (routes.Length > 1)
            Expect.equal "no server answered" "XMB-213" (code error)
        | Some(ending, _) -> Expect.fail $"{ending} before any try")

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
            | Stop -> failwith "stopped"
            | Fail e -> failwith (describe e)
        | Stop -> failwith "stopped"
        | Fail e -> failwith (describe e)
    | Stop -> failwith "stopped"
    | Fail e -> failwith (describe e)
    match start [ grpc 1 ] with
    | Ask only ->
        match failed only (errorOf (grpc 1) Refused).Value with
        | Ask again -> Assert.Equal(None, again.Note)
        | Stop -> failwith "stopped"
        | Fail e -> failwith (describe e)
    | Stop -> failwith "stopped"
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

// ---- each try's share of the time left ----

let private limits connect read : CommandLine.BootLimits =
    { DeadlineSeconds = None
      ConnectSeconds = connect
      ReadSeconds = read
      MaxKernelBytes = Limits.DefaultMaxKernelBytes
      MaxRamdiskBytes = Limits.DefaultMaxRamdiskBytes }

/// Runs a lookup against a clock, as the shell does: before each try the time left is read, the
/// try gets Failover.tryTime, and its server times out after `used` of its answer time (0.0 to 1.0;
/// 1.0 is a hung server) or answers at once (the last, when `lastAnswers`). Backoff delays count
/// too. The answer times given and the time left at each try, and whether the last server answered.
let private runAgainstClock (limits: CommandLine.BootLimits) (deadline: int64) (used: int -> float) lastAnswers count =
    let routes = List.init count (fun i -> grpc (i + 1))
    let rec go step clock tries =
        match step with
        | Fail _
        | Stop -> List.rev tries, false
        | Ask attempt ->
            let clock = clock + int64 attempt.DelayMilliseconds
            let left = deadline - clock
            let time = tryTime limits (Some left) attempt
            let n = List.findIndex ((=) attempt.Route) routes
            let tries = (attempt.Route, left, time) :: tries
            if lastAnswers && n = count - 1 then
                List.rev tries, clock <= deadline
            else
                let spent = int64 (used n * float time.AnswerMilliseconds)
                let error = Lookup(ServerTimedOut(Endpoint.Grpc(routeServer attempt.Route), "no answer"))
                go (failed attempt error) (clock + spent) tries
    go (start routes) 0L []

let private clockCase =
    gen {
        let! count = Gen.choose (1, 8)
        // At least a millisecond a server: a try takes some time.
        let! deadline = Gen.frequency [ 3, Gen.choose (1_000, 200_000); 1, Gen.choose (count, 999) ]
        let! connect = Gen.choose (1, 60)
        let! read = Gen.choose (1, 120)
        let! used =
            Gen.listOfLength
                count
                (Gen.frequency [ 2, Gen.constant 1.0; 1, Gen.map (fun n -> float n / 100.0) (Gen.choose (0, 100)) ])
        return count, int64 deadline, limits connect read, used
    }

[<Property(MaxTest = 500)>]
let ``every server gets a try before the deadline, however long the others hang`` () =
    Prop.forAll (arb clockCase) (fun (count, deadline, limits, used) ->
        let tries, answered = runAgainstClock limits deadline (fun n -> used[n]) true count
        Expect.equal "every server asked once" count tries.Length
        Expect.isTrue "the last server answered within the deadline" answered
        for route, left, time in tries do
            Expect.isTrue
                $"{routeServer route}: {time.AnswerMilliseconds} ms of {left} left"
                (int64 time.AnswerMilliseconds <= left)
            Expect.isTrue
                $"{routeServer route}: connect within the answer time"
                (time.ConnectMilliseconds <= time.AnswerMilliseconds)
            Expect.isTrue $"{routeServer route}: a positive time" (time.ConnectMilliseconds >= 1))

[<Property(MaxTest = 500)>]
let ``a share never exceeds the time left, and is at least 1 ms`` () =
    Prop.forAll (arb (Gen.zip (Gen.choose (-1000, 1_000_000)) (Gen.choose (1, 64)))) (fun (left, sharers) ->
        let share = share (int64 left) sharers
        Expect.isTrue $"{share} of {left} among {sharers}" (share >= 1L && (left < 1 || share <= int64 left)))

[<Property(MaxTest = 300)>]
let ``when every server hangs, the first round's shares are fair: equal but for a millisecond`` () =
    let case = Gen.zip3 (Gen.choose (2, 8)) (Gen.choose (1_000, 200_000)) (Gen.elements [ true; false ])
    Prop.forAll (arb case) (fun (count, deadline, flagsBind) ->
        // Timeouts that never bind (the share always does), or that bind for every server.
        let limits = if flagsBind then limits 1 0 else limits 1000 1000
        let tries, _ = runAgainstClock limits (int64 deadline) (fun _ -> 1.0) false count
        let times = tries |> List.map (fun (_, _, t) -> t.AnswerMilliseconds)
        Expect.equal "every server asked" count tries.Length
        Expect.isTrue $"shares {times}" (List.max times - List.min times <= 1)
        if not flagsBind then
            Expect.isTrue
                $"shares {times} use the deadline"
                (List.sum times <= deadline && List.sum times > deadline - count))

[<Property(MaxTest = 300)>]
let ``a server that fails sooner leaves more time to the servers after it`` () =
    let case =
        gen {
            let! count, deadline, limits, used = clockCase |> Gen.filter (fun (c, _, _, _) -> c >= 2)
            let! which = Gen.choose (0, count - 2)
            let! sooner = Gen.map (fun n -> float n / 100.0) (Gen.choose (0, 99))
            return count, deadline, limits, used, which, sooner
        }
    Prop.forAll (arb case) (fun (count, deadline, limits, used, which, sooner) ->
        let slow, _ = runAgainstClock limits deadline (fun n -> used[n]) true count
        let fast, _ =
            runAgainstClock limits deadline (fun n -> if n = which then min sooner used[n] else used[n]) true count
        List.zip slow fast
        |> List.skip (which + 1)
        |> List.iter (fun ((route, _, before), (_, _, after)) ->
            Expect.isTrue
                $"{routeServer route}: {after.AnswerMilliseconds} ms, not less than {before.AnswerMilliseconds}"
                (after.AnswerMilliseconds >= before.AnswerMilliseconds)))

[<Fact>]
let ``without a deadline a try gets the timeouts the flags give`` () =
    match start [ grpc 1; grpc 2 ] with
    | Ask first ->
        let time = tryTime (limits 10 30) None first
        Assert.Equal(10_000, time.ConnectMilliseconds)
        Assert.Equal(40_000, time.AnswerMilliseconds)
        Assert.Equal(None, time.ShareMilliseconds)
    | Fail _
    | Stop -> failwith "expected a try"

[<Fact>]
let ``with the default timeouts four hung HTTP servers leave the fifth 22 s of the 110 s`` () =
    // The bench's case: each hung server would take 40 s on its own.
    let tries, answered = runAgainstClock (limits 10 30) 110_000L (fun _ -> 1.0) true 5
    Assert.Equal<int list>(
        [ 22_000; 22_000; 22_000; 22_000; 22_000 ],
        tries |> List.map (fun (_, _, t) -> t.AnswerMilliseconds)
    )
    Assert.True(answered)
    let _, _, first = List.head tries
    Assert.Equal(
        "22 s, this server's share of the time left before the deadline",
        Limits.within first first.AnswerMilliseconds
    )
