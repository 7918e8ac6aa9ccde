/// The check command, the operator's doctor, as data: which checks the settings call for (items),
/// each check's verdict line from what the shell found (findings), the certificate expiry rule a
/// boot shares, the report's text and the exit status. The shell only gathers the findings.
module internal XenMatchbox.Domain.Check

open System
open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.CommandLine
open XenMatchbox.Domain.Errors

/// Days before a certificate or key expires from which check warns and a boot says so once.
[<Literal>]
val WarnDays: int = 30

/// What the expiry rule says of a date.
type Expiry =
    /// More than WarnDays days away, or never.
    | Valid
    /// Within WarnDays days: the whole days left (0 on its last day).
    | ExpiresSoon of days: int
    /// Past.
    | Expired

/// The expiry rule: Expired when notAfter is not after now, ExpiresSoon (whole days left) when it
/// is less than WarnDays days away, else Valid.
val expiry: now: DateTimeOffset -> notAfter: DateTimeOffset -> Expiry

/// A certificate read from a TLS file.
type Certificate =
    {
        /// The flag that named the file: "--ca", "--cert" or "--web-ca".
        Flag: string
        /// The file, as given.
        Path: string
        /// The certificate's subject, e.g. "CN=matchbox-client".
        Subject: string
        /// When it expires.
        NotAfter: DateTimeOffset
    }

/// The one warning a boot prints (not under --quiet) before it connects: the certificate that
/// expires first, when it is expired or expires within WarnDays days; None otherwise.
val bootWarning: now: DateTimeOffset -> certificates: Certificate list -> string option

/// One check the settings call for, in the order they run.
type Item =
    /// The command line, the XENMATCHBOX_* variables and the configuration file parsed (the file's
    /// path, when one was read).
    | Configuration of file: string option
    /// The files read as root, each judged by Ownership (only when the run is root's): a failed
    /// line for each that is not root's alone, or one line saying they all are.
    | RootFiles of files: RootFile list
    /// The TLS files (--ca, --cert and --key, --web-ca): readable, PEM, the key matching the
    /// certificate, the client certificate chaining to --ca, each certificate's expiry.
    | TlsFiles
    /// One --lookup-key or --asset-key file, read as OpenPGP public keys.
    | KeyFile of flag: string * path: string
    /// One --server over the lookup's route: for gRPC, TCP, the mutual TLS handshake and an answer.
    | Lookup of route: Boot.LookupRoute
    /// One --server's HTTP API (/assets, /ipxe): TCP, TLS with --web-ssl, and / saying "matchbox".
    | HttpRoot of host: string * url: Profile.AssetUrl
    /// The asset cache's directory: writable, and its free space.
    | CacheDirectory of cache: CacheSettings
    /// The domain's uuid or name from xenstore, which the --lookup labels need.
    | DomainIdentity of keys: string list
    /// --lookup given: a profile matches, and its assets answer HEAD within the caps.
    | Profile of labels: string list

/// The labels a Lookup item asks gRPC for: a label no group is meant to select
/// (xenmatchbox-check=reachability), so that a profile or "no matching group" are both an answer.
val probeLabels: Labels.Labels

/// The checks for the settings: the configuration, the files read as root (when judged), the TLS
/// files when any is given, each key file, each server's lookup route (gRPC only: /ipxe is asked
/// by Profile) and HTTP root, the cache unless --no-cache, xenstore when a bare uuid or name is
/// looked up, the profile with --lookup.
val items: configFile: string option -> rootFiles: RootFile list -> settings: Settings -> Item list

/// What the TLS files hold, once read.
type TlsFound =
    {
        /// Each certificate read: the CAs' and the client's.
        Certificates: Certificate list
        /// Whether the client certificate chains to --ca: None without a client certificate,
        /// Some(Error status) naming why the chain does not build.
        Chain: Result<unit, string> option
    }

/// What stands at the cache directory's path, looked at without writing anything there.
type CacheFound =
    /// The directory exists: whether it can be written (as the user running check asks the
    /// kernel, access(2)), or why not; and the bytes free on its file system, when known.
    | Present of writable: Result<unit, string> * free: int64 option
    /// It does not exist: the nearest directory above it that does, whether that one can be
    /// written (a boot makes the cache there, parents and all), or why not; and its bytes free.
    | Missing of existing: string * writable: Result<unit, string> * free: int64 option
    /// The path, or one above it, is something other than a directory: why.
    | Unusable of why: string

/// What the shell found for one item.
type Finding =
    /// The settings parsed (the check runs only then).
    | Parsed
    /// The TLS files: what they hold, or the error a boot would end with (XMB-208, XMB-209).
    | TlsRead of Result<TlsFound, BootError>
    /// The key file: its keys, or the error a boot would end with (XMB-701, XMB-702).
    | KeysRead of Result<Trust.Key list, BootError>
    /// The lookup route: matchbox answered, or the error a lookup ended with (XMB-201 and XMB-202,
    /// no group or profile for the probe's labels, are answers too).
    | Answered of Result<unit, BootError>
    /// The HTTP root: its body's first line, or the error asking for it ended with.
    | RootSaid of Result<string, BootError>
    /// The cache directory: what stands there (check writes nothing, and makes no directory).
    | CacheProbed of CacheFound
    /// xenstore: the domain's labels (uuid, name), or the error a boot would end with (XMB-212).
    | IdentityRead of Result<(string * string) list, BootError>
    /// The lookup with the --lookup labels: the dry run's report (assets probed with HEAD), or the
    /// error the lookup or plan ended with.
    | ProfileFound of Result<DryRun.Report, BootError>
    /// Not tried, because a check it depends on failed (the reason).
    | NotTried of reason: string

/// How a check ended.
type Verdict =
    /// It passed.
    | Pass
    /// It passed, but needs attention soon (an expiry within WarnDays days).
    | Warn
    /// It failed: a boot would fail, or matchbox would refuse it.
    | Fail
    /// Not tried, because an earlier check failed.
    | Skip

/// One line of the report.
type Line =
    {
        /// The verdict.
        Verdict: Verdict
        /// What was checked, e.g. "--cert /etc/matchbox/client.crt" or "server mb:8081 (gRPC)".
        Subject: string
        /// What was found; for a failure "XMB-nnn: cause — fix" when a boot would fail so, else the
        /// cause and the fix.
        Text: string
    }

/// The lines of one item from what was found (a TLS check gives a line per file, a profile a line
/// for the lookup and one per asset); now judges expiries. Sizes (free space, an asset's, its cap)
/// are in IEC units (ByteSize.iec).
val judge: now: DateTimeOffset -> item: Item -> finding: Finding -> Line list

/// Why an item cannot run after the lines so far: root does not read a TLS or key file whose
/// line failed for Ownership (its subject "--ca PATH" and the like, before the file is read); a
/// gRPC server check needs the TLS files read; the profile lookup needs a server that answered (a
/// Lookup or HttpRoot line that did not fail). None when it can run.
val blocked: earlier: Line list -> item: Item -> string option

/// One line of the report, newline included: "✓ subject: text" (✗ failed, ! warning, - not tried).
val renderLine: verdictLine: Line -> string

/// The report's last line, counting the verdicts: "check: 9 passed, 1 warned, 0 failed, 0 not tried".
val summary: lines: Line list -> string

/// The report: each line (renderLine), then the summary.
val render: lines: Line list -> string

/// The exit status: 0 when nothing failed (warnings included), else Errors.CheckFailedStatus.
val exitStatus: lines: Line list -> int
