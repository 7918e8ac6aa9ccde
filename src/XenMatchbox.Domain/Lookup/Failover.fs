module internal XenMatchbox.Domain.Failover

open XenMatchbox.Domain.Boot
open XenMatchbox.Domain.CommandLine
open XenMatchbox.Domain.Errors

type Verdict =
    | Answered
    | TryLater
    | NotAgain

let judge error =
    match error with
    | _ when Transfer.isTransient error -> TryLater
    | Lookup(ServerTimedOut _) -> NotAgain
    | Lookup(LookupFailed(_, LookupStatus.Http status, _)) when status >= 500 && status <= 599 -> NotAgain
    | _ -> Answered

[<Sealed>]
type Tries
    internal
    (
        routes: LookupRoute list,
        round: int,
        pending: LookupRoute list,
        again: LookupRoute list,
        failures: Map<LookupRoute, BootError>
    ) =
    member internal _.Routes = routes
    member internal _.Round = round
    member internal _.Pending = pending
    member internal _.Again = again
    member internal _.Failures = failures

type Attempt = { Route: LookupRoute; DelayMilliseconds: int; Note: string option; Sharers: int; Tries: Tries }

type Step =
    | Ask of Attempt
    | Stop
    | Fail of BootError

/// A failure as the one line of NoServerAnswered shows it: short, the endpoint left to the server.
let private brief error =
    let detail =
        match error with
        | Lookup(ServerUnreachable(_, detail))
        | Lookup(ServerTimedOut(_, detail)) -> detail
        | Lookup(LookupFailed(_, LookupStatus.Http status, detail)) -> $"HTTP {status}: {detail}"
        | other -> cause other
    Text.shown 160 detail

let private ask (tries: Tries) delay note =
    match tries.Pending with
    | [] -> None
    | route :: rest ->
        Some(
            Ask
                { Route = route
                  DelayMilliseconds = delay
                  Note = if tries.Routes.Length > 1 then note route else None
                  Sharers = 1 + rest.Length
                  Tries = Tries(tries.Routes, tries.Round, rest, tries.Again, tries.Failures) }
        )

let start routes =
    let tries = Tries(routes, 1, routes, [], Map.empty)
    match ask tries 0 (fun _ -> None) with
    | Some step -> step
    | None -> Fail(Unexpected "no --server to ask")

let failed (attempt: Attempt) error =
    let tries = attempt.Tries
    let verdict = judge error
    let failures = tries.Failures.Add(attempt.Route, error)
    let again = if verdict = TryLater then tries.Again @ [ attempt.Route ] else tries.Again
    let failedNow = $"{routeServer attempt.Route} failed ({code error} {brief error})"
    let thisRound = Tries(tries.Routes, tries.Round, tries.Pending, again, failures)
    let nextRound = Tries(tries.Routes, tries.Round + 1, again, [], failures)
    let delay = Transfer.backoffMilliseconds (tries.Round + 1)
    let allFailed () =
        match tries.Routes with
        | [ _ ] -> Stop
        | routes ->
            routes
            |> List.choose (fun route ->
                failures.TryFind route |> Option.map (fun e -> routeServer route, code e, brief e))
            |> NoServerAnswered
            |> Lookup
            |> Fail
    if verdict = Answered then
        Stop
    else
        ask thisRound 0 (fun next -> Some $"{failedNow}; asking {routeServer next}")
        |> Option.orElse (
            if tries.Round < Transfer.MaxAttempts then
                ask nextRound delay (fun next -> Some $"{failedNow}; asking {routeServer next} again in {delay} ms")
            else
                None
        )
        |> Option.defaultWith allFailed

let share (leftMilliseconds: int64) (sharers: int) = max 1L (leftMilliseconds / int64 (max 1 sharers))

let tryTime (limits: BootLimits) (leftMilliseconds: int64 option) (attempt: Attempt) =
    Limits.tryTime
        limits.ConnectSeconds
        limits.ReadSeconds
        (leftMilliseconds |> Option.map (fun left -> share left attempt.Sharers))
