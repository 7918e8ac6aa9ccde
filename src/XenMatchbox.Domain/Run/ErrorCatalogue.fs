module XenMatchbox.Domain.ErrorCatalogue

open XenMatchbox.Domain.Errors

type Entry = { Code: string; Status: int; Stage: string; Failed: string; Fix: string }

/// What a run that exits with the stage's status has failed at.
let private stage error =
    match error with
    | CommandLine _ -> "the command line, the environment or the configuration file was rejected"
    | Lookup _ -> "the lookup at matchbox failed"
    | Plan _ -> "the profile cannot be planned (its kernel, assets or args)"
    | Download _ -> "a download failed"
    | Output _ -> "the result cannot be written for libxl"
    | Run _ -> "the deadline passed, a signal stopped the run, or the privilege drop failed"
    | Trust _ -> "a key or signature does not vouch for the lookup answer or an asset (--lookup-key, --verify-assets)"
    | Unexpected _ -> "anything unforeseen (a bug: please report it)"

/// One entry from its samples (the error's cases with placeholders for what a run fills in) and
/// what failed, in Markdown: the code, exit status and fix are the samples' own.
let private entry (samples: BootError list) failed =
    let first = List.head samples
    { Code = code first
      Status = exitCode first
      Stage = stage first
      Failed = failed
      Fix = samples |> List.map fix |> List.distinct |> String.concat "; or " }

let entries =
    [ entry
          [ CommandLine(CommandLineRejected "REASON") ]
          "the command line was rejected (unknown flag, a flag twice, the disk not last)"
      entry [ CommandLine MissingServer ] "no `--server`"
      entry
          [ CommandLine(InvalidServer("--server", "VALUE", "REASON")) ]
          "a `--server` item is not a bare host name or IP address, is empty (`a,,b`), or names a host twice"
      entry [ CommandLine(InvalidPort("--grpcport", "VALUE")) ] "a port that is not 1–65535"
      entry [ CommandLine NoLookupLabels ] "no `--lookup`"
      entry [ CommandLine(UnknownOutputFormat "VALUE") ] "an unknown `--output-format`"
      entry [ CommandLine(InvalidRunAs("VALUE", "REASON")) ] "`--runas` is root or not a numeric uid"
      entry
          [ CommandLine(MissingTlsFlags([ "--key" ], [ "--cert" ])) ]
          "`--cert` without `--key` (or the reverse), or `--cert`/`--key` without `--ca`"
      entry [ CommandLine MissingOutputDirectory ] "no `--output-directory`"
      entry
          [ CommandLine(InvalidLabel("TEXT", "REASON")) ]
          "a `--lookup` that is not `key=value` (no `=`, empty key or value, bad characters)"
      entry [ CommandLine(InvalidMac("mac", "VALUE")) ] "a `mac` label that is not a MAC address"
      entry [ CommandLine(ConflictingLabel("KEY", "FIRST", "SECOND")) ] "a label given twice with different values"
      entry
          [ CommandLine(InvalidDuration("--timeout", "VALUE")) ]
          "a timeout (flag or `LIBXL_BOOTLOADER_TIMEOUT`) that is not whole seconds, or more than 2147483 s (names the maximum)"
      entry [ CommandLine(InvalidSize("--cache-size", "VALUE")) ] "a size that is not bytes or K/M/G"
      entry
          [ CommandLine(ConfigRejected("FILE", 1, "REASON"))
            CommandLine(ConfigRejected("XENMATCHBOX_VARIABLE", 0, "REASON")) ]
          "the configuration file or a `XENMATCHBOX_*` variable: an unknown or repeated key, a flag that cannot be set there, a switch that is not true or false (names the variable, or the file's line)"
      entry
          [ CommandLine(ConfigUnreadable("FILE", "DETAIL")) ]
          "a named configuration file cannot be read (missing, a directory or not a regular file, not UTF-8, over 64 KiB)"
      entry
          [ CommandLine(InvalidMaxAge("--lookup-max-age", "VALUE", 1, 86400)) ]
          "a `--lookup-max-age` that is not whole seconds from 1 to 86400 (names the flag, variable or config line)"
      entry
          [ CommandLine(UnsafeFile("--ca", "FILE", [ Ownership.Unsafe("DIRECTORY", true, 1000, Some 0o775) ])) ]
          "run as root, a file root would read (the configuration file, `--ca`, `--cert`, `--key`, `--web-ca`, a `--lookup-key` or `--asset-key`) or a directory above it, up to `/`, is owned by another user than root or writable by group or others (`/tmp` too, sticky bit or not); names the file, what is wrong with which entry (owner, mode) and the `chown root`/`chmod go-w` that mends it (see Configuration file and environment)"
      entry
          [ CommandLine(TrustWeakened("--verify-assets", "off", "REASON")) ]
          "the command line (a domU's `bootloader_args`) would weaken a trust setting the host fixed: `--verify-assets=off` where the host requires it, an `--asset-key` or `--lookup-key` the host's file or environment does not name, a longer `--lookup-max-age`, or a `--config` whose file lacks them; names the flag and the host's file and line (or variable)"
      entry
          [ CommandLine(UnknownCommand("WORD", "COMMANDS")) ]
          "`help WORD` names no command; names the commands (`boot`, `show`, `stage`, `check`, `help`, `version`)"
      entry
          [ CommandLine(UnbalancedQuote("ARGUMENT", "UNBALANCED")) ]
          "an argument of `bootloader_args` that holds blanks (libvirt's `<bootloader_args>` is one) has a quote that is never closed or ends in a lone backslash, so it cannot be split into words (see Using it from libvirt)"
      entry [ Lookup(NoMatchingGroup "LABELS") ] "no matchbox group matches the labels"
      entry [ Lookup(NoMatchingProfile "LABELS") ] "a group matches but its profile is missing"
      entry
          [ Lookup(LookupFailed(Endpoint.Grpc "SERVER", LookupStatus.Grpc "STATUS", "DETAIL"))
            Lookup(LookupFailed(Endpoint.Grpc "SERVER", LookupStatus.NoTls, "DETAIL"))
            Lookup(LookupFailed(Endpoint.Ipxe "URL", LookupStatus.Redirect(302, "LOCATION"), "DETAIL")) ]
          "matchbox answered with another gRPC error, ended the TLS handshake with an alert that is not about the client certificate (named), or the port does not speak TLS (gRPC, or HTTPS with `--web-ssl`): says what answered, e.g. an HTTP server's status line; over HTTP, `/ipxe` answered a status other than 200 and 404, or a redirect, which the lookup never follows (names where it pointed, and a downgrade to `http://` under `--web-ssl`)"
      entry
          [ Lookup(ServerUnreachable(Endpoint.Grpc "SERVER", "DETAIL"))
            Lookup(ServerUnreachable(Endpoint.Ipxe "URL", "DETAIL"))
            Lookup(ServerUnreachable(Endpoint.Grpc "SERVER", LookupError.ClosedAfterHandshake)) ]
          "matchbox unreachable (refused, reset, the TLS handshake cut off without a TLS alert, or a close right after it before any HTTP/2 byte: a matchbox restarting, a TLS front whose backend is down), after retries; names gRPC or the HTTP `/ipxe` URL. For that close the fix names the client certificate as one possible cause, since a server that refuses one without an alert closes so too, and matchbox's log as where to look"
      entry
          [ Lookup(ServerNotTrusted(Endpoint.Grpc "SERVER", "DETAIL"))
            Lookup(ServerNotTrusted(Endpoint.Ipxe "URL", "DETAIL")) ]
          "the server certificate is not signed by `--ca` (gRPC), or with `--web-ssl` matchbox's HTTPS certificate is vouched for by neither the system store, `--ca` nor `--web-ca`: names its issuer, the CAs tried and the platform's chain status. Judged first: a certificate from an unknown CA that also names another host is this"
      entry
          [ Lookup(ServerNameMismatch(Endpoint.Grpc "SERVER", "DETAIL")) ]
          "the server certificate (gRPC, or HTTPS with `--web-ssl`) is trusted but does not name `--server`: names the DNS names and IPs it holds and the host asked for. Judged before the dates"
      entry
          [ Lookup(ClientCertificateRefused(Endpoint.Grpc "SERVER", "ALERT")) ]
          "matchbox refused the client certificate with a TLS alert, named as the client read it (matchbox's Go TLS stack sends \"bad certificate\" for another CA, an expired certificate or none); not retried. Without an alert the certificate is not blamed (XMB-204)"
      entry
          [ Lookup(TlsFileUnreadable("FILE", "DETAIL")) ]
          "a TLS file cannot be read, is not a regular file, is over 1 MiB or holds no PEM"
      entry [ Lookup(TlsKeyMismatch("CERT", "KEY", "DETAIL")) ] "the client certificate and key do not belong together"
      entry
          [ Lookup(ServerTimedOut(Endpoint.Grpc "SERVER", "WHAT"))
            Lookup(ServerTimedOut(Endpoint.Ipxe "URL", "WHAT")) ]
          "matchbox did not answer in time (connect or response timeout)"
      entry
          [ Lookup(IpxeScriptRejected("URL", 1, "REASON")) ]
          "the `/ipxe` answer is not matchbox's script: no `#!ipxe`, no kernel line, not ending in `boot`, a line too long or too many, a byte that is not UTF-8 (names the line)"
      entry
          [ Lookup(DomainLabelUnavailable([ "uuid" ], "DETAIL")) ]
          "the domain's uuid or name is needed but xenstore cannot be read (not dom0, no `xenstore-read`, a run by hand); the fix names each label to give with `--lookup`"
      entry
          [ Lookup(NoServerAnswered [ "SERVER", "XMB-204", "DETAIL" ]) ]
          "several `--server` hosts and none answered (each unreachable, timed out or 5xx/Unavailable, after retries): one line naming each server with its own code and detail"
      entry
          [ Lookup(ServerCertificateOutOfDate(Endpoint.Grpc "SERVER", "DETAIL")) ]
          "the server certificate (gRPC, or HTTPS with `--web-ssl`) is trusted and names `--server` but is outside its validity dates, or a CA certificate of its chain is: names the dates and dom0's clock (renew it, or set the clock right)"
      entry [ Plan(ProfileWithoutKernel "PROFILE") ] "the profile has no kernel"
      entry
          [ Plan(InvalidAssetReference("PROFILE", "REFERENCE", "REASON")) ]
          "an asset reference that is not http(s) or a server path"
      entry [ Plan(UnknownVariable("VARIABLE", [ "mac" ])) ] "a variable without a label"
      entry [ Plan(TemplateCode "TEXT") ] "template code in `{{ }}`"
      entry [ Plan(MalformedVariable("TEXT", "REASON")) ] "a malformed variable"
      entry [ Plan(VariableNotMac("VARIABLE", "VALUE")) ] "a MAC format on a value that is not a MAC"
      entry
          [ Plan(ArgsTooLong(2048, 1023)) ]
          "a command line over 1023 bytes (the profile's args and the domU config's `extra`/`cmdline`)"
      entry
          [ Plan(ArgsControlCharacter("SOURCE", "CHARACTER")) ]
          "a control character (NUL, newline, …) in the profile's args or libxl's `--args`; over HTTP also a line of the `/ipxe` script that such an arg wrote (names the line)"
      entry
          [ Plan(ProfileArgsTooLarge(2048, 65536)) ]
          "a profile with more than 1024 args or 64 KiB of them, counted as words between spaces (over gRPC or HTTP alike)"
      entry [ Download(AssetStatus("URL", 404)) ] "an HTTP status other than 200"
      entry [ Download(AssetUnreachable("URL", "DETAIL")) ] "the asset server unreachable, after retries"
      entry [ Download(AssetTruncated("URL", 2048L, 1024L)) ] "a body shorter than its Content-Length, after retries"
      entry [ Download(AssetWriteFailed("FILE", "DETAIL")) ] "a file cannot be written (read-only directory, …)"
      entry [ Download(AssetTooLarge("URL", "kernel", 2048L, 1024L)) ] "the kernel or ramdisk over its size cap"
      entry [ Download(TooManyRedirects("URL", 5)) ] "more than 5 redirects"
      entry [ Download(RedirectRefused("URL", "LOCATION", "REASON")) ] "a redirect to anything but http:// or https://"
      entry [ Download(DiskFull("FILE", "DETAIL")) ] "the disk is full (known before writing, or hit while writing)"
      entry [ Download(AssetTimedOut("URL", "WHAT")) ] "the asset server did not answer or went silent mid-body"
      entry
          [ Download(AssetNotTrusted("URL", "DETAIL")) ]
          "an https:// asset server whose certificate neither the system store, `--ca` nor `--web-ca` vouches for (names its issuer and the CAs tried), or which is outside its validity dates (names them and dom0's clock); not retried"
      entry
          [ Download(AssetEmpty("URL", "kernel")) ]
          "an empty asset: a kernel, a ramdisk or one initrd of several that is 0 bytes (downloaded, from the cache, or declared to a dry run)"
      entry
          [ Download(AssetNameMismatch("URL", "DETAIL")) ]
          "an https:// asset server whose trusted certificate names another host: names the DNS names and IPs it holds (not retried)"
      entry
          [ Download(AssetAnswerInvalid("URL", "DETAIL")) ]
          "an asset server's answer that is not sound HTTP: another protocol, headers over the limit, conflicting Content-Length headers, or an https:// URL answered without TLS (says what answered, e.g. an HTTP server's status line); not retried"
      entry
          [ Download(RedirectDowngrade("URL", "LOCATION")) ]
          "under `--web-ssl`, an `https://` asset (or its `.sig`) redirected to plain `http://`: names both URLs (not retried)"
      entry
          [ Output(ValueContainsDelimiter("args", "simple0", "NUL")) ]
          "a value holds the output format's separator (from the profile, the domU config's `extra`/`cmdline`, or libxl's `--output-directory`)"
      entry [ Output(ItemTooLong("args", 8192, 8191)) ] "an item of 8191 bytes or more"
      entry
          [ Output(OutputFileMissing "FILE") ]
          "the output file does not exist (libxl creates it; it is never created here)"
      entry [ Output(OutputDirectoryMissing "DIRECTORY") ] "the output directory does not exist"
      entry
          [ Output(OutputWriteFailed("FILE", "DETAIL")) ]
          "the result cannot be written (the output file is a symbolic link, a write fails)"
      entry
          [ Output(StanzaValueInvalid("cmdline", "REASON")) ]
          "a value cannot be written into an xl config stanza (a control character)"
      entry [ Run(DeadlineExceeded 110) ] "the deadline passed"
      entry [ Run(Interrupted "SIGTERM") ] "stopped by a signal"
      entry [ Run(PrivilegeDropFailed(1000, "DETAIL")) ] "the privilege drop failed"
      entry
          [ Trust(KeyFileUnreadable("--lookup-key", "FILE", "DETAIL")) ]
          "a `--lookup-key` or `--asset-key` file cannot be read (missing, not a regular file, over 1 MiB)"
      entry
          [ Trust(KeyFileRejected("--lookup-key", "FILE", "DETAIL")) ]
          "a key file holds no OpenPGP public key (a secret key, a PEM file, text)"
      entry
          [ Trust(SignatureMissing(Signed.Lookup "URL", "URL.sig", 404))
            Trust(SignatureMissing(Signed.Asset("kernel", "URL"), "URL.sig", 404)) ]
          "the signature is missing: `/ipxe.sig` or the asset's `URL.sig` answered 404 (or another status), so the unsigned bytes are not used"
      entry
          [ Trust(SignatureUnreadable(Signed.Lookup "URL", "URL.sig", "DETAIL"))
            Trust(SignatureUnreadable(Signed.Asset("kernel", "URL"), "URL.sig", "DETAIL")) ]
          "what the signature URL served is not one detached OpenPGP signature over a document (HTML, broken armour, another type, over 64 KiB)"
      entry
          [ Trust(UnknownKey(Signed.Lookup "URL", "KEYID", "--lookup-key")) ]
          "signed by a key no `--lookup-key` / `--asset-key` file holds (names the key id)"
      entry
          [ Trust(BadSignature(Signed.Lookup "URL", "SIGNER")) ]
          "the bytes do not match the signature: changed after signing, in transit or on the server"
      entry [ Trust(KeyExpired(Signed.Lookup "URL", "SIGNER", "DATE")) ] "the signing key has expired"
      entry
          [ Trust(KeyRevoked(Signed.Lookup "URL", "SIGNER")) ]
          "the signing key (or its primary key) is revoked in the key file"
      entry
          [ Trust(SignatureOutOfDate(Signed.Lookup "URL", "SIGNER", "DETAIL"))
            Trust(SignatureOutOfDate(Signed.Asset("kernel", "URL"), "SIGNER", "DETAIL")) ]
          "the signature has expired, is older than its key, or is dated after dom0's clock (5 minutes' leeway)"
      entry
          [ Trust(KeyUncertified(Signed.Lookup "URL", "SIGNER", "WHY")) ]
          "signed by a key the key files hold without a valid certification: no valid self-signature, a subkey without a valid binding by its primary (or, to sign, without a valid back-signature), e.g. a subkey someone appended"
      entry
          [ Trust(KeyCannotSign(Signed.Lookup "URL", "SIGNER")) ]
          "signed by a key whose flags do not allow signing (a certify-only or encryption key or subkey)"
      entry
          [ Trust(SignatureTooOld(Signed.Lookup "URL", "SIGNER", "DATE", 3600L, 300)) ]
          "the `/ipxe` signature was made more than `--lookup-max-age` (and the same 5 minutes' leeway) before dom0's clock: an old answer replayed, or the clocks disagree (names the age and the limit)"
      entry [ Unexpected "DETAIL" ] "anything unforeseen (a bug: please report it)" ]

let exitStatuses =
    entries
    |> List.groupBy _.Status
    |> List.sortBy fst
    |> List.map (fun (status, group) ->
        let codes = group |> List.map _.Code
        let range =
            match codes with
            | [ one ] -> one
            | first :: _ -> $"{first} to {List.last codes}"
            | [] -> ""
        status, $"{range}: {(List.head group).Stage}")

let markdownTable =
    "| exit | code | what failed |\n|---|---|---|\n"
    + (entries |> List.map (fun entry -> $"| {entry.Status} | {entry.Code} | {entry.Failed} |\n") |> String.concat "")
