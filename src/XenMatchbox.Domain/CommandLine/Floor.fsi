/// The host's trust settings are a floor: what the host sets for verify-assets, asset-key,
/// lookup-key and lookup-max-age (in its configuration file, or in a XENMATCHBOX_* variable, since
/// xl's environment is the host's), the command line (a domU's bootloader_args) may tighten but
/// never weaken. The rule, on the settings as the layers set them:
///
/// - the host sets verify-assets = required: the run verifies assets;
/// - the host names asset-key files: the run trusts no asset-key file the host does not name (it
///   may name fewer: trusting fewer keys is stricter; with none, nothing is verified unless the
///   host also requires it, which then fails for want of keys);
/// - the host names lookup-key files: the run has its lookups signed by a non-empty part of them;
/// - the host names lookup-key files or sets lookup-max-age: the run takes signed answers no older
///   than the host does (its lookup-max-age, or the default).
///
/// Everything else the command line may set, and where the host sets nothing of these, the command
/// line may set them as it likes. A --config on the command line that names another file than the
/// host's replaces the host's file for every other setting, but not for these: the host's file is
/// still the floor, and the other file's values count as the command line's.
module internal XenMatchbox.Domain.Floor

open XenMatchbox.Domain.Errors

/// One value of a trust setting, and where it was set.
type Setting =
    {
        /// The setting's key in the configuration file, e.g. "verify-assets".
        Key: string
        /// The value, as set.
        Value: string
        /// How errors name the setting where it was set: "--verify-assets",
        /// "XENMATCHBOX_VERIFY_ASSETS" or "verify-assets (/etc/xen/xenmatchbox.conf line 3)".
        Named: string
        /// Where it was set, as a report says it: "the command line", "XENMATCHBOX_VERIFY_ASSETS",
        /// "/etc/xen/xenmatchbox.conf line 3", or "the default".
        Where: string
    }

/// The trust settings some layers set (none defaulted).
type Trust =
    {
        /// --verify-assets, if set.
        VerifyAssets: Setting option
        /// Each --asset-key, in order.
        AssetKeys: Setting list
        /// Each --lookup-key, in order.
        LookupKeys: Setting list
        /// --lookup-max-age, if set.
        LookupMaxAge: Setting option
    }

/// What the host fixed, in the order the rule reads it: verify-assets = required, each asset-key,
/// each lookup-key, and lookup-max-age (the host's, or the default when the host names lookup keys
/// without it). Empty when the host fixed nothing.
val fixedBy: host: Trust -> Setting list

/// Whether the run's settings (effective: the command line over the environment over the file in
/// use) keep the host's floor (host: the environment over the host's own file). replacedBy is the
/// command line's --config, when it names another file than the host's: it is named when the run
/// lacks a setting the host set. The first setting that would weaken the floor is XMB-119
/// (TrustWeakened), naming it and the host's setting; a host's lookup-max-age that is not a valid
/// one is XMB-117. Otherwise what the host fixed (fixedBy).
val check: host: Trust -> effective: Trust -> replacedBy: Setting option -> Result<Setting list, BootError>
