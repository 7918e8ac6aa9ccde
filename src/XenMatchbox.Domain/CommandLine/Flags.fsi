/// The flag schema: every flag the program knows, as a union (a misspelt flag does not compile),
/// and one declarative spec per flag: its names, whether it takes a value, where it may be set and
/// its line in --help. Parsing, the environment, the configuration file and --help all read it.
module internal XenMatchbox.Domain.Flags

/// matchbox's default HTTP port, for /ipxe and /assets/...
[<Literal>]
val DefaultHttpPort: int = 8080

/// matchbox's default gRPC port.
[<Literal>]
val DefaultGrpcPort: int = 8081

/// The default --output-format: what libxl asks for.
[<Literal>]
val DefaultOutputFormat: string = "simple0"

/// The prefix of the environment variables that set flags: XENMATCHBOX_CACHE_DIR for --cache-dir.
[<Literal>]
val VariablePrefix: string = "XENMATCHBOX_"

/// The four ways the program is run: by libxl as a bootloader, or by hand as show, stage or check.
type Mode =
    /// libxl's run: its flags, the operator's bootloader_args, then the disk.
    | Bootloader
    /// The show command: what a boot would do.
    | ShowMode
    /// The stage command: download into --dir and print an xl.cfg stanza.
    | StageMode
    /// The check command: the operator's doctor, one verdict line per check of the set-up.
    | CheckMode

/// Where a flag may be set.
type Place =
    /// On the command line, as --flag value or --flag=value.
    | OnCommandLine
    /// As an XENMATCHBOX_<FLAG> environment variable.
    | InEnvironment
    /// As a "flag = value" line of the configuration file.
    | InConfigFile

/// Every flag, one case each (aliases are names of the same case).
type Flag =
    /// --kernel: libxl's, the config's kernel=; not used.
    | Kernel
    /// --ramdisk: libxl's, the config's ramdisk=; not used.
    | Ramdisk
    /// --args: libxl's, the config's cmdline/extra.
    | Args
    /// --runas: libxl's restricted mode, the uid to run as.
    | RunAs
    /// --quiet: libxl's restricted mode, print nothing but errors.
    | Quiet
    /// --output: libxl's pre-created result file.
    | Output
    /// --output-format: libxl's result format.
    | OutputFormat
    /// --output-directory: libxl's directory for the kernel and ramdisk.
    | OutputDirectory
    /// --server: matchbox's host, or several (repeatable, comma-separated).
    | Server
    /// --httpport: matchbox's HTTP port.
    | HttpPort
    /// --grpcport: matchbox's gRPC port.
    | GrpcPort
    /// --ca (--ca-file): the CA of matchbox's server certificate.
    | Ca
    /// --cert (--cert-file): the gRPC client certificate.
    | Cert
    /// --key (--key-file): the client certificate's private key.
    | Key
    /// --http-only: look the profile up from /ipxe even with a client certificate.
    | HttpOnly
    /// --web-ssl: matchbox's HTTP API (/ipxe, /assets/...) over https://.
    | WebSsl
    /// --web-ca: the CA of matchbox's HTTPS certificate, where it is not --ca's.
    | WebCa
    /// --lookup-key: OpenPGP keys that must sign /ipxe in HTTP-only mode (repeatable).
    | LookupKey
    /// --lookup-max-age: how long after matchbox signed it a signed /ipxe answer is still taken.
    | LookupMaxAge
    /// --asset-key: OpenPGP keys that must sign each kernel and initrd (repeatable).
    | AssetKey
    /// --verify-assets: required or off.
    | VerifyAssets
    /// --lookup: a label to select the profile by (repeatable).
    | Lookup
    /// --timeout: the whole boot's deadline.
    | Timeout
    /// --connect-timeout: seconds to connect.
    | ConnectTimeout
    /// --read-timeout: seconds to wait for the next bytes.
    | ReadTimeout
    /// --max-kernel-size: the largest kernel accepted.
    | MaxKernelSize
    /// --max-ramdisk-size: the largest ramdisk accepted.
    | MaxRamdiskSize
    /// --cache-dir: the shared asset cache's directory.
    | CacheDir
    /// --cache-size: the largest the cache may grow.
    | CacheSize
    /// --no-cache: no cache at all.
    | NoCache
    /// --not-really: a boot as a dry run.
    | NotReally
    /// --json: show's report as one JSON object.
    | Json
    /// --config: the configuration file.
    | Config
    /// --dir: stage's directory.
    | Dir
    /// --help (-h): the usage text.
    | Help
    /// --version (-V): the release and the commit it was built from.
    | Version

/// What one flag is.
type FlagSpec =
    {
        /// The canonical name, e.g. "--ca".
        Name: string
        /// Other names of the same flag, e.g. "--ca-file".
        Aliases: string list
        /// The placeholder of its value in --help, e.g. "path"; None for a switch.
        Value: string option
        /// Whether it may be given more than once (--lookup, --server), also on several lines of the
        /// configuration file.
        Repeatable: bool
        /// Whether libxl passes it (listed apart in --help).
        FromLibxl: bool
        /// The modes it belongs to.
        Modes: Mode list
        /// Where it may be set.
        Places: Place list
        /// Its line in --help, without the default and the final full stop.
        Help: string
        /// The default shown in --help, if any.
        Default: string option
        /// Whether it is a trust setting whose value the host (its configuration file and
        /// XENMATCHBOX_* variables) fixes as a floor the command line may only tighten (Floor).
        Floor: bool
    }

/// The spec of a flag: one entry per case, so a new case without its spec does not compile.
val spec: flag: Flag -> FlagSpec

/// Every flag once, in --help's order.
val all: Flag list

/// The canonical name and the aliases.
val names: flag: Flag -> string list

/// The flag a name (canonical or alias, with its dashes) stands for.
val tryFind: name: string -> Flag option

/// Whether the flag may be set in that place.
val settableIn: place: Place -> flag: Flag -> bool

/// The environment variable of a flag: XENMATCHBOX_CACHE_DIR for --cache-dir.
val variable: flag: Flag -> string

/// The configuration-file keys of a flag: its long names without the leading "--" (-h has none).
val keys: flag: Flag -> string list

/// A byte count as --help shows sizes: 128M, 1G, 4G (bytes when not a whole K, M or G).
val showSize: bytes: int64 -> string
