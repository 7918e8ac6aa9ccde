module internal XenMatchbox.Domain.HttpFailure

open XenMatchbox.Domain.Errors

type Target =
    | Asset of url: string
    | Ipxe of endpoint: string

type Facts = { Causes: GrpcFailure.Cause list; RequestError: string option; Tls: TlsFailure.Facts option }

/// What the facts show, before the target names it.
type private Seen =
    | NoAnswerInTime
    | NoConnectionInTime
    | Handshake of TlsFailure.Failure option * innermost: string
    | NotHttp of headersOverLimit: bool * message: string
    | Unreachable of message: string

let private seen target (facts: Facts) =
    let kinds = facts.Causes |> List.map _.Kind
    let outer = List.tryHead kinds |> Option.defaultValue ""
    let under = List.tryItem 1 kinds |> Option.defaultValue ""
    let message = facts.Causes |> List.tryHead |> Option.map _.Message |> Option.defaultValue ""
    let innermost = facts.Causes |> List.tryLast |> Option.map _.Message |> Option.defaultValue ""
    let cancelled kind =
        kind = "OperationCanceledException" || kind = "TaskCanceledException"
    match target with
    | _ when cancelled outer ->
        // The handler's connect timeout ends an /ipxe request as cancelled, a TimeoutException under it.
        match target with
        | Ipxe _ when under = "TimeoutException" -> NoConnectionInTime
        | _ -> NoAnswerInTime
    | Asset _ when under = "TimeoutException" || cancelled under -> NoConnectionInTime
    | Ipxe _ when under = "TimeoutException" -> NoConnectionInTime
    | _ when under = "AuthenticationException" -> Handshake(facts.Tls |> Option.bind TlsFailure.judge, innermost)
    | _ when facts.RequestError = Some "InvalidResponse" -> NotHttp(false, message)
    | _ when facts.RequestError = Some "ConfigurationLimitExceeded" -> NotHttp(true, message)
    | _ -> Unreachable message

let classify target (time: Limits.TryTime) (facts: Facts) =
    let connect = $"no connection within {Limits.within time time.ConnectMilliseconds}"
    let answer = $"no answer within {Limits.within time time.AnswerMilliseconds}"
    match target, seen target facts with
    | Asset url, NoAnswerInTime -> Download(AssetTimedOut(url, answer))
    | Asset url, NoConnectionInTime -> Download(AssetTimedOut(url, connect))
    // A certificate refused or an answer that is not TLS is not worth a retry: neither will change.
    | Asset url, Handshake(Some failure, _) -> TlsFailure.assetError url failure
    | Asset url, Handshake(None, innermost) -> Download(AssetUnreachable(url, $"the TLS handshake failed: {innermost}"))
    | Asset url, NotHttp(false, message) ->
        Download(AssetAnswerInvalid(url, $"something that is not an HTTP answer ({message})"))
    | Asset url, NotHttp(true, message) ->
        Download(AssetAnswerInvalid(url, $"response headers over the limit a client accepts ({message})"))
    | Asset url, Unreachable message -> Download(AssetUnreachable(url, message))
    | Ipxe endpoint, seen ->
        let endpoint = Endpoint.Ipxe endpoint
        match seen with
        | NoAnswerInTime -> Lookup(ServerTimedOut(endpoint, answer))
        | NoConnectionInTime -> Lookup(ServerTimedOut(endpoint, connect))
        // --web-ssl: matchbox's HTTPS certificate refused (its chain, names or dates), or a port
        // without TLS; a handshake that broke off otherwise may pass.
        | Handshake(Some failure, _) -> TlsFailure.lookupError endpoint failure
        | Handshake(None, innermost) -> Lookup(ServerUnreachable(endpoint, $"the TLS handshake failed: {innermost}"))
        // Something answered, and not as an HTTP server: another service on that port.
        | NotHttp(_, message) ->
            Lookup(
                LookupFailed(
                    endpoint,
                    LookupStatus.NoHttp,
                    $"the answer is not sound HTTP ({message}); is --httpport matchbox's HTTP port (-address)?"
                )
            )
        | Unreachable message -> Lookup(ServerUnreachable(endpoint, message))
