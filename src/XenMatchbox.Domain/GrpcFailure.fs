module XenMatchbox.Domain.GrpcFailure

open System
open XenMatchbox.Domain.Errors

type Cause = { Kind: string; Message: string }

type Facts =
    { Status: string
      Detail: string
      Causes: Cause list }

let private firstLine (text: string) = text.Split('\n').[0]

let private has (fragment: string) (text: string) =
    text.Contains(fragment, StringComparison.Ordinal)

/// OpenSSL names an alert the peer sent as "... alert <description>" (e.g. "sslv3 alert bad
/// certificate", "tlsv13 alert certificate required", "tlsv1 alert unknown ca"): the server said
/// no during the handshake. Without one, a handshake that broke off is the network's doing.
let private serverSentAlert (text: string) =
    text.Contains(" alert ", StringComparison.OrdinalIgnoreCase)
    || text.Contains("alert number", StringComparison.OrdinalIgnoreCase)

/// A server that refuses the client certificate under TLS 1.3 does so after the client has
/// finished its side of the handshake, and a .NET (Kestrel) server just closes: the client's first
/// read of the HTTP/2 preface meets the end of the stream, without TLS's close_notify. A server
/// that accepted the handshake and then went away sends close_notify (a graceful close), or the
/// kernel resets the connection (the client's preface lies unread): neither is this.
let private closedBeforeHttp2 (text: string) =
    has "did not complete the HTTP/2 handshake" text && has "(ResponseEnded)" text

let classify endpoint labels (connectSeconds: int) (answerSeconds: int) (facts: Facts) =
    let text = facts.Causes |> List.map (fun c -> c.Message) |> String.concat " "
    let kinds = facts.Causes |> List.map (fun c -> c.Kind)
    let detail = firstLine facts.Detail
    match facts.Status with
    | "NotFound" when has "Profile" facts.Detail -> NoMatchingProfile labels
    | "NotFound" -> NoMatchingGroup labels
    | "DeadlineExceeded" -> ServerTimedOut(endpoint, $"no answer within {answerSeconds} s")
    | _ when kinds |> List.exists (fun k -> k = "TimeoutException" || k = "OperationCanceledException" || k = "TaskCanceledException") ->
        ServerTimedOut(endpoint, $"no connection within {connectSeconds} s")
    | _ when has "frame size" text || has "corrupted frame" text ->
        LookupFailed(endpoint, "no TLS", "the port does not speak TLS; is --grpcport matchbox's gRPC port and not its HTTP port?")
    | _ when has "RemoteCertificateNameMismatch" text -> ServerNameMismatch(endpoint, "RemoteCertificateNameMismatch")
    | _ when has "RemoteCertificateChainErrors" text || has "PartialChain" text || has "UntrustedRoot" text ->
        ServerNotTrusted(endpoint, "the chain does not lead to the --ca certificate")
    | _ when serverSentAlert text || serverSentAlert facts.Detail -> ClientCertificateRefused(endpoint, detail)
    | _ when closedBeforeHttp2 text || closedBeforeHttp2 facts.Detail ->
        ClientCertificateRefused(endpoint, "it closed the connection as soon as it had our certificate, before a byte of HTTP/2")
    | _ when kinds |> List.contains "SocketException" ->
        let socket = facts.Causes |> List.find (fun c -> c.Kind = "SocketException")
        ServerUnreachable(endpoint, socket.Message)
    | _ when kinds |> List.contains "AuthenticationException" ->
        ServerUnreachable(endpoint, $"the TLS handshake broke off without an alert from the server (reset or closed): {detail}")
    | "Unavailable" -> ServerUnreachable(endpoint, $"the connection was closed or reset: {detail}")
    | status -> LookupFailed(endpoint, status, detail)
