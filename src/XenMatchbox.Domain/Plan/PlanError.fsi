namespace XenMatchbox.Domain

/// The matched profile cannot be made a boot plan (its kernel, assets or args): XMB-3xx, exit
/// status 4.
type PlanError =
    /// XMB-301: the matched profile has no boot.kernel; the profile's id.
    | ProfileWithoutKernel of profileId: string
    /// XMB-302: a kernel or initrd reference of the profile cannot be made an http:// or https://
    /// URL; the profile's id, the reference and why.
    | InvalidAssetReference of profileId: string * reference: string * reason: string
    /// XMB-310: the profile's args use a variable that names no label; the variable and the label keys known.
    | UnknownVariable of variable: string * known: string list
    /// XMB-311: the profile's args hold Go template code other than {{ .label }}; the code as written.
    | TemplateCode of text: string
    /// XMB-312: a variable in the profile's args is not well formed (unclosed, no label, unknown
    /// format); its text and why.
    | MalformedVariable of text: string * reason: string
    /// XMB-313: a variable formats its label as a MAC address (:hex, :hexhyp, :hexraw) but the
    /// value is not one; the variable and the value.
    | VariableNotMac of variable: string * value: string
    /// XMB-314: the kernel command line is longer than Xen keeps of a PV guest's; its length in
    /// UTF-8 bytes and the limit (Profile.MaxCommandLineBytes).
    | ArgsTooLong of bytes: int * limit: int
    /// XMB-315: the profile's args or libxl's --args hold a control character; which arg it is in
    /// and the character, named.
    | ArgsControlCharacter of source: string * character: string
    /// XMB-316: the profile's args hold more words (Profile.argWords: split at spaces, blank args
    /// counting for nothing), or bytes of words, than Limits.MaxProfileArgs or
    /// Limits.MaxProfileArgsBytes allow; the count and the bytes.
    | ProfileArgsTooLarge of count: int * bytes: int

/// The code, cause and fix of each profile and plan error.
module PlanError =

    /// The error's code, cause and fix.
    val explain: error: PlanError -> Explanation
