/// What a dry run (--not-really, or the show command) prints: everything a boot would do, with
/// nothing downloaded and nothing written; and whether that boot would fail, from what each asset's
/// server answered to a HEAD request.
module internal XenMatchbox.Domain.DryRun

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels
open XenMatchbox.Domain.Output
open XenMatchbox.Domain.Profile

/// What a HEAD request for one asset found (redirects followed and checked as for a download).
type Head =
    /// The server answered 200 and declared the size (Content-Length) in bytes.
    | Declared of bytes: int64
    /// The server answered 200 but declared no size.
    | Undeclared
    /// The HEAD failed as the boot's GET would: a status other than 200, an unreachable or silent
    /// server, a refused redirect, an untrusted certificate; the error the boot would end with.
    | Failed of error: BootError

/// What the asset's signature (URL.sig) says under --verify-assets=required: the bytes are not
/// checked (nothing is downloaded), the signature and its key are.
type Vouching =
    /// --verify-assets=off: no signature is asked for.
    | Unchecked
    /// The signature names a key of --asset-key that is valid now.
    | Vouched of signer: Trust.Signer
    /// The boot would be refused for this signature: missing, unreadable, an unknown, expired or revoked key.
    | Refused of error: BootError

/// Which asset of the plan a probe asks about: the kernel, or one of the initrds (each of its URLs).
[<RequireQualifiedAccess>]
type Probed =
    | Kernel
    | Initrd

/// The probed asset's name in the report, its JSON and check's lines: "kernel" or "initrd".
val probedName: Probed -> string

/// One asset of the plan, with what its server answered to a HEAD request.
type AssetSize =
    {
        /// What the asset is for.
        Role: Probed
        /// Where the asset would be downloaded from.
        Url: AssetUrl
        /// What the HEAD request found.
        Head: Head
        /// What its signature says.
        Signature: Vouching
    }

/// The findings of a dry run.
type Report =
    {
        /// The build that made the report (its first line).
        Release: Release.Release
        /// How the profile was found, e.g. "gRPC mb:8081" or "HTTP http://mb:8080/ipxe?mac=…".
        LookupVia: string
        /// The key whose signature of the /ipxe answer was verified (--lookup-key); None when unsigned.
        LookupSigner: Trust.Signer option
        /// How old that signature was against --lookup-max-age; None when unsigned.
        LookupAge: Trust.Age option
        /// The labels the profile was looked up by.
        Labels: Labels
        /// The trust settings the host fixed, which the command line may tighten but not weaken
        /// (Floor.fixedBy); empty when it fixed none.
        Floor: Floor.Setting list
        /// The plan a boot would carry out.
        BootPlan: BootPlan
        /// The kernel, then each initrd in order, with what its HEAD found.
        Assets: AssetSize list
        /// The kernel's size cap (--max-kernel-size).
        MaxKernelBytes: int64
        /// The ramdisk's size cap, all initrds together (--max-ramdisk-size).
        MaxRamdiskBytes: int64
        /// The format the output is in.
        Format: OutputFormat
        /// The exact bytes libxl would read.
        Output: byte array
    }

/// Whether the boot would get past its downloads, as far as the HEAD answers tell: the first
/// failure in the order kernel, then each initrd, is the error the boot would end with. A failed
/// HEAD is its error; a declared size of 0 is AssetEmpty (Transfer.checkNotEmpty); a kernel
/// declared over MaxKernelBytes, or an initrd that takes the declared ramdisk total over
/// MaxRamdiskBytes, is AssetTooLarge (Transfer.checkSize), as a boot checks Content-Length; a
/// refused signature is its error. An asset of undeclared size is not held against the boot.
val verdict: report: Report -> Result<unit, BootError>

/// The report as text, one fact per line, the build's version and commit first; sizes in IEC
/// units (ByteSize.iec: "64.0 MiB"); the output bytes are shown with each NUL as "\0". When
/// the verdict is an error, a "verdict:" line after the "download:" line names its code and cause;
/// when the host fixed trust settings, a "floor:" line after the labels names each and where.
val render: report: Report -> string

/// The version of the JSON report's layout, its "format" member: raised when a key is removed or
/// changes its meaning, not when one is added.
[<Literal>]
val JsonFormat: int = 1

/// The report as one JSON object (show --json), the same facts as render, structured, with a
/// final newline; sizes as raw byte counts, for scripts; every key is documented in the README's dry-run section. Strings are as they
/// are (no '?' for control characters): Json.quote escapes them. The output bytes are there
/// twice: as base64 ("base64", exact) and as text ("text", UTF-8 decoded, NUL as \u0000).
val json: report: Report -> string

/// How a dry run's report is printed.
type ReportFormat =
    /// Lines for a reader (render): --not-really, and show.
    | TextReport
    /// One JSON object for scripts (json): show --json.
    | JsonReport

/// The report in the format asked for: render or json.
val print: format: ReportFormat -> report: Report -> string
