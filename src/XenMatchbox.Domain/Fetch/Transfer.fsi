/// The rules for fetching from the network: which failures are worth another try, how long to
/// wait before it, and which redirects to follow (for assets, by the scheme a download is on and
/// --web-ssl; for the /ipxe lookup, none).
module internal XenMatchbox.Domain.Transfer

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Profile

/// Tries per request, the first included.
[<Literal>]
val MaxAttempts: int = 3

/// Redirects followed per asset, at most.
[<Literal>]
val MaxRedirects: int = 5

/// Worth another try: a refused or reset connection, a body cut short, HTTP 502/503/504 (from an
/// asset server, or from /ipxe as Ipxe.statusError names them), gRPC Unavailable. Not: a timeout (it would only spend the deadline again), a 404 or other status,
/// anything about TLS trust, names or files, a profile or argument error.
val isTransient: BootError -> bool

/// The statuses whose Location is followed: 301, 302, 303, 307 and 308 (not 300, which names no
/// one target, nor 305/306).
val isRedirect: status: int -> bool

/// Whether a final answer carries what was asked for: 200, or 304 to a conditional request (one
/// that sent validators); any other status is an error.
val isAccepted: status: int -> conditional: bool -> bool

/// Milliseconds to wait before the given try (2 = the first retry): 250, then 1000.
val backoffMilliseconds: attempt: int -> int

/// Whether a request whose tried-th try (1 = the first) failed with error is tried again, and
/// after how many milliseconds: while fewer than MaxAttempts tries have been made and the error is
/// transient (isTransient), after backoffMilliseconds of the next try; None when it is not.
val retryAfter: tried: int -> error: BootError -> int option

/// Which redirects a download follows, by the scheme it is on.
type RedirectRule =
    /// Without --web-ssl: from http:// or https:// to either, as iPXE and curl follow them.
    | EitherScheme
    /// Under --web-ssl: never from https:// to plain http://, so a download that starts on
    /// https:// (matchbox's /assets/, an https:// URL in the profile) or reaches it stays there;
    /// from http:// (an http:// URL the profile names itself) to either.
    | NoDowngrade

/// The rule --web-ssl sets (given: NoDowngrade).
val redirectRule: webSsl: bool -> RedirectRule

/// Whether the rule lets a redirect lead from a URL of scheme from to one of scheme target
/// ("http" or "https", lower case).
val allowsRedirect: rule: RedirectRule -> from: string -> target: string -> bool

/// Where a redirect from an asset URL leads, resolved against it: only http and https (else
/// RedirectRefused), at most MaxRedirects hops (hop counts from 1; else TooManyRedirects), and
/// only where the rule allows (else RedirectDowngrade, naming both URLs).
val followRedirect: rule: RedirectRule -> from: AssetUrl -> location: string -> hop: int -> Result<AssetUrl, BootError>

/// What a redirect from the /ipxe lookup at endpoint (its URL, http:// or https://) is: the lookup
/// follows none, since matchbox never redirects /ipxe (a redirect is a proxy's or someone else's,
/// and its target would not be the server the operator named). LookupFailed with
/// LookupStatus.Redirect, the Location resolved against endpoint (credentials as "***@"), and why
/// it is not followed: when the rule of --web-ssl would refuse it too (https:// to http://), the
/// detail says so.
val lookupRedirect: endpoint: string -> status: int -> location: string -> BootError

/// The size of a file of <paramref name="bytes"/> bytes once <paramref name="more"/> are added,
/// both as a server may declare them (up to Int64.MaxValue): saturates at Int64.MaxValue rather
/// than wrapping to a negative size that every limit would let through.
val addSizes: bytes: int64 -> more: int64 -> int64

/// Whether the asset, with the bytes already in its file, may grow by this much more.
val checkSize: url: string -> what: string -> limit: int64 -> bytes: int64 -> Result<unit, BootError>

/// Whether one URL's bytes may go into the kernel or ramdisk (what): AssetEmpty when it gave none.
/// An empty kernel, an empty ramdisk and an empty part of a ramdisk (even between parts that have
/// bytes) boot nothing, so none reaches libxl. Checked when each URL's download or cache copy is
/// complete, and by a dry run against the size a HEAD declared.
val checkNotEmpty: url: string -> what: string -> bytes: int64 -> Result<unit, BootError>
