/// The boot plan: from a matched profile, what to download, where to put it and which command
/// line to hand to libxl. Pure: the shell does the fetching and writing the plan describes.
module XenMatchbox.Domain.Profile

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels

/// The longest PV command line Xen keeps: start_info's 1024-byte buffer, NUL included.
[<Literal>]
val MaxCommandLineBytes: int = 1023

/// A profile as matchbox returned it, not yet checked.
type UnvalidatedProfile =
    {
        /// The profile's id (for an /ipxe lookup, where the script came from); named in errors.
        Id: string
        /// The kernel reference (boot.kernel), as written; see resolveAsset.
        Kernel: string
        /// The initrd references (boot.initrd), in order, as written.
        Initrds: string list
        /// The args (boot.args), in order, their variables not yet expanded.
        Args: string list
    }

/// An absolute http:// or https:// URL to download. It may carry credentials
/// (http://user:password@host/…), which are sent as HTTP Basic authentication, as iPXE does, and
/// never shown or stored: messages, reports and the cache name the URL by Shown.
[<Sealed>]
type AssetUrl =
    /// The absolute URL, credentials included.
    member Value: string
    /// The URL without its credentials: what is requested.
    member Request: string
    /// The URL as messages, reports and the cache name it: credentials replaced by "***@".
    member Shown: string
    /// The user name and password of the URL, unescaped; None when it carries none.
    member Credentials: (string * string) option

/// Where matchbox serves /assets/... over HTTP.
type HttpBase =
    {
        /// matchbox's host name or IP address (an IPv6 address without its brackets).
        Host: string
        /// matchbox's HTTP port.
        Port: int
        /// Whether matchbox serves its HTTP API over TLS (its -web-ssl; --web-ssl here): https:// then.
        Secure: bool
    }

/// A host as a URL writes it: an IPv6 address in brackets, anything else as it is.
val hostForUrl: host: string -> string

/// Turns a profile's kernel or initrd reference into a URL: iPXE options such as "--name main"
/// in front of it are dropped; "/assets/x" and other server paths resolve against the HTTP base;
/// "(http;host:port)/x" (GRUB's form) becomes http://host:port/x; http:// and https:// URLs are
/// taken as they are. Any other scheme is an error.
val resolveAsset: httpBase: HttpBase -> profileId: string -> reference: string -> Result<AssetUrl, BootError>

/// The words of a profile's args: each arg split at its spaces (U+0020), empty pieces dropped. This
/// is what both lookups agree on: matchbox's /ipxe joins args with single spaces, so an arg that
/// holds a space comes back as several and a blank arg (empty, or nothing but spaces) as none.
val argWords: args: string list -> string list

/// The args a profile boots with: its args without the blank ones (empty, or nothing but spaces),
/// in order. A blank arg adds nothing to a kernel command line but spaces, and /ipxe cannot show
/// one, so both lookups drop them and a profile gets the same command line from either.
val bootArgs: args: string list -> string list

/// The checks a profile's args get before expansion, wherever the profile came from (gRPC, or
/// /ipxe through Ipxe.parse), counted on argWords so that both lookups count alike (blank args
/// count for nothing, an arg "a b" for two): at most Limits.MaxProfileArgs words of at most
/// Limits.MaxProfileArgsBytes UTF-8 bytes together (ProfileArgsTooLarge), then no control character
/// (ArgsControlCharacter naming the first arg that holds one, by its position, and the character).
val checkProfileArgs: args: string list -> Result<unit, BootError>

/// What one boot does.
type BootPlan =
    {
        /// The id of the profile the plan is for (UnvalidatedProfile.Id).
        ProfileId: string
        /// Downloaded to KernelPath.
        Kernel: AssetUrl
        /// Concatenated, in this order, into RamdiskPath; empty when the profile has no initrd.
        Initrds: AssetUrl list
        /// Where the kernel goes: "kernel" in the output directory.
        KernelPath: string
        /// Where the ramdisk goes: "ramdisk" in the output directory; None when there is no initrd.
        RamdiskPath: string option
        /// The expanded profile args, then libxl's --args; None when both are empty.
        CommandLine: string option
    }

/// Builds the plan. Local file names are always "kernel" and "ramdisk" in the output directory,
/// never names taken from the server.
val create:
    httpBase: HttpBase ->
    outputDirectory: string ->
    labels: Labels ->
    configArgs: string option ->
    profile: UnvalidatedProfile ->
        Result<BootPlan, BootError>
