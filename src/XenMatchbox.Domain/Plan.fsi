/// The boot plan: from a matched profile, what to download, where to put it and which command
/// line to hand to libxl. Pure: the shell does the fetching and writing the plan describes.
module XenMatchbox.Domain.Plan

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels

/// The longest PV command line Xen keeps: start_info's 1024-byte buffer, NUL included.
[<Literal>]
val MaxCommandLineBytes: int = 1023

/// A profile as matchbox returned it, not yet checked.
type UnvalidatedProfile =
    { Id: string
      Kernel: string
      Initrds: string list
      Args: string list }

/// An absolute http:// or https:// URL to download.
[<Sealed>]
type AssetUrl =
    member Value: string

/// Where matchbox serves /assets/... over HTTP.
type HttpBase = { Host: string; Port: int }

/// Turns a profile's kernel or initrd reference into a URL: iPXE options such as "--name main"
/// in front of it are dropped; "/assets/x" and other server paths resolve against the HTTP base;
/// "(http;host:port)/x" (GRUB's form) becomes http://host:port/x; http:// and https:// URLs are
/// taken as they are. Any other scheme is an error.
val resolveAsset: httpBase: HttpBase -> profileId: string -> reference: string -> Result<AssetUrl, BootError>

/// What one boot does.
type BootPlan =
    { ProfileId: string
      /// Downloaded to KernelPath.
      Kernel: AssetUrl
      /// Concatenated, in this order, into RamdiskPath; empty when the profile has no initrd.
      Initrds: AssetUrl list
      KernelPath: string
      RamdiskPath: string option
      /// The expanded profile args, then libxl's --args; None when both are empty.
      CommandLine: string option }

/// Builds the plan. Local file names are always "kernel" and "ramdisk" in the output directory,
/// never names taken from the server.
val create:
    httpBase: HttpBase ->
    outputDirectory: string ->
    labels: Labels ->
    configArgs: string option ->
    profile: UnvalidatedProfile ->
        Result<BootPlan, BootError>
