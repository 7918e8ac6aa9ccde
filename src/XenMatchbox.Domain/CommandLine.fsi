/// The command line: what libxl passes (its fixed flags, then the operator's bootloader_args,
/// then the boot disk) parsed into validated settings.
module XenMatchbox.Domain.CommandLine

open XenMatchbox.Domain.Cache
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output

/// matchbox's endpoints and the TLS files for its gRPC API.
type ServerSettings =
    { Host: string
      HttpPort: int
      GrpcPort: int
      CaFile: string
      CertFile: string
      KeyFile: string }

/// How long and how large a boot may get.
type BootLimits =
    { /// The whole boot's deadline in seconds; None for none.
      DeadlineSeconds: int option
      ConnectSeconds: int
      ReadSeconds: int
      MaxKernelBytes: int64
      MaxRamdiskBytes: int64 }

/// A validated command line for one boot.
type Settings =
    { Server: ServerSettings
      Labels: Labels
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
      OutputDirectory: string
      Disk: string }

/// What the process was asked to do.
type Invocation =
    | ShowHelp of text: string
    | Boot of Settings

/// Parses and validates argv (without the program name). The environment is read only for
/// LIBXL_BOOTLOADER_TIMEOUT, which libxl's own process carries and passes on.
val parse: environment: (string -> string option) -> argv: string array -> Result<Invocation, BootError>
