/// What libxl reads back from a bootloader: the result in simple0 (what libxl asks for and
/// parses), simple (LF-separated) or sxp (pygrub's legacy S-expression).
module XenMatchbox.Domain.Output

open XenMatchbox.Domain.Errors

/// The --output-format values.
type OutputFormat =
    /// "key value" items, each ended by a NUL byte, then a final NUL: what libxl asks for and parses.
    | Simple0
    /// The same items with LF in place of every NUL.
    | Simple
    /// pygrub's legacy S-expression, "linux (kernel 'PATH')…".
    | Sxp

/// Every format, libxl's first.
val formats: OutputFormat list

/// A format's --output-format value: "simple0", "simple" or "sxp".
val formatName: format: OutputFormat -> string

/// Parses an --output-format value.
val parseFormat: text: string -> Result<OutputFormat, BootError>

/// libxl reads items into an 8192-byte buffer; an item of this many bytes or more (key, space and
/// value) is refused here rather than silently dropped there.
[<Literal>]
val MaxItemBytes: int = 8191

/// The result handed to libxl.
type BootResult =
    {
        /// The path of the downloaded kernel.
        Kernel: string
        /// The path of the downloaded ramdisk; None (or empty) when there is none, and then not written.
        Ramdisk: string option
        /// The kernel command line; None (or empty) when there is none, and then not written.
        Args: string option
    }

/// The exact bytes of the result in the given format:
/// - simple0: "kernel PATH\0" ["ramdisk PATH\0"] ["args LINE\0"] "\0";
/// - simple: the same with LF in place of every NUL;
/// - sxp: "linux (kernel 'PATH')(ramdisk 'PATH')(args 'LINE')" with Python repr() quoting and no
///   trailing newline.
/// A value holding the format's separator, or an item of MaxItemBytes or more, is an error.
val render: format: OutputFormat -> result: BootResult -> Result<byte array, BootError>
