module internal XenMatchbox.Domain.Transfer

open System
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Profile

[<Literal>]
let MaxAttempts = 3

[<Literal>]
let MaxRedirects = 5

let isTransient error =
    match error with
    | Lookup(ServerUnreachable _)
    | Download(AssetUnreachable _)
    | Download(AssetTruncated _) -> true
    | Download(AssetStatus(_, status)) -> status = 502 || status = 503 || status = 504
    | Lookup(LookupFailed(_, LookupStatus.Http status, _)) -> status = 502 || status = 503 || status = 504
    | _ -> false

let isRedirect status =
    match status with
    | 301
    | 302
    | 303
    | 307
    | 308 -> true
    | _ -> false

let isAccepted status conditional = status = 200 || status = 304 && conditional

let backoffMilliseconds attempt = if attempt <= 2 then 250 else 1000

let retryAfter tried error =
    if tried < MaxAttempts && isTransient error then Some(backoffMilliseconds (tried + 1)) else None

type RedirectRule =
    | EitherScheme
    | NoDowngrade

let redirectRule webSsl = if webSsl then NoDowngrade else EitherScheme

let allowsRedirect rule (from: string) (target: string) =
    match rule with
    | EitherScheme -> true
    | NoDowngrade -> not (from = "https" && target = "http")

let followRedirect rule (from: AssetUrl) (location: string) hop =
    if hop > MaxRedirects then
        Error(Download(TooManyRedirects(from.Shown, MaxRedirects)))
    else
        match Uri.TryCreate(Uri from.Value, location) with
        | true, NonNull target when
            (target.Scheme = "http" || target.Scheme = "https")
            && not (allowsRedirect rule (Uri from.Value).Scheme target.Scheme)
            ->
            Error(Download(RedirectDowngrade(from.Shown, Errors.redact target.AbsoluteUri)))
        | true, NonNull target when target.Scheme = "http" || target.Scheme = "https" ->
            Profile.resolveAsset { Host = ""; Port = 0; Secure = false } "(redirect)" target.AbsoluteUri
            |> Result.mapError (fun _ ->
                Download(RedirectRefused(from.Shown, Errors.redact location, "is not a usable URL")))
        | true, NonNull target ->
            Error(
                Download(
                    RedirectRefused(
                        from.Shown,
                        Errors.redact location,
                        $"uses the {target.Scheme}: scheme; only http and https are followed"
                    )
                )
            )
        | _ -> Error(Download(RedirectRefused(from.Shown, Errors.redact location, "is not a URL")))

let lookupRedirect (endpoint: string) status (location: string) =
    let from = Uri endpoint
    let target, downgrade =
        match Uri.TryCreate(from, location) with
        | true, NonNull target ->
            Errors.redact target.AbsoluteUri, not (allowsRedirect (redirectRule true) from.Scheme target.Scheme)
        | _ -> Errors.redact location, false
    let reason =
        if downgrade then
            "under --web-ssl the lookup never leaves https:// for plain http://, and it follows no redirect at all, since matchbox never redirects /ipxe"
        else
            "the lookup follows no redirect, since matchbox never redirects /ipxe: the answer is not matchbox's"
    Lookup(LookupFailed(Endpoint.Ipxe endpoint, LookupStatus.Redirect(status, Text.shown 200 target), reason))

let addSizes (bytes: int64) (more: int64) =
    if more > 0L && bytes > Int64.MaxValue - more then Int64.MaxValue
    elif more < 0L && bytes < Int64.MinValue - more then Int64.MinValue
    else bytes + more

let checkSize url what limit bytes =
    if bytes > limit then Error(Download(AssetTooLarge(url, what, bytes, limit))) else Ok()

let checkNotEmpty url what (bytes: int64) =
    if bytes <= 0L then Error(Download(AssetEmpty(url, what))) else Ok()
