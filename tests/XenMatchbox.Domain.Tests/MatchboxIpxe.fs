/// matchbox's /ipxe rendering, written test-side from matchbox-api.md §4.2 (independently of the
/// Domain's parser): what HTTP-only mode reads, for any profile, hostile ones included.
module MatchboxIpxe

/// A profile's boot settings as matchbox stores them: strings inserted into the script verbatim.
type Boot = { Kernel: string; Initrds: string list; Args: string list }

/// The two bodies matchbox has written for /ipxe.
type Style =
    /// v0.7.0 and later: one "initrd X" line per element.
    | PerLine
    /// v0.6.1 and older: one "initrd " line with "X " per element (so "initrd " alone for none).
    | LegacyOneLine

/// The script exactly as matchbox renders it: LF line ends; " ARG" per arg on the kernel line,
/// verbatim (a newline in an arg goes into the script as it is); the initrd lines of the style;
/// "boot".
let render (style: Style) (boot: Boot) =
    let kernel = "kernel " + boot.Kernel + String.concat "" [ for arg in boot.Args -> " " + arg ]
    let initrds =
        match style with
        | PerLine -> [ for initrd in boot.Initrds -> "initrd " + initrd ]
        | LegacyOneLine -> [ "initrd " + String.concat "" [ for initrd in boot.Initrds -> initrd + " " ] ]
    String.concat "" [ for line in [ "#!ipxe"; kernel ] @ initrds @ [ "boot" ] -> line + "\n" ]
