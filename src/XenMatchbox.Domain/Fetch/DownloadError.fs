namespace XenMatchbox.Domain

type DownloadError =
    | AssetStatus of url: string * status: int
    | AssetUnreachable of url: string * detail: string
    | AssetTruncated of url: string * expected: int64 * received: int64
    | AssetWriteFailed of path: string * detail: string
    | AssetTooLarge of url: string * what: string * bytes: int64 * limit: int64
    | TooManyRedirects of url: string * limit: int
    | RedirectRefused of url: string * location: string * reason: string
    | DiskFull of path: string * detail: string
    | AssetTimedOut of url: string * what: string
    | AssetNotTrusted of url: string * detail: string
    | AssetEmpty of url: string * what: string
    | AssetNameMismatch of url: string * detail: string
    | AssetAnswerInvalid of url: string * detail: string
    | RedirectDowngrade of url: string * location: string

module DownloadError =

    /// The host (as written in the URL, brackets and all) of an absolute URL; the text itself otherwise.
    let private hostOf (url: string) =
        match System.Uri.TryCreate(url, System.UriKind.Absolute) with
        | true, NonNull uri -> uri.Host
        | _ -> url

    let explain error =
        match error with
        | AssetStatus(url, status) ->
            { Code = "XMB-401"
              Cause = $"GET {url} answered HTTP {status}"
              Fix = "check that the file exists on the matchbox asset server and the profile's path is right" }
        | AssetUnreachable(url, detail) ->
            { Code = "XMB-402"
              Cause = $"cannot download {url}: {detail}"
              Fix = "check --server and --httpport (or the URL's host) and that the HTTP server is up" }
        | AssetTruncated(url, expected, received) ->
            { Code = "XMB-403"
              Cause = $"{url} ended after {received} of {expected} bytes"
              Fix = "retry the boot; if it persists, check the asset server and the network path" }
        | AssetWriteFailed(path, detail) ->
            { Code = "XMB-404"
              Cause = $"cannot write {path}: {detail}"
              Fix = "check free space and permissions of the output directory" }
        | AssetTooLarge(url, what, bytes, limit) ->
            { Code = "XMB-405"
              Cause = $"{url} makes the {what} {bytes} bytes, over the limit of {limit}"
              Fix =
                "check the profile's asset, or raise --max-kernel-size/--max-ramdisk-size (Xen refuses more than 1G)" }
        | TooManyRedirects(url, limit) ->
            { Code = "XMB-406"
              Cause = $"{url} redirected more than {limit} times"
              Fix = "fix the redirect loop on the asset server, or put the final URL in the profile" }
        | RedirectRefused(url, location, reason) ->
            { Code = "XMB-407"
              Cause = $"{url} redirected to '{location}', which {reason}"
              Fix =
                "let the asset server redirect only to http:// or https:// URLs, or put the final URL in the profile" }
        | DiskFull(path, detail) ->
            { Code = "XMB-408"
              Cause = $"no room for {path}: {detail}"
              Fix = "free space where libxl writes bootloader output (XEN_LIB_DIR, usually /var/lib/xen)" }
        | AssetTimedOut(url, what) ->
            { Code = "XMB-409"
              Cause = $"{url} did not answer in time: {what}"
              Fix = "check the asset server and the network, or raise --read-timeout/--connect-timeout/--timeout" }
        | AssetNotTrusted(url, detail) ->
            { Code = "XMB-410"
              Cause = $"the TLS certificate of {url} is not trusted: {detail}"
              Fix =
                "give the asset server a certificate valid today from a CA in the system store, --ca or --web-ca (or, if it is valid, set dom0's clock right), or use its http:// URL" }
        | AssetEmpty(url, what) ->
            { Code = "XMB-411"
              Cause = $"the {what} would get nothing from {url}: it is empty (0 bytes)"
              Fix =
                "put the real file on the asset server (an empty file is most often a copy or build that failed), or correct the profile's path" }
        | AssetNameMismatch(url, detail) ->
            { Code = "XMB-412"
              Cause = $"the TLS certificate of {url} does not name {hostOf url}: {detail}"
              Fix =
                "use the host name the asset server's certificate lists (its SAN) in the profile's URL, or reissue the certificate for this name" }
        | AssetAnswerInvalid(url, detail) ->
            { Code = "XMB-413"
              Cause = $"{url} sent {detail}"
              Fix =
                "check that the URL's scheme and port are the asset server's (http:// for a plain HTTP port) and that nothing in between (a proxy, another service) answers for it" }
        | RedirectDowngrade(url, location) ->
            { Code = "XMB-414"
              Cause =
                $"{url} redirected to {location}, plain HTTP: under --web-ssl a download that is on https:// never goes on over http://"
              Fix =
                "serve the file over https:// where the redirect leads (or name an https:// URL that does not redirect to http:// in the profile); drop --web-ssl only if plain HTTP is meant" }
