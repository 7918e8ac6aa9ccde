module XenMatchbox.Domain.Errors

type BootError =
    | CommandLineRejected of reason: string
    | MissingServer
    | InvalidServer of source: string * value: string * reason: string
    | InvalidPort of flag: string * value: string
    | NoLookupLabels
    | UnknownOutputFormat of value: string
    | InvalidRunAs of value: string * reason: string
    | MissingTlsFlags of missing: string list * given: string list
    | MissingOutputDirectory
    | InvalidLabel of text: string * reason: string
    | InvalidMac of key: string * value: string
    | ConflictingLabel of key: string * first: string * second: string
    | InvalidDuration of source: string * value: string
    | InvalidSize of flag: string * value: string
    | ConfigRejected of path: string * line: int * reason: string
    | ConfigUnreadable of path: string * detail: string
    | NoMatchingGroup of labels: string
    | NoMatchingProfile of labels: string
    | LookupFailed of endpoint: string * status: string * detail: string
    | ServerUnreachable of endpoint: string * detail: string
    | ServerNotTrusted of endpoint: string * detail: string
    | ServerNameMismatch of endpoint: string * detail: string
    | ClientCertificateRefused of endpoint: string * detail: string
    | TlsFileUnreadable of path: string * detail: string
    | TlsKeyMismatch of certificate: string * key: string * detail: string
    | ServerTimedOut of endpoint: string * what: string
    | IpxeScriptRejected of url: string * line: int * reason: string
    | DomainLabelUnavailable of key: string * detail: string
    | ProfileWithoutKernel of profileId: string
    | InvalidAssetReference of profileId: string * reference: string * reason: string
    | UnknownVariable of variable: string * known: string list
    | TemplateCode of text: string
    | MalformedVariable of text: string * reason: string
    | VariableNotMac of variable: string * value: string
    | ArgsTooLong of bytes: int * limit: int
    | ArgsControlCharacter of source: string * character: string
    | ProfileArgsTooLarge of count: int * bytes: int
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
    | ValueContainsDelimiter of key: string * format: string * delimiter: string
    | ItemTooLong of key: string * bytes: int * limit: int
    | OutputFileMissing of path: string
    | OutputDirectoryMissing of path: string
    | OutputWriteFailed of path: string * detail: string
    | StanzaValueInvalid of key: string * reason: string
    // The run itself (XMB-6xx)
    | DeadlineExceeded of seconds: int
    | Interrupted of signal: string
    | PrivilegeDropFailed of uid: int * detail: string
    | Unexpected of detail: string

let code error =
    match error with
    | CommandLineRejected _ -> "XMB-101"
    | MissingServer -> "XMB-102"
    | InvalidServer _ -> "XMB-103"
    | InvalidPort _ -> "XMB-104"
    | NoLookupLabels -> "XMB-105"
    | UnknownOutputFormat _ -> "XMB-106"
    | InvalidRunAs _ -> "XMB-107"
    | MissingTlsFlags _ -> "XMB-108"
    | MissingOutputDirectory -> "XMB-109"
    | InvalidLabel _ -> "XMB-110"
    | InvalidMac _ -> "XMB-111"
    | ConflictingLabel _ -> "XMB-112"
    | InvalidDuration _ -> "XMB-113"
    | InvalidSize _ -> "XMB-114"
    | ConfigRejected _ -> "XMB-115"
    | ConfigUnreadable _ -> "XMB-116"
    | NoMatchingGroup _ -> "XMB-201"
    | NoMatchingProfile _ -> "XMB-202"
    | LookupFailed _ -> "XMB-203"
    | ServerUnreachable _ -> "XMB-204"
    | ServerNotTrusted _ -> "XMB-205"
    | ServerNameMismatch _ -> "XMB-206"
    | ClientCertificateRefused _ -> "XMB-207"
    | TlsFileUnreadable _ -> "XMB-208"
    | TlsKeyMismatch _ -> "XMB-209"
    | ServerTimedOut _ -> "XMB-210"
    | IpxeScriptRejected _ -> "XMB-211"
    | DomainLabelUnavailable _ -> "XMB-212"
    | ProfileWithoutKernel _ -> "XMB-301"
    | InvalidAssetReference _ -> "XMB-302"
    | UnknownVariable _ -> "XMB-310"
    | TemplateCode _ -> "XMB-311"
    | MalformedVariable _ -> "XMB-312"
    | VariableNotMac _ -> "XMB-313"
    | ArgsTooLong _ -> "XMB-314"
    | ArgsControlCharacter _ -> "XMB-315"
    | ProfileArgsTooLarge _ -> "XMB-316"
    | AssetStatus _ -> "XMB-401"
    | AssetUnreachable _ -> "XMB-402"
    | AssetTruncated _ -> "XMB-403"
    | AssetWriteFailed _ -> "XMB-404"
    | AssetTooLarge _ -> "XMB-405"
    | TooManyRedirects _ -> "XMB-406"
    | RedirectRefused _ -> "XMB-407"
    | DiskFull _ -> "XMB-408"
    | AssetTimedOut _ -> "XMB-409"
    | AssetNotTrusted _ -> "XMB-410"
    | AssetEmpty _ -> "XMB-411"
    | AssetNameMismatch _ -> "XMB-412"
    | AssetAnswerInvalid _ -> "XMB-413"
    | ValueContainsDelimiter _ -> "XMB-501"
    | ItemTooLong _ -> "XMB-502"
    | OutputFileMissing _ -> "XMB-503"
    | OutputDirectoryMissing _ -> "XMB-504"
    | OutputWriteFailed _ -> "XMB-505"
    | StanzaValueInvalid _ -> "XMB-506"
    | DeadlineExceeded _ -> "XMB-601"
    | Interrupted _ -> "XMB-602"
    | PrivilegeDropFailed _ -> "XMB-603"
    | Unexpected _ -> "XMB-900"

/// The most seconds a timeout may be: int.MaxValue milliseconds, what the runtime's timers hold
/// (Limits.MaxTimeoutSeconds, which Errors is compiled before).
[<Literal>]
let private MaxSeconds = 2147483

let private joinOr (items: string list) =
    match List.rev items with
    | [] -> ""
    | [ one ] -> one
    | last :: rest -> String.concat ", " (List.rev rest) + " and " + last

/// The host (as written in the URL, brackets and all) of an absolute URL; the text itself otherwise.
let private hostOf (url: string) =
    match System.Uri.TryCreate(url, System.UriKind.Absolute) with
    | true, NonNull uri -> uri.Host
    | _ -> url

let redact (text: string) =
    // Every "scheme://user:password@" becomes "scheme://***@"; the rest is kept as it is.
    let builder = System.Text.StringBuilder(text.Length)
    let mutable at = 0
    while at < text.Length do
        let scheme = text.IndexOf("://", at, System.StringComparison.Ordinal)
        if scheme < 0 then
            builder.Append(text, at, text.Length - at) |> ignore
            at <- text.Length
        else
            let start = scheme + 3
            let mutable stop = start
            // The authority runs to the first of these; user information ends at its last '@'.
            while stop < text.Length && not (System.Char.IsWhiteSpace text[stop]) && "/?#\"<>".IndexOf text[stop] < 0 do
                stop <- stop + 1
            let stop = match text.LastIndexOf('@', stop - 1, stop - start) with -1 -> stop | found -> found
            if stop < text.Length && text[stop] = '@' && stop > start then
                builder.Append(text, at, start - at).Append("***@") |> ignore
                at <- stop + 1
            else
                builder.Append(text, at, start - at) |> ignore
                at <- start
    builder.ToString()

/// Whether a lookup endpoint is matchbox's /ipxe (the HTTP-only lookup) rather than its gRPC API.
let private isIpxe (endpoint: string) = endpoint.Contains "/ipxe"

let private transport endpoint = if isIpxe endpoint then "HTTP" else "gRPC"

let cause error =
    match error with
    | CommandLineRejected reason -> $"the command line was rejected: {reason}"
    | MissingServer -> "no matchbox server was given"
    | InvalidServer(source, value, reason) -> $"{source} '{value}' is not usable: {reason}"
    | InvalidPort(flag, value) -> $"{flag} '{value}' is not a TCP port"
    | NoLookupLabels -> "no --lookup label was given, so there is nothing to select a profile by"
    | UnknownOutputFormat value -> $"--output-format '{value}' is not a known format"
    | InvalidRunAs(value, reason) -> $"--runas '{value}' cannot be used: {reason}"
    | MissingTlsFlags(missing, given) ->
        let verb = if List.length missing = 1 then "was" else "were"
        let set =
            match given with
            | [] -> ""
            | [ one ] -> $" ({one} is set)"
            | several -> $" ({joinOr several} are set)"
        $"the gRPC lookup needs mutual TLS but {joinOr missing} {verb} not given{set}"
    | MissingOutputDirectory -> "no --output-directory was given to download the kernel and ramdisk into"
    | InvalidLabel(text, reason) -> $"--lookup '{text}' is not a label: {reason}"
    | InvalidMac(key, value) -> $"--lookup {key}='{value}' is not a MAC address"
    | ConflictingLabel(key, first, second) -> $"--lookup gives '{key}' twice, as '{first}' and as '{second}'"
    | InvalidDuration(source, value) -> $"{source} '{value}' is not a whole number of seconds from 0 to {MaxSeconds}"
    | InvalidSize(flag, value) -> $"{flag} '{value}' is not a size"
    | ConfigRejected(variable, 0, reason) -> $"the environment variable {variable} {reason}"
    | ConfigRejected(path, line, reason) -> $"{path} line {line}: {reason}"
    | ConfigUnreadable(path, detail) -> $"cannot read the configuration file {path}: {detail}"
    | NoMatchingGroup labels -> $"no matchbox group matches labels {labels}"
    | NoMatchingProfile labels -> $"a matchbox group matches labels {labels} but its profile is missing or unreadable"
    | LookupFailed(endpoint, status, detail) -> $"matchbox at {endpoint} answered the lookup with {status}: {detail}"
    | ServerUnreachable(endpoint, detail) -> $"cannot reach matchbox {transport endpoint} at {endpoint}: {detail}"
    | ServerNotTrusted(endpoint, detail) -> $"the certificate of {endpoint} is not signed by the CA given with --ca: {detail}"
    | ServerNameMismatch(endpoint, detail) -> $"the certificate of {endpoint} does not name that host: {detail}"
    | ClientCertificateRefused(endpoint, detail) -> $"{endpoint} ended the TLS handshake, most likely refusing our client certificate: {detail}"
    | TlsFileUnreadable(path, detail) -> $"cannot read TLS file {path}: {detail}"
    | TlsKeyMismatch(certificate, key, detail) -> $"the client certificate {certificate} and key {key} do not belong together: {detail}"
    | ServerTimedOut(endpoint, what) -> $"matchbox {transport endpoint} at {endpoint} did not answer in time: {what}"
    | IpxeScriptRejected(url, line, reason) -> $"the iPXE script from {url} cannot be read: line {line} {reason}"
    | DomainLabelUnavailable(key, detail) -> $"the domain's {key} is needed but cannot be read from xenstore: {detail}"
    | ProfileWithoutKernel profileId -> $"matchbox profile '{profileId}' has no boot.kernel"
    | InvalidAssetReference(profileId, reference, reason) -> $"matchbox profile '{profileId}' names asset '{reference}', which {reason}"
    | UnknownVariable(variable, known) ->
        let labels = if List.isEmpty known then "none" else String.concat ", " known
        $"the profile's args use {variable} but there is no such label (labels known: {labels})"
    | TemplateCode text -> $"the profile's args contain template code {text}; only {{{{ .label }}}} is expanded"
    | MalformedVariable(text, reason) -> $"the profile's args contain {text}, which {reason}"
    | VariableNotMac(variable, value) -> $"{variable} formats a MAC address but the label's value '{value}' is not one"
    | ArgsTooLong(bytes, limit) -> $"the kernel command line is {bytes} bytes; Xen keeps only the first {limit} of a PV guest's"
    | ArgsControlCharacter(source, character) -> $"{source} contains {character}, which cannot be part of a kernel command line"
    | ProfileArgsTooLarge(count, bytes) -> $"the profile has {count} args of {bytes} bytes in all, far more than any kernel command line holds"
    | AssetStatus(url, status) -> $"GET {url} answered HTTP {status}"
    | AssetUnreachable(url, detail) -> $"cannot download {url}: {detail}"
    | AssetTruncated(url, expected, received) -> $"{url} ended after {received} of {expected} bytes"
    | AssetWriteFailed(path, detail) -> $"cannot write {path}: {detail}"
    | AssetTooLarge(url, what, bytes, limit) -> $"{url} makes the {what} {bytes} bytes, over the limit of {limit}"
    | TooManyRedirects(url, limit) -> $"{url} redirected more than {limit} times"
    | RedirectRefused(url, location, reason) -> $"{url} redirected to '{location}', which {reason}"
    | DiskFull(path, detail) -> $"no room for {path}: {detail}"
    | AssetTimedOut(url, what) -> $"{url} did not answer in time: {what}"
    | AssetNotTrusted(url, detail) -> $"the TLS certificate of {url} is trusted neither by the system nor by --ca: {detail}"
    | AssetEmpty(url, what) -> $"the {what} would get nothing from {url}: it is empty (0 bytes)"
    | AssetNameMismatch(url, detail) -> $"the TLS certificate of {url} does not name {hostOf url}: {detail}"
    | AssetAnswerInvalid(url, detail) -> $"{url} sent {detail}"
    | ValueContainsDelimiter(key, format, delimiter) -> $"the {key} value contains {delimiter}, the item separator of the {format} format"
    | ItemTooLong(key, bytes, limit) -> $"the {key} item is {bytes} bytes; libxl reads items into an 8192-byte buffer and silently drops long ones, so items stay under {limit} bytes"
    | OutputFileMissing path -> $"the output file {path} does not exist"
    | OutputDirectoryMissing path -> $"the output directory {path} does not exist or is not a directory"
    | OutputWriteFailed(path, detail) -> $"cannot write the result to {path}: {detail}"
    | StanzaValueInvalid(key, reason) -> $"the {key} value cannot be written into an xl config: {reason}"
    | DeadlineExceeded seconds -> $"the boot did not finish within its deadline of {seconds} s"
    | Interrupted signal -> $"stopped by {signal} (libxl sends it when the domain is destroyed or the bootloader hangs up)"
    | PrivilegeDropFailed(uid, detail) -> $"cannot drop privileges to uid {uid}: {detail}"
    | Unexpected detail -> $"unexpected failure: {detail}"

let fix error =
    match error with
    | CommandLineRejected _ -> "run 'xenmatchbox --help' and correct bootloader_args in the domU config"
    | MissingServer -> "add '--server', '<matchbox host>' to bootloader_args"
    | InvalidServer _ -> "give only the host name or IP address in --server; ports go in --httpport and --grpcport"
    | InvalidPort(flag, _) -> $"give {flag} a number from 1 to 65535"
    | NoLookupLabels -> "add '--lookup', 'mac=<the vif MAC>' (or another label your matchbox groups select on) to bootloader_args"
    | UnknownOutputFormat _ -> "use simple0 (what libxl reads), simple or sxp"
    | InvalidRunAs _ -> "set bootloader_user (or LIBXL_BOOTLOADER_USER) to an unprivileged user; libxl passes its uid"
    | MissingTlsFlags _ -> "add '--ca', '--cert' and '--key' with the PEM files matchbox's gRPC API accepts (see matchbox's TLS docs)"
    | MissingOutputDirectory -> "libxl always passes --output-directory; when running by hand, add --output-directory=DIR"
    | InvalidLabel _ -> "write each label as --lookup key=value, e.g. --lookup mac=52:54:00:aa:bb:cc"
    | InvalidMac _ -> "give the vif's MAC as six hex octets, e.g. 52:54:00:aa:bb:cc or 52-54-00-AA-BB-CC"
    | ConflictingLabel _ -> "give each label once in bootloader_args"
    | InvalidDuration(source, _) when source.StartsWith "LIBXL" ->
        $"set LIBXL_BOOTLOADER_TIMEOUT to whole seconds, at most {MaxSeconds} (0 for none), in xl's environment"
    | InvalidDuration _ -> $"give whole seconds, at most {MaxSeconds} (what the runtime's timers hold), e.g. --timeout 60 (0 for none)"
    | InvalidSize _ -> "give bytes or a size with K, M or G (powers of 1024), e.g. 256M"
    | ConfigRejected(_, 0, _) -> "unset it or correct it in the environment xl (or the shell) runs xenmatchbox with; the names are XENMATCHBOX_ and a flag of 'xenmatchbox --help'"
    | ConfigRejected _ -> "correct or remove that line; each line is 'key = value' with a key from 'xenmatchbox --help', or a # comment"
    | ConfigUnreadable _ -> "check the path and permissions given with --config (or XENMATCHBOX_CONFIG)"
    | NoMatchingGroup _ -> "add a matchbox group whose selector matches these labels (or a default group), or correct --lookup"
    | NoMatchingProfile _ -> "create the profile the group names under matchbox's profiles/ directory, or fix the group's \"profile\""
    | LookupFailed _ -> "check matchbox's log for the failed request"
    | ServerUnreachable(endpoint, _) when isIpxe endpoint -> "check --server and --httpport, and that matchbox serves HTTP (-address) on that port"
    | ServerUnreachable _ -> "check --server and --grpcport, and that matchbox runs with -rpc-address on that port"
    | ServerNotTrusted _ -> "give --ca the CA file that signed matchbox's server certificate (matchbox's ca.crt)"
    | ServerNameMismatch _ -> "use the --server name or IP listed in the server certificate's SAN, or reissue the certificate"
    | ClientCertificateRefused _ -> "give --cert/--key a client certificate signed by the CA matchbox trusts (-ca-file) and still valid"
    | TlsFileUnreadable _ -> "check the path and permissions of the PEM file"
    | TlsKeyMismatch _ -> "give --key the private key that was issued with the --cert certificate"
    | ServerTimedOut(endpoint, _) when isIpxe endpoint -> "check that matchbox is up and reachable on --httpport, or raise --connect-timeout/--timeout"
    | ServerTimedOut _ -> "check that matchbox is up and reachable on --grpcport, or raise --connect-timeout/--timeout"
    | IpxeScriptRejected _ -> "check the profile and the matchbox version behind --httpport, or look the profile up over gRPC (--cert and --key)"
    | DomainLabelUnavailable(key, _) -> $"run xenmatchbox under xl in dom0 (xenstore-read on PATH), or give the label yourself with --lookup {key}=VALUE"
    | ProfileWithoutKernel _ -> "set boot.kernel in the matchbox profile"
    | InvalidAssetReference _ -> "use an http:// or https:// URL or a server path such as /assets/... in the profile"
    | UnknownVariable _ -> "add the label with --lookup key=value, or remove the variable from the profile's args"
    | TemplateCode _ -> "replace it with a label reference such as {{ .mac }} or ${mac}"
    | MalformedVariable _ -> "write variables as ${label}, ${label:hex}, ${label:hexhyp}, ${label:hexraw} or {{ .label }}"
    | VariableNotMac _ -> "give that label a MAC address value, or drop the :hex/:hexhyp/:hexraw format"
    | ArgsTooLong _ -> "shorten the profile's args (long URLs are the usual cause) or the domU config's extra=/cmdline= (libxl's --args), which is appended to them"
    | ArgsControlCharacter _ -> "remove the character from the profile's args (or from the domU config's extra/cmdline)"
    | ProfileArgsTooLarge _ -> "check the profile: its args list is not what a kernel command line can be"
    | AssetStatus _ -> "check that the file exists on the matchbox asset server and the profile's path is right"
    | AssetUnreachable _ -> "check --server and --httpport (or the URL's host) and that the HTTP server is up"
    | AssetTruncated _ -> "retry the boot; if it persists, check the asset server and the network path"
    | AssetWriteFailed _ -> "check free space and permissions of the output directory"
    | AssetTooLarge _ -> "check the profile's asset, or raise --max-kernel-size/--max-ramdisk-size (Xen refuses more than 1G)"
    | TooManyRedirects _ -> "fix the redirect loop on the asset server, or put the final URL in the profile"
    | RedirectRefused _ -> "let the asset server redirect only to http:// or https:// URLs, or put the final URL in the profile"
    | DiskFull _ -> "free space where libxl writes bootloader output (XEN_LIB_DIR, usually /var/lib/xen)"
    | AssetTimedOut _ -> "check the asset server and the network, or raise --read-timeout/--connect-timeout/--timeout"
    | AssetNotTrusted _ -> "give the asset server a certificate from a CA in the system store or from the --ca CA, or use its http:// URL"
    | AssetEmpty _ -> "put the real file on the asset server (an empty file is most often a copy or build that failed), or correct the profile's path"
    | AssetNameMismatch _ -> "use the host name the asset server's certificate lists (its SAN) in the profile's URL, or reissue the certificate for this name"
    | AssetAnswerInvalid _ -> "check that the URL's port is the asset server's HTTP port and that nothing in between (a proxy, another service) answers for it"
    | ValueContainsDelimiter(("kernel" | "ramdisk"), _, _) ->
        "the path comes from libxl's --output-directory (under XEN_LIB_DIR, usually /var/lib/xen): give xl a XEN_LIB_DIR without that character, or pass another --output-directory when running by hand"
    | ValueContainsDelimiter _ -> "remove that character from the profile's args or from the domU config's extra=/cmdline= (libxl's --args)"
    | ItemTooLong _ -> "shorten the value"
    | OutputFileMissing _ -> "libxl creates the output file before running the bootloader; when running by hand, create it first or omit --output"
    | OutputDirectoryMissing _ -> "create the directory, or pass the one libxl created"
    | OutputWriteFailed _ -> "check free space and permissions"
    | StanzaValueInvalid _ -> "remove that character from the profile's args (or from the --dir path), and give --dir as an absolute path"
    | DeadlineExceeded _ -> "check matchbox and the network; raise --timeout (and LIBXL_BOOTLOADER_TIMEOUT in restricted mode) for slow links"
    | Interrupted _ -> "nothing to fix in xenmatchbox; see why xl stopped the domain's creation"
    | PrivilegeDropFailed _ -> "run xl as root, and give bootloader_user a uid that exists on dom0"
    | Unexpected _ -> "report this as a bug, with the command line that caused it"

let exitCode error =
    match code error with
    | c when c.StartsWith "XMB-1" -> 2
    | c when c.StartsWith "XMB-2" -> 3
    | c when c.StartsWith "XMB-3" -> 4
    | c when c.StartsWith "XMB-4" -> 5
    | c when c.StartsWith "XMB-5" -> 6
    | c when c.StartsWith "XMB-6" -> 7
    | _ -> 1

/// Control characters (a newline in an exception text, say) would break the one-line promise.
let private oneLine (text: string) =
    text
    |> String.map (fun c -> if System.Char.IsControl c then ' ' else c)

let describe error =
    oneLine (redact $"{code error}: {cause error} — {fix error}")
