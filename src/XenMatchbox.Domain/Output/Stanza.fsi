/// The xl.cfg lines `xenmatchbox stage --dir DIR` prints for direct kernel boot (PVH guests, or
/// hosts where bootloader= cannot be used): kernel, ramdisk and cmdline as xl config strings.
///
/// The quoting follows libxlutil's config lexer and its dequoting (libxlu_cfg_l.l, libxlu_cfg.c):
/// a double-quoted string is any bytes but '"', '\' and LF, or '\' followed by any byte but LF;
/// the escapes that read back as one byte are \" \' \\ \a \b \f \n \r \t \v. Its \x and octal
/// escapes never yield a byte (the first is always a parse error, the second drops the digits or
/// fails), any other escape is a parse error, and values are C strings, so NUL cannot be carried.
module XenMatchbox.Domain.Stanza

open XenMatchbox.Domain.Errors

/// What the stanza names.
type StanzaInput =
    {
        /// The kernel's absolute path.
        Kernel: string
        /// The ramdisk's absolute path; None (or empty) for none.
        Ramdisk: string option
        /// The kernel command line; None (or empty) for none.
        Cmdline: string option
    }

/// One value as an xl config string: in double quotes, with '"' written \" and '\' written \\ and
/// every other character as it is (UTF-8; xl's lexer is 8-bit clean). A value holding a control
/// character (U+0000–U+001F, U+007F–U+009F: NUL cannot be carried at all, and none belongs on a
/// kernel command line) or a lone UTF-16 surrogate (no UTF-8 form) is StanzaValueInvalid, naming
/// the key and the character.
val quote: key: string -> value: string -> Result<string, BootError>

/// The stanza: "kernel = \"PATH\"\n", then "ramdisk = \"PATH\"\n" when there is a ramdisk and
/// "cmdline = \"LINE\"\n" when there is a command line; empty values are left out. Paths must be
/// absolute; the first value that is not, or that quote refuses, is the error.
val render: input: StanzaInput -> Result<string, BootError>
