/// The command line: what libxl passes (its fixed flags, then the operator's bootloader_args,
/// then the boot disk), or the show and stage commands an operator runs by hand; completed from
/// XENMATCHBOX_* environment variables and the configuration file, and validated into settings.
module XenMatchbox.Domain.CommandLine

open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output

/// The configuration file read when neither --config nor XENMATCHBOX_CONFIG names another.
[<Literal>]
val DefaultConfigFile: string = "/etc/xen/xenmatchbox.conf"

/// The gRPC client certificate and its key.
type ClientCertificate = { CertFile: string; KeyFile: string }

/// matchbox's endpoints and the TLS files.
type ServerSettings =
    { Host: string
      HttpPort: int
      GrpcPort: int
      /// PEM CA of matchbox's server certificate: the only CA trusted for gRPC, and trusted besides
      /// the system store for https:// assets. Required for gRPC; optional in HTTP-only mode.
      CaFile: string option
      /// Present: look the profile up over gRPC (mutual TLS). None (no --cert/--key, or
      /// --http-only): look it up from matchbox's read-only /ipxe endpoint.
      Client: ClientCertificate option }

/// How long and how large a boot may get.
type BootLimits =
    { /// The whole boot's deadline in seconds; None for none.
      DeadlineSeconds: int option
      ConnectSeconds: int
      ReadSeconds: int
      MaxKernelBytes: int64
      MaxRamdiskBytes: int64 }

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
    { Action: Action
      Server: ServerSettings
      /// The --lookup labels, and the keys (uuid, name) to read from xenstore.
      Lookup: Lookup
      /// libxl's --args (the config's cmdline/extra), appended to the profile's args.
      ConfigArgs: string option
      /// libxl's restricted mode: the uid to drop to once the files are open and the keys read.
      RunAs: int option
      Quiet: bool
      Limits: BootLimits
      /// The shared asset cache; None under --no-cache.
      Cache: CacheSettings option
      /// The file libxl pre-created; None writes the result to standard output.
      Output: string option
      OutputFormat: OutputFormat
      /// Where the kernel and ramdisk go: libxl's --output-directory, or stage's --dir.
      OutputDirectory: string
      /// The boot disk libxl passes last; None for show and stage.
      Disk: string option }

/// What the process was asked to do.
type Invocation =
    | ShowHelp of text: string
    | Run of Settings

/// The process's surroundings that settings may come from, besides argv.
type Context =
    { /// Reads an environment variable: LIBXL_BOOTLOADER_TIMEOUT and the XENMATCHBOX_* ones.
      Environment: string -> string option
      /// The names of the XENMATCHBOX_* variables that are set, so that a misspelt one is an error.
      OwnVariables: string list
      /// The configuration file's path and text, when one was read (see configFile).
      ConfigFile: (string * string) option }

/// The configuration file to read: --config's value, else XENMATCHBOX_CONFIG, else
/// DefaultConfigFile; and whether it was named (a named file must exist, the default may not).
val configFile: environment: (string -> string option) -> argv: string array -> string * bool

/// Parses and validates argv (without the program name) in its context. Precedence per setting:
/// the command line, then the environment (XENMATCHBOX_<FLAG>, upper case, '-' as '_'), then the
/// configuration file ("flag = value" lines, '#' comments). Unknown keys and variables are errors.
val parseIn: context: Context -> argv: string array -> Result<Invocation, BootError>

/// parseIn with no configuration file and no XENMATCHBOX_* variables.
val parse: environment: (string -> string option) -> argv: string array -> Result<Invocation, BootError>
