/// The domain's own identity, which libxl has written to xenstore before it runs the bootloader:
/// its uuid and its name. The domid comes from the output paths libxl passes
/// (bootloader.<domid>.out and bootloader.<domid>.d); the shell reads xenstore with xenstore-read.
module internal XenMatchbox.Domain.Xenstore

open XenMatchbox.Domain.Errors

/// A domain as xenstore knows it.
type DomainIdentity =
    {
        /// The domain's id.
        DomId: int
        /// Lower-case, hyphenated 8-4-4-4-12, as iPXE prints an SMBIOS uuid.
        Uuid: string
        /// The domain's name, as xl knows it.
        Name: string
    }

/// Why the domain's identity is unknown when domid finds none: a run by hand, not by xl (the
/// detail of DomainLabelUnavailable, whose fix then says how to give the labels by hand).
[<Literal>]
val NotUnderXl: string =
    "libxl's output paths (bootloader.<domid>.out) name no domain, so this is a run by hand, not xl's"

/// The domid in libxl's output file name (bootloader.<domid>.out) or, failing that, its output
/// directory name (bootloader.<domid>.d); None when neither names one (a run by hand).
val domid: output: string option -> outputDirectory: string -> int option

/// The xenstore paths to read, in the order parseAnswer expects their values: the domain's vm
/// node (which holds /vm/<uuid>) and its name.
val paths: domid: int -> string list

/// Reads xenstore-read's standard output for paths (one value per line) into the identity.
val parseAnswer: domid: int -> answer: string -> Result<DomainIdentity, BootError>

/// The identity as labels: uuid and name.
val labels: identity: DomainIdentity -> (string * string) list
