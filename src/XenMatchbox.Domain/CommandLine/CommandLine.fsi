/// The command line's entry point and the settings it yields: argv (see Argv), completed from
/// XENMATCHBOX_* environment variables and the configuration file (see Layers), validated into
/// Settings. The flags themselves are Flags.spec; --help is Usage.text.
module internal XenMatchbox.Domain.CommandLine

open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output

/// The configuration file read when neither --config nor XENMATCHBOX_CONFIG names another
/// (ConfigFile.DefaultPath).
val DefaultConfigFile: string

/// The gRPC client certificate and its key.
type ClientCertificate =
    {
        /// PEM client certificate for matchbox's gRPC API (--cert).
        CertFile: string
        /// PEM private key of the client certificate (--key).
        KeyFile: string
    }

/// matchbox's endpoints and the TLS files.
type ServerSettings =
    {
        /// matchbox's host names or IP addresses (--server), in the order a lookup asks them.
        Servers: Servers.ServerList
        /// matchbox's HTTP port, for /ipxe and /assets/... (--httpport, default 8080).
        HttpPort: int
        /// matchbox's gRPC port (--grpcport, default 8081).
        GrpcPort: int
        /// PEM CA of matchbox's server certificate: the only CA trusted for gRPC, and trusted besides
        /// the system store for https:// assets. Required for gRPC; optional in HTTP-only mode.
        CaFile: string option
        /// Present: look the profile up over gRPC (mutual TLS). None (no --cert/--key, or
        /// --http-only): look it up from matchbox's read-only /ipxe endpoint.
        Client: ClientCertificate option
        /// --web-ssl: matchbox's HTTP API (/ipxe, /assets/...) is https://, as its -web-ssl serves it.
        WebSsl: bool
        /// --web-ca: a PEM CA trusted (with the system store and --ca) for matchbox's HTTPS
        /// certificate and https:// assets, where another CA than --ca's signed it.
        WebCaFile: string option
    }

/// How long and how large a boot may get.
type BootLimits =
    {
        /// The whole boot's deadline in seconds; None for none.
        DeadlineSeconds: int option
        /// Seconds to connect to a server, TLS included (--connect-timeout).
        ConnectSeconds: int
        /// Seconds to wait for the next bytes of an answer (--read-timeout).
        ReadSeconds: int
        /// The largest kernel accepted, in bytes (--max-kernel-size).
        MaxKernelBytes: int64
        /// The largest ramdisk accepted, all initrds together, in bytes (--max-ramdisk-size).
        MaxRamdiskBytes: int64
    }

/// Which OpenPGP keys must vouch for what a boot fetches (the Trust section of the README).
type TrustSettings =
    {
        /// --lookup-key files: one of their keys must sign /ipxe (HTTP-only lookups); empty for no check.
        LookupKeys: string list
        /// --lookup-max-age: the most seconds a signed /ipxe answer may be old (Trust.checkAge).
        LookupMaxAgeSeconds: int
        /// --asset-key files: the keys that may sign the kernel and initrds.
        AssetKeys: string list
        /// --verify-assets=required: every kernel and initrd needs URL.sig by an --asset-key.
        VerifyAssets: bool
        /// The trust settings the host fixed (its configuration file and XENMATCHBOX_* variables),
        /// which the command line kept (Floor.check): for show's report.
        HostFloor: Floor.Setting list
    }

/// What to do once the profile is known.
type Action =
    /// Download into the output directory and write the result for libxl (a boot).
    | Install
    /// --not-really, or the show command: ask for the assets' sizes, print what a boot would do and
    /// the result libxl would get; download and write nothing.
    | DryRun
    /// The stage command: download into the directory and print an xl.cfg stanza for direct kernel boot.
    | Stage

/// Validated settings for one run.
type Settings =
    {
        /// What to do once the profile is known: a boot, a dry run or stage.
        Action: Action
        /// matchbox's endpoints and the TLS files.
        Server: ServerSettings
        /// The --lookup labels, and the keys (uuid, name) to read from xenstore.
        Lookup: Lookup
        /// The OpenPGP keys the lookup answer and the assets must be signed by.
        Trust: TrustSettings
        /// libxl's --args (the config's cmdline/extra), appended to the profile's args.
        ConfigArgs: string option
        /// libxl's restricted mode: the uid to drop to once the files are open and the keys read.
        RunAs: int option
        /// --quiet (libxl's restricted mode): print nothing but errors.
        Quiet: bool
        /// The timeouts and size limits.
        Limits: BootLimits
        /// The shared asset cache; None under --no-cache.
        Cache: CacheSettings option
        /// The file libxl pre-created; None writes the result to standard output.
        Output: string option
        /// The format of the result (--output-format, default simple0).
        OutputFormat: OutputFormat
        /// Where the kernel and ramdisk go: libxl's --output-directory, or stage's --dir.
        OutputDirectory: string
        /// How a dry run prints its report: text, or JSON under show --json.
        Report: DryRun.ReportFormat
        /// The boot disk libxl passes last; None for show and stage.
        Disk: string option
    }

/// A file the run reads as root (the configuration file, a TLS file, a key file), judged by
/// Ownership.
type RootFile =
    {
        /// The flag that names such a file: "--config" for the configuration file, "--ca",
        /// "--cert", "--key", "--web-ca", "--lookup-key" or "--asset-key".
        Flag: string
        /// How errors name where it was set: the flag, a variable, a config line, or "the
        /// configuration file" for the default one.
        Setting: string
        /// The file, as given.
        Path: string
        /// Whether root alone can change it and every directory on the way.
        Verdict: Ownership.Verdict
    }

/// What the process was asked to do.
type Invocation =
    /// --help or -h (a command's page after its word), or "help" [COMMAND]: print the text and
    /// do nothing else.
    | ShowHelp of text: string
    /// --version, -V or "version": print Release.line of the running build and do nothing else.
    | ShowVersion
    /// A boot, a dry run or stage, with its validated settings.
    | Run of Settings
    /// The check command, with the settings a dry run of the same flags would have (Action DryRun;
    /// the Lookup empty, Labels.noLookup, without --lookup): check the set-up, boot nothing. And
    /// the files it would read as root, each judged (none when the run is not root's, when no
    /// file is judged), which a boot would refuse but check reports.
    | Check of Settings * rootFiles: RootFile list

/// The process's surroundings that settings may come from, besides argv.
type Context =
    {
        /// Reads an environment variable: LIBXL_BOOTLOADER_TIMEOUT and the XENMATCHBOX_* ones.
        Environment: string -> string option
        /// The names of the XENMATCHBOX_* variables that are set, so that a misspelt one is an error.
        OwnVariables: string list
        /// The configuration file's path and text, when one was read (see configFile).
        ConfigFile: (string * string) option
        /// The host's configuration file's path and text, when the command line's --config names
        /// another file and the host's was read besides (see hostConfigFile): the floor of the
        /// trust settings (Floor).
        HostConfigFile: (string * string) option
        /// Examines paths for Ownership when the run is root's (euid 0): then every file it reads
        /// as root must be root's alone (XMB-118). None when it is not root's: nothing is judged.
        Examiner: Ownership.Examiner option
    }

/// Whether the run needs its context (the environment's XENMATCHBOX_* variables and the
/// configuration file): not for help (--help, -h, "help" [COMMAND]) or the version (--version, -V,
/// "version"), which read nothing else; so the shell reads no file then.
val needsContext: argv: string array -> bool

/// The context of a run that reads none: no configuration file and no XENMATCHBOX_* variables.
val noContext: environment: (string -> string option) -> Context

/// Whether an environment variable is one of the program's own (XENMATCHBOX_*): the shell lists
/// those that are set as Context.OwnVariables.
val isOwnVariable: name: string -> bool

/// The configuration file to read: --config's value, else XENMATCHBOX_CONFIG, else
/// DefaultConfigFile; and whether it was named (a named file must exist, the default may not).
val configFile: environment: (string -> string option) -> argv: string array -> string * bool

/// The host's configuration file (XENMATCHBOX_CONFIG's, else DefaultConfigFile) and whether it
/// was named, when the command line's --config names another: it is read besides, for the trust
/// settings the host fixes (Floor). None when the file read is the host's.
val hostConfigFile: environment: (string -> string option) -> argv: string array -> (string * bool) option

/// Parses and validates argv (without the program name) in its context. First, before any flag:
/// --help or -h anywhere is the help (the page of a command word that comes first, else the whole
/// of it); "help" alone is the whole help, "help COMMAND" that command's page ("boot" for libxl's
/// run), any other word XMB-120 naming the commands; --version, -V or a first word "version" is the
/// version. Precedence per setting:
/// the command line, then the environment (XENMATCHBOX_<FLAG>, upper case, '-' as '_'), then the
/// configuration file ("flag = value" lines, '#' comments). Unknown keys and variables are errors.
/// The trust settings the host sets (its file and the XENMATCHBOX_* variables) are a floor the
/// command line may only tighten (Floor.check, XMB-119).
/// With an examiner (a run as root), the configuration file is judged before its lines are read,
/// and once the settings are known every other file root would read, in the order a boot reads
/// them (--ca, --cert, --key, --web-ca, each --lookup-key, each --asset-key): the first that is not
/// root's alone is XMB-118, except for check, which reports each (Invocation.Check).
val parseIn: context: Context -> argv: string array -> Result<Invocation, BootError>

/// parseIn with no configuration file and no XENMATCHBOX_* variables.
val parse: environment: (string -> string option) -> argv: string array -> Result<Invocation, BootError>
