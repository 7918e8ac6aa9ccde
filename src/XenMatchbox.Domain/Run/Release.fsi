/// Which build of xenmatchbox this is: the version (Version in Directory.Build.props, the one place
/// it is set) and the git commit it was built from, as --version, show and a boot's first line say.
module XenMatchbox.Domain.Release

/// A build's version and commit.
type Release =
    {
        /// The release version, e.g. "0.1.0".
        Version: string
        /// The git commit the build was made from (a full or abbreviated hex id); None when it was
        /// built without git (from a tarball).
        Commit: string option
    }

/// The release from .NET's informational version, "VERSION" or "VERSION+COMMIT" (what the SDK
/// writes into AssemblyInformationalVersion when the build runs in a git work tree). Anything after
/// the "+" that is not a hex commit id is not taken for one.
val ofInformationalVersion: informational: string -> Release

/// The commit as shown: its first 12 hex digits, or "unknown commit" without one.
val commitShown: release: Release -> string

/// What --version prints, one line: "xenmatchbox 0.1.0 (commit 8642993a1b2c)".
val line: release: Release -> string

/// A boot's first console line (after "xenmatchbox: "): "version 0.1.0 (commit 8642993a1b2c)".
val bootLine: release: Release -> string
