/// The configuration file's policy: which file is the default, how large and in which encoding a
/// file may be, and what a failed read means. The shell only reads the bytes and says how the read
/// went; everything an operator is told about the file is decided here.
module internal XenMatchbox.Domain.ConfigFile

open XenMatchbox.Domain.Errors

/// The configuration file read when neither --config nor XENMATCHBOX_CONFIG names another.
[<Literal>]
val DefaultPath: string = "/etc/xen/xenmatchbox.conf"

/// The environment variable that names the configuration file when --config does not.
[<Literal>]
val Variable: string = "XENMATCHBOX_CONFIG"

/// The most bytes a configuration file may hold (64 KiB): it is a few lines, and a wrong path such
/// as /dev/zero must fail at once instead of filling memory.
[<Literal>]
val MaxBytes: int = 65536

/// How the shell's attempt to read the file went.
type ReadOutcome =
    /// The file's bytes, at most MaxBytes of them.
    | Bytes of bytes: byte array
    /// There is no such file.
    | NoSuchFile
    /// A directory on the path does not exist.
    | NoSuchDirectory
    /// The file may not be read.
    | PermissionDenied
    /// The file holds more than MaxBytes bytes.
    | TooLarge
    /// Any other failure, in the operating system's (or the shell's) words.
    | Failed of message: string

/// The file's path and text to parse, from how its read went: None when the default file does not
/// exist (it may not); ConfigUnreadable when a named file is missing, the file cannot be read, is
/// larger than MaxBytes or is not UTF-8.
val contents: path: string -> named: bool -> outcome: ReadOutcome -> Result<(string * string) option, BootError>
