/// The steps of one run as data. The shell reads argv, the environment and files; asks prepare what
/// to do as root; looks the profile up by route; asks create for the run's plan; carries out its
/// work (downloads, or HEAD probes for a dry run); and writes what the plan's ending says. A boot,
/// show and stage differ only in the plans made here.
module internal XenMatchbox.Domain.Boot

open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.CommandLine
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Profile

/// Which file of the boot an asset becomes.
type AssetRole =
    /// The kernel: one URL, to the file named "kernel".
    | Kernel
    /// The ramdisk: the initrds, concatenated in order, to the file named "ramdisk".
    | Ramdisk

/// The role's name in messages and progress lines, and the file name it is written to in the
/// output directory ("kernel", "ramdisk"): never a name taken from the server.
val roleName: AssetRole -> string

/// When the domain's uuid and name are read from xenstore (which needs root).
type IdentityRead =
    /// Before the lookup and before any privilege drop: a --lookup uuid or name asks for them, or
    /// the run is restricted (the dropped uid could not read them later, should the args need them).
    | BeforeLookup
    /// Only if the profile's args turn out to use ${uuid} or ${name} that no label gives.
    | WhenArgsNeedIt

/// How download progress is shown.
type ProgressMode =
    /// --quiet (libxl's restricted mode): nothing but errors.
    | Silent
    /// Standard output is a terminal that the result does not go to: lines redrawn in place.
    | Redrawn
    /// Otherwise: one summary line per asset on standard error.
    | Summaries

/// What the shell does before it sends a byte to the network, in this order, as root.
type Preparation =
    {
        /// Open libxl's --output file now (a boot), so a missing one fails before any lookup.
        OpenResultFile: bool
        /// Create this directory (stage's --dir).
        CreateDirectory: string option
        /// When to read the domain's identity from xenstore.
        Identity: IdentityRead
        /// Restricted mode: the files to create in the output directory while still root (the
        /// dropped uid cannot), then the uid to drop to for good.
        DropTo: (string list * int) option
        /// Whether cached assets may be hard-linked into the output directory: only libxl's own,
        /// whose files libxl reads and unlinks and nothing writes; stage's directory gets copies.
        LinkCachedFiles: bool
        /// The asset cache to use; None for a dry run (nothing is downloaded) or --no-cache.
        Cache: CacheSettings option
        /// Whether this run may store into the cache (not the restricted uid: one domain's
        /// bootloader must never plant a kernel another domain boots).
        CacheWritable: bool
        /// How progress is shown.
        Progress: ProgressMode
        /// The --lookup-key files to read (as root: the dropped uid may not read them); empty when
        /// none is given or the lookup is gRPC's, which mutual TLS already vouches for.
        LookupKeys: string list
        /// The --asset-key files to read; empty unless --verify-assets=required.
        AssetKeys: string list
    }

/// The preparation for the settings; standardOutputIsTerminal is what the shell finds.
val prepare: settings: Settings -> standardOutputIsTerminal: bool -> Preparation

/// How the profile is looked up, and from which of the --server hosts.
type LookupRoute =
    /// matchbox's gRPC Select API over mutual TLS: the host asked, and host:port (an IPv6 host in
    /// brackets).
    | Grpc of host: string * endpoint: string
    /// matchbox's read-only /ipxe endpoint: the host asked, the URL without the query, and the
    /// whole URL with it.
    | Ipxe of host: string * endpoint: string * url: string

/// The route to one host: gRPC with a client certificate, else /ipxe with the labels as its query.
val route: server: ServerSettings -> host: string -> labels: Labels -> LookupRoute

/// The route to each --server host, in the order they are asked.
val routes: server: ServerSettings -> labels: Labels -> LookupRoute list

/// The host the route asks (as --server gave it, an IPv6 address without brackets).
val routeHost: LookupRoute -> string

/// The server as messages name it: "mb:8081" for gRPC, "http://mb:8080/ipxe" for /ipxe.
val routeServer: LookupRoute -> string

/// Where the signature of the route's answer is: /ipxe.sig with the same query (matchbox signs
/// what the same labels render); None for gRPC, which mutual TLS vouches for.
val lookupSignature: route: LookupRoute -> AssetUrl option

/// The route as reports name it, e.g. "gRPC mb:8081" or "HTTP http://mb:8080/ipxe?mac=…".
val describeRoute: LookupRoute -> string

/// The domain label (uuid or name) the profile's args use and no label gives: xenstore must then
/// be read before the args can be expanded. None when the labels suffice.
val missingDomainLabel: labels: Labels -> profile: UnvalidatedProfile -> string option

/// One file a boot or stage fetches.
type Download =
    {
        /// What it becomes.
        Role: AssetRole
        /// The URLs whose bytes, in order, make the file (one for the kernel).
        Urls: AssetUrl list
        /// The absolute path it is written to.
        Target: string
        /// The most bytes it may have, all URLs together (--max-kernel-size, --max-ramdisk-size).
        MaxBytes: int64
    }

/// One asset a dry run asks about: its server is asked for its size (HEAD), and under
/// --verify-assets its signature is judged; nothing is downloaded.
type Probe =
    {
        /// The kernel, or one of the initrds.
        Role: DryRun.Probed
        /// Where a boot would download it from.
        Url: AssetUrl
    }

/// Every URL the downloads fetch, as shown: the entries a boot's hashing ahead may go on with
/// (AheadHashing keeps only those).
val plannedUrls: downloads: Download list -> string list

/// The URLs a verified boot leaves in its labels' recent file (Cache.renderRecent): those of the
/// single-URL downloads, the only ones the cache holds as entries of their own (several initrd
/// URLs are appended into one file, each fetched anew).
val recentUrls: downloads: Download list -> string list

/// What the run does once the profile is known: one case per action, each with all that its
/// executor needs.
type Work =
    /// A boot (xl's bootloader run): download each (kernel and ramdisk side by side), write these
    /// bytes to libxl's output file (or standard output without --output), keep these files.
    | Install of downloads: Download list * result: byte array * keep: string list
    /// stage: download each into --dir, print this xl.cfg stanza to standard output, keep these files.
    | Stage of downloads: Download list * stanza: string * keep: string list
    /// A dry run (show, --not-really): probe each asset, the kernel first, then each initrd in
    /// order; print the report (see report) in this format, then end as its verdict says.
    | Show of probes: Probe list * format: DryRun.ReportFormat

/// The plan of one run, once the profile is known.
type RunPlan =
    {
        /// How the profile was looked up, and the server that answered.
        Route: LookupRoute
        /// The server that answered (as routeServer names it) when several were given, for the
        /// lines that name it; None with one --server.
        AnsweredBy: string option
        /// The labels it was looked up by.
        Labels: Labels
        /// The boot plan: URLs, file paths, the expanded command line.
        BootPlan: BootPlan
        /// The bytes libxl would read (a dry run shows them; a boot writes them).
        Result: byte array
        /// What the run does: a boot, stage or a dry run, with all each needs.
        Work: Work
    }

/// The run's plan from the settings, the route that answered (relative asset paths resolve
/// against its host), the labels the lookup used, the labels the args
/// are expanded with (those plus the domain's own when missingDomainLabel asked for them) and the
/// profile. Every check a boot makes before downloading is made here: the profile, the args, the
/// output format (and for stage the stanza), so nothing is fetched for a run that cannot end well.
val create:
    settings: Settings ->
    route: LookupRoute ->
    labels: Labels ->
    expansion: Labels ->
    profile: UnvalidatedProfile ->
        Result<RunPlan, BootError>

/// The line said once the profile is known: "profile ID matches LABELS", and with several
/// --server hosts " from SERVER", the one that answered.
val foundLine: run: RunPlan -> string

/// The line said after a boot wrote its result: "kernel PATH, ramdisk PATH ready"; None otherwise.
val readyLine: run: RunPlan -> string option

/// A dry run's report by this build, from the plan, the key that signed the lookup answer and how
/// old its signature was (None when unsigned), and what each probe found (its HEAD, and its
/// signature under --verify-assets), in the order of Show's probes.
val report:
    release: Release.Release ->
    settings: Settings ->
    run: RunPlan ->
    lookupSigner: Trust.Signer option ->
    lookupAge: Trust.Age option ->
    found: (Probe * DryRun.Head * DryRun.Vouching) list ->
        DryRun.Report
