module XenMatchbox.Domain.Errors

type BootError =
    | CommandLineRejected of reason: string
    | MissingServer
    | InvalidServer of value: string * reason: string
    | InvalidPort of flag: string * value: string
    | NoLookupLabels
    | UnknownOutputFormat of value: string
    | RestrictedModeUnsupported of uid: string
    | MissingTlsFlags of missing: string list
    | MissingOutputDirectory
    | InvalidLabel of text: string * reason: string
    | InvalidMac of key: string * value: string
    | ConflictingLabel of key: string * first: string * second: string
    | NoMatchingGroup of labels: string
    | NoMatchingProfile of labels: string
    | LookupFailed of endpoint: string * status: string * detail: string
    | ServerUnreachable of endpoint: string * detail: string
    | ServerNotTrusted of endpoint: string * detail: string
    | ServerNameMismatch of endpoint: string * detail: string
    | ClientCertificateRefused of endpoint: string * detail: string
    | TlsFileUnreadable of path: string * detail: string
    | TlsKeyMismatch of certificate: string * key: string * detail: string
    | ProfileWithoutKernel of profileId: string
    | InvalidAssetReference of profileId: string * reference: string * reason: string
    | UnknownVariable of variable: string * known: string list
    | TemplateCode of text: string
    | MalformedVariable of text: string * reason: string
    | VariableNotMac of variable: string * value: string
    | ArgsTooLong of bytes: int * limit: int
    | AssetStatus of url: string * status: int
    | AssetUnreachable of url: string * detail: string
    | AssetTruncated of url: string * expected: int64 * received: int64
    | AssetWriteFailed of path: string * detail: string
    | ValueContainsDelimiter of key: string * format: string * delimiter: string
    | ItemTooLong of key: string * bytes: int * limit: int
    | OutputFileMissing of path: string
    | OutputDirectoryMissing of path: string
    | OutputWriteFailed of path: string * detail: string
    | Unexpected of detail: string

let code error =
    match error with
    | CommandLineRejected _ -> "XMB-101"
    | MissingServer -> "XMB-102"
    | InvalidServer _ -> "XMB-103"
    | InvalidPort _ -> "XMB-104"
    | NoLookupLabels -> "XMB-105"
    | UnknownOutputFormat _ -> "XMB-106"
    | RestrictedModeUnsupported _ -> "XMB-107"
    | MissingTlsFlags _ -> "XMB-108"
    | MissingOutputDirectory -> "XMB-109"
    | InvalidLabel _ -> "XMB-110"
    | InvalidMac _ -> "XMB-111"
    | ConflictingLabel _ -> "XMB-112"
    | NoMatchingGroup _ -> "XMB-201"
    | NoMatchingProfile _ -> "XMB-202"
    | LookupFailed _ -> "XMB-203"
    | ServerUnreachable _ -> "XMB-204"
    | ServerNotTrusted _ -> "XMB-205"
    | ServerNameMismatch _ -> "XMB-206"
    | ClientCertificateRefused _ -> "XMB-207"
    | TlsFileUnreadable _ -> "XMB-208"
    | TlsKeyMismatch _ -> "XMB-209"
    | ProfileWithoutKernel _ -> "XMB-301"
    | InvalidAssetReference _ -> "XMB-302"
    | UnknownVariable _ -> "XMB-310"
    | TemplateCode _ -> "XMB-311"
    | MalformedVariable _ -> "XMB-312"
    | VariableNotMac _ -> "XMB-313"
    | ArgsTooLong _ -> "XMB-314"
    | AssetStatus _ -> "XMB-401"
    | AssetUnreachable _ -> "XMB-402"
    | AssetTruncated _ -> "XMB-403"
    | AssetWriteFailed _ -> "XMB-404"
    | ValueContainsDelimiter _ -> "XMB-501"
    | ItemTooLong _ -> "XMB-502"
    | OutputFileMissing _ -> "XMB-503"
    | OutputDirectoryMissing _ -> "XMB-504"
    | OutputWriteFailed _ -> "XMB-505"
    | Unexpected _ -> "XMB-900"

let private joinOr (items: string list) =
    match List.rev items with
    | [] -> ""
    | [ one ] -> one
    | last :: rest -> String.concat ", " (List.rev rest) + " and " + last

let cause error =
    match error with
    | CommandLineRejected reason -> $"the command line was rejected: {reason}"
    | MissingServer -> "no matchbox server was given"
    | InvalidServer(value, reason) -> $"--server '{value}' is not usable: {reason}"
    | InvalidPort(flag, value) -> $"{flag} '{value}' is not a TCP port"
    | NoLookupLabels -> "no --lookup label was given, so there is nothing to select a profile by"
    | UnknownOutputFormat value -> $"--output-format '{value}' is not a known format"
    | RestrictedModeUnsupported uid -> $"libxl asked for restricted mode (--runas={uid}), which this version cannot honour"
    | MissingTlsFlags missing ->
        let verb = if List.length missing = 1 then "was" else "were"
        $"the gRPC lookup needs mutual TLS but {joinOr missing} {verb} not given"
    | MissingOutputDirectory -> "no --output-directory was given to download the kernel and ramdisk into"
    | InvalidLabel(text, reason) -> $"--lookup '{text}' is not a label: {reason}"
    | InvalidMac(key, value) -> $"--lookup {key}='{value}' is not a MAC address"
    | ConflictingLabel(key, first, second) -> $"--lookup gives '{key}' twice, as '{first}' and as '{second}'"
    | NoMatchingGroup labels -> $"no matchbox group matches labels {labels}"
    | NoMatchingProfile labels -> $"a matchbox group matches labels {labels} but its profile is missing or unreadable"
    | LookupFailed(endpoint, status, detail) -> $"matchbox at {endpoint} answered the lookup with {status}: {detail}"
    | ServerUnreachable(endpoint, detail) -> $"cannot reach matchbox gRPC at {endpoint}: {detail}"
    | ServerNotTrusted(endpoint, detail) -> $"the certificate of {endpoint} is not signed by the CA given with --ca: {detail}"
    | ServerNameMismatch(endpoint, detail) -> $"the certificate of {endpoint} does not name that host: {detail}"
    | ClientCertificateRefused(endpoint, detail) -> $"{endpoint} ended the TLS handshake, most likely refusing our client certificate: {detail}"
    | TlsFileUnreadable(path, detail) -> $"cannot read TLS file {path}: {detail}"
    | TlsKeyMismatch(certificate, key, detail) -> $"the client certificate {certificate} and key {key} do not belong together: {detail}"
    | ProfileWithoutKernel profileId -> $"matchbox profile '{profileId}' has no boot.kernel"
    | InvalidAssetReference(profileId, reference, reason) -> $"matchbox profile '{profileId}' names asset '{reference}', which {reason}"
    | UnknownVariable(variable, known) ->
        let labels = if List.isEmpty known then "none" else String.concat ", " known
        $"the profile's args use {variable} but there is no such label (labels known: {labels})"
    | TemplateCode text -> $"the profile's args contain template code {text}; only {{{{ .label }}}} is expanded"
    | MalformedVariable(text, reason) -> $"the profile's args contain {text}, which {reason}"
    | VariableNotMac(variable, value) -> $"{variable} formats a MAC address but the label's value '{value}' is not one"
    | ArgsTooLong(bytes, limit) -> $"the kernel command line is {bytes} bytes; Xen keeps only the first {limit} of a PV guest's"
    | AssetStatus(url, status) -> $"GET {url} answered HTTP {status}"
    | AssetUnreachable(url, detail) -> $"cannot download {url}: {detail}"
    | AssetTruncated(url, expected, received) -> $"{url} ended after {received} of {expected} bytes"
    | AssetWriteFailed(path, detail) -> $"cannot write {path}: {detail}"
    | ValueContainsDelimiter(key, format, delimiter) -> $"the {key} value contains {delimiter}, the item separator of the {format} format"
    | ItemTooLong(key, bytes, limit) -> $"the {key} item is {bytes} bytes; libxl reads items into an 8192-byte buffer and silently drops long ones, so items stay under {limit} bytes"
    | OutputFileMissing path -> $"the output file {path} does not exist"
    | OutputDirectoryMissing path -> $"the output directory {path} does not exist or is not a directory"
    | OutputWriteFailed(path, detail) -> $"cannot write the result to {path}: {detail}"
    | Unexpected detail -> $"unexpected failure: {detail}"

let fix error =
    match error with
    | CommandLineRejected _ -> "run 'xenmatchbox --help' and correct bootloader_args in the domU config"
    | MissingServer -> "add '--server', '<matchbox host>' to bootloader_args"
    | InvalidServer _ -> "give only the host name or IP address in --server; ports go in --httpport and --grpcport"
    | InvalidPort(flag, _) -> $"give {flag} a number from 1 to 65535"
    | NoLookupLabels -> "add '--lookup', 'mac=<the vif MAC>' (or another label your matchbox groups select on) to bootloader_args"
    | UnknownOutputFormat _ -> "use simple0 (what libxl reads), simple or sxp"
    | RestrictedModeUnsupported _ -> "run xl without LIBXL_BOOTLOADER_RESTRICT/LIBXL_BOOTLOADER_USER and bootloader_restrict, or upgrade xenmatchbox"
    | MissingTlsFlags _ -> "add '--ca', '--cert' and '--key' with the PEM files matchbox's gRPC API accepts (see matchbox's TLS docs)"
    | MissingOutputDirectory -> "libxl always passes --output-directory; when running by hand, add --output-directory=DIR"
    | InvalidLabel _ -> "write each label as --lookup key=value, e.g. --lookup mac=52:54:00:aa:bb:cc"
    | InvalidMac _ -> "give the vif's MAC as six hex octets, e.g. 52:54:00:aa:bb:cc or 52-54-00-AA-BB-CC"
    | ConflictingLabel _ -> "give each label once in bootloader_args"
    | NoMatchingGroup _ -> "add a matchbox group whose selector matches these labels (or a default group), or correct --lookup"
    | NoMatchingProfile _ -> "create the profile the group names under matchbox's profiles/ directory, or fix the group's \"profile\""
    | LookupFailed _ -> "check matchbox's log for the failed request"
    | ServerUnreachable _ -> "check --server and --grpcport, and that matchbox runs with -rpc-address on that port"
    | ServerNotTrusted _ -> "give --ca the CA file that signed matchbox's server certificate (matchbox's ca.crt)"
    | ServerNameMismatch _ -> "use the --server name or IP listed in the server certificate's SAN, or reissue the certificate"
    | ClientCertificateRefused _ -> "give --cert/--key a client certificate signed by the CA matchbox trusts (-ca-file) and still valid"
    | TlsFileUnreadable _ -> "check the path and permissions of the PEM file"
    | TlsKeyMismatch _ -> "give --key the private key that was issued with the --cert certificate"
    | ProfileWithoutKernel _ -> "set boot.kernel in the matchbox profile"
    | InvalidAssetReference _ -> "use an http:// or https:// URL or a server path such as /assets/... in the profile"
    | UnknownVariable _ -> "add the label with --lookup key=value, or remove the variable from the profile's args"
    | TemplateCode _ -> "replace it with a label reference such as {{ .mac }} or ${mac}"
    | MalformedVariable _ -> "write variables as ${label}, ${label:hex}, ${label:hexhyp}, ${label:hexraw} or {{ .label }}"
    | VariableNotMac _ -> "give that label a MAC address value, or drop the :hex/:hexhyp/:hexraw format"
    | ArgsTooLong _ -> "shorten the profile's args (long URLs are the usual cause)"
    | AssetStatus _ -> "check that the file exists on the matchbox asset server and the profile's path is right"
    | AssetUnreachable _ -> "check --server and --httpport (or the URL's host) and that the HTTP server is up"
    | AssetTruncated _ -> "retry the boot; if it persists, check the asset server and the network path"
    | AssetWriteFailed _ -> "check free space and permissions of the output directory"
    | ValueContainsDelimiter _ -> "remove that character from the profile"
    | ItemTooLong _ -> "shorten the value"
    | OutputFileMissing _ -> "libxl creates the output file before running the bootloader; when running by hand, create it first or omit --output"
    | OutputDirectoryMissing _ -> "create the directory, or pass the one libxl created"
    | OutputWriteFailed _ -> "check free space and permissions"
    | Unexpected _ -> "report this as a bug, with the command line that caused it"

let exitCode error =
    match code error with
    | c when c.StartsWith "XMB-1" -> 2
    | c when c.StartsWith "XMB-2" -> 3
    | c when c.StartsWith "XMB-3" -> 4
    | c when c.StartsWith "XMB-4" -> 5
    | c when c.StartsWith "XMB-5" -> 6
    | _ -> 1

/// Control characters (a newline in an exception text, say) would break the one-line promise.
let private oneLine (text: string) =
    text
    |> String.map (fun c -> if System.Char.IsControl c then ' ' else c)

let describe error =
    oneLine $"{code error}: {cause error} — {fix error}"
