namespace XenMatchbox.Domain

type OutputError =
    | ValueContainsDelimiter of key: string * format: string * delimiter: string
    | ItemTooLong of key: string * bytes: int * limit: int
    | OutputFileMissing of path: string
    | OutputDirectoryMissing of path: string
    | OutputWriteFailed of path: string * detail: string
    | StanzaValueInvalid of key: string * reason: string

module OutputError =

    let explain error =
        match error with
        | ValueContainsDelimiter(key, format, delimiter) ->
            { Code = "XMB-501"
              Cause = $"the {key} value contains {delimiter}, the item separator of the {format} format"
              Fix =
                match key with
                | "kernel"
                | "ramdisk" ->
                    "the path comes from libxl's --output-directory (under XEN_LIB_DIR, usually /var/lib/xen): give xl a XEN_LIB_DIR without that character, or pass another --output-directory when running by hand"
                | _ ->
                    "remove that character from the profile's args or from the domU config's extra=/cmdline= (libxl's --args)" }
        | ItemTooLong(key, bytes, limit) ->
            { Code = "XMB-502"
              Cause =
                $"the {key} item is {bytes} bytes; libxl reads items into an 8192-byte buffer and silently drops long ones, so items stay under {limit} bytes"
              Fix = "shorten the value" }
        | OutputFileMissing path ->
            { Code = "XMB-503"
              Cause = $"the output file {path} does not exist"
              Fix =
                "libxl creates the output file before running the bootloader; when running by hand, create it first or omit --output" }
        | OutputDirectoryMissing path ->
            { Code = "XMB-504"
              Cause = $"the output directory {path} does not exist or is not a directory"
              Fix = "create the directory, or pass the one libxl created" }
        | OutputWriteFailed(path, detail) ->
            { Code = "XMB-505"
              Cause = $"cannot write the result to {path}: {detail}"
              Fix = "check free space and permissions" }
        | StanzaValueInvalid(key, reason) ->
            { Code = "XMB-506"
              Cause = $"the {key} value cannot be written into an xl config: {reason}"
              Fix =
                "remove that character from the profile's args (or from the --dir path), and give --dir as an absolute path" }
