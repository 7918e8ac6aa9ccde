module internal XenMatchbox.Domain.ConfigFile

open System.Text
open XenMatchbox.Domain.Errors

/// A command-line error, as the boot workflow carries it.
let private fail error : Result<'a, BootError> = Error(BootError.CommandLine error)

[<Literal>]
let DefaultPath = "/etc/xen/xenmatchbox.conf"

[<Literal>]
let Variable = "XENMATCHBOX_CONFIG"

[<Literal>]
let MaxBytes = 65536

type ReadOutcome =
    | Bytes of bytes: byte array
    | NoSuchFile
    | NoSuchDirectory
    | PermissionDenied
    | TooLarge
    | Failed of message: string

/// Strict UTF-8 without a byte-order mark of its own: invalid bytes are an error, not U+FFFD.
let private utf8 = UTF8Encoding(false, true)

let contents (path: string) (named: bool) (outcome: ReadOutcome) =
    let unreadable detail = fail (ConfigUnreadable(path, detail))
    match outcome with
    | NoSuchFile
    | NoSuchDirectory when not named -> Ok None
    | NoSuchFile -> unreadable "there is no such file"
    | NoSuchDirectory -> unreadable "a directory on its path does not exist"
    | PermissionDenied -> unreadable "permission denied"
    | TooLarge -> unreadable $"it is larger than {MaxBytes / 1024} KiB; a configuration file is a few lines"
    | Failed message -> unreadable message
    | Bytes bytes ->
        try
            Ok(Some(path, utf8.GetString bytes))
        with :? DecoderFallbackException ->
            unreadable "it is not UTF-8 text"
