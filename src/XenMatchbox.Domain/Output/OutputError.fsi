namespace XenMatchbox.Domain

/// The result cannot be rendered or written for libxl (or stage's xl.cfg stanza): XMB-5xx, exit
/// status 6.
type OutputError =
    /// XMB-501: a result value holds the output format's item separator (NUL for simple0, newline
    /// for simple); the key, the format and the separator, named.
    | ValueContainsDelimiter of key: string * format: string * delimiter: string
    /// XMB-502: a result item (key, space and value) would be dropped by libxl for its length; the
    /// key, its bytes and the limit (Output.MaxItemBytes).
    | ItemTooLong of key: string * bytes: int * limit: int
    /// XMB-503: the --output file, which libxl creates beforehand, does not exist; its path.
    | OutputFileMissing of path: string
    /// XMB-504: --output-directory does not exist or is not a directory; its path.
    | OutputDirectoryMissing of path: string
    /// XMB-505: the result could not be written, or stage's --dir could not be created; the path and the reason.
    | OutputWriteFailed of path: string * detail: string
    /// XMB-506: a value cannot be written into stage's xl.cfg stanza (a control character, a lone
    /// surrogate, a relative path); the key and why.
    | StanzaValueInvalid of key: string * reason: string

/// The code, cause and fix of each output error.
module OutputError =

    /// The error's code, cause and fix.
    val explain: error: OutputError -> Explanation
