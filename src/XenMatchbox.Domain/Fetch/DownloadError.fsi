namespace XenMatchbox.Domain

/// Downloading the kernel or an initrd failed: XMB-4xx, exit status 5.
type DownloadError =
    /// XMB-401: an asset's GET (or a dry run's HEAD) answered a status other than 200 (or 304 for a
    /// stored entry), after retries for 502-504; the URL and the status.
    | AssetStatus of url: string * status: int
    /// XMB-402: an asset could not be downloaded (refused, reset, broken off), after retries; the URL and the reason.
    | AssetUnreachable of url: string * detail: string
    /// XMB-403: an asset's body ended before its declared length, after retries; the URL, the bytes
    /// expected and the bytes received.
    | AssetTruncated of url: string * expected: int64 * received: int64
    /// XMB-404: a downloaded asset could not be written (other than for lack of space); the file's path and the reason.
    | AssetWriteFailed of path: string * detail: string
    /// XMB-405: an asset makes the kernel or ramdisk larger than its limit; the URL, which file
    /// ("kernel", "ramdisk"), its bytes and the limit.
    | AssetTooLarge of url: string * what: string * bytes: int64 * limit: int64
    /// XMB-406: an asset redirected more than Transfer.MaxRedirects times; the URL and the limit.
    | TooManyRedirects of url: string * limit: int
    /// XMB-407: an asset redirected to a Location that is not an http:// or https:// URL; the URL,
    /// the Location and why.
    | RedirectRefused of url: string * location: string * reason: string
    /// XMB-408: no room on the disk for a downloaded asset; the file's path and the space needed
    /// and free, or the system's reason.
    | DiskFull of path: string * detail: string
    /// XMB-409: an asset's server did not connect, answer or send data in time; the URL and what
    /// did not happen within how long.
    | AssetTimedOut of url: string * what: string
    /// XMB-410: an https:// asset's certificate is trusted neither by the system store, --ca nor
    /// --web-ca, or is outside its validity dates; the URL and the reason (TlsFailure: its issuer
    /// and the CAs tried, or its dates).
    | AssetNotTrusted of url: string * detail: string
    /// XMB-411: an asset is empty (0 bytes, downloaded or declared to a dry run's HEAD): an empty
    /// kernel, ramdisk or part of a ramdisk boots nothing; the URL and which file ("kernel", "ramdisk").
    | AssetEmpty of url: string * what: string
    /// XMB-412: an https:// asset's certificate is trusted but names another host than the URL's;
    /// the URL and the reason (TlsFailure: the names it holds).
    | AssetNameMismatch of url: string * detail: string
    /// XMB-413: an asset's server answered with something that is not sound HTTP (another
    /// protocol, headers over the limit, conflicting Content-Length headers); not retried; the URL
    /// and what it sent.
    | AssetAnswerInvalid of url: string * detail: string
    /// XMB-414: under --web-ssl, an https:// URL redirected to a plain http:// one
    /// (Transfer.RedirectRule.NoDowngrade); the URL that redirected and the http:// URL it named.
    | RedirectDowngrade of url: string * location: string

/// The code, cause and fix of each download error.
module DownloadError =

    /// The error's code, cause and fix.
    val explain: error: DownloadError -> Explanation
