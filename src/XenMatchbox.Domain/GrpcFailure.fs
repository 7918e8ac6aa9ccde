module XenMatchbox.Domain.GrpcFailure

open System
open XenMatchbox.Domain.Errors

type Cause = { Kind: string; Message: string }

type Facts = { Status: string; Detail: string; Causes: Cause list; LastTry: bool }

let private firstLine (text: string) = text.Split('\n').[0]

let private has (fragment: string) (text: string) = text.Contains(fragment, StringComparison.Ordinal)

/// OpenSSL names an alert the peer sent as "... alert <description>" (e.g. "sslv3 alert bad
/// certificate", "tlsv13 alert certificate required", "tlsv1 alert unknown ca"): the server said
/// no during the handshake. Without one, a handshake that broke off is the network's doing.
let private serverSentAlert (text: string) =
    text.Contains(" alert ", StringComparison.OrdinalIgnoreCase)
    || text.Contains("alert number", StringComparison.OrdinalIgnoreCase)

/// The server closed the connection after the TLS handshake, before a byte of HTTP/2, without an
/// alert. Under TLS 1.3 a server refuses a client certificate only after the client has finished
/// its side of the handshake, and one that sends no alert (a .NET server) just closes: this. A
/// server that is going away between the handshake and its first HTTP/2 frame looks the same.
let private closedBeforeHttp2 (text: string) = has "did not complete the HTTP/2 handshake" text

[<Literal>]
let private ClosedAfterHandshake = "it closed the connection right after the TLS handshake, before a byte of HTTP/2"

let closedAfterHandshake error =
    match error with
    | Lookup(ServerUnreachable(Endpoint.Grpc _, ClosedAfterHandshake)) -> true
    | _ -> false

let classify endpoint labels (connectSeconds: int) (answerSeconds: int) (facts: Facts) =
    let text = facts.Causes |> List.map (fun c -> c.Message) |> String.concat " "
    let kinds = facts.Causes |> List.map (fun c -> c.Kind)
    let detail = firstLine facts.Detail
    let endpoint = Endpoint.Grpc endpoint
    match facts.Status with
    | "NotFound" when has "Profile" facts.Detail -> Lookup(NoMatchingProfile labels)
    | "NotFound" -> Lookup(NoMatchingGroup labels)
    | "DeadlineExceeded" -> Lookup(ServerTimedOut(endpoint, $"no answer within {answerSeconds} s"))
    | _ when
        kinds
        |> List.exists (fun k ->
            k = "TimeoutException" || k = "OperationCanceledException" || k = "TaskCanceledException")
        ->
        Lookup(ServerTimedOut(endpoint, $"no connection within {connectSeconds} s"))
    | _ when has "frame size" text || has "corrupted frame" text ->
        Lookup(
            LookupFailed(
                endpoint,
                LookupStatus.NoTls,
                "the port does not speak TLS; is --grpcport matchbox's gRPC port and not its HTTP port?"
            )
        )
    | _ when has "RemoteCertificateNameMismatch" text ->
        Lookup(ServerNameMismatch(endpoint, "RemoteCertificateNameMismatch"))
    | _ when has "RemoteCertificateChainErrors" text || has "PartialChain" text || has "UntrustedRoot" text ->
        Lookup(ServerNotTrusted(endpoint, "the chain does not lead to the --ca certificate"))
    | _ when serverSentAlert text || serverSentAlert facts.Detail -> Lookup(ClientCertificateRefused(endpoint, detail))
    | _ when kinds |> List.contains "SocketException" ->
        let socket = facts.Causes |> List.find (fun c -> c.Kind = "SocketException")
        Lookup(ServerUnreachable(endpoint, socket.Message))
    | _ when (closedBeforeHttp2 text || closedBeforeHttp2 facts.Detail) && facts.LastTry ->
        Lookup(
            ClientCertificateRefused(
                endpoint,
                "it closed the connection right after the TLS handshake, before a byte of HTTP/2, on every try"
            )
        )
    | _ when closedBeforeHttp2 text || closedBeforeHttp2 facts.Detail ->
        Lookup(ServerUnreachable(endpoint, ClosedAfterHandshake))
    | _ when has "server closed the connection" text || has "server closed the connection" facts.Detail ->
        // An HTTP/2 GOAWAY or a close mid-call, whatever status the client made of it: a server stopping.
        Lookup(ServerUnreachable(endpoint, $"the connection was closed: {detail}"))
    | _ when kinds |> List.contains "AuthenticationException" ->
        Lookup(
            ServerUnreachable(
                endpoint,
                $"the TLS handshake broke off without an alert from the server (reset or closed): {detail}"
            )
        )
    | "Unavailable" -> Lookup(ServerUnreachable(endpoint, $"the connection was closed or reset: {detail}"))
    | status -> Lookup(LookupFailed(endpoint, LookupStatus.Grpc status, detail))
