/// A model of how libxl reads a bootloader's simple0 result (parse_bootloader_result, unchanged
/// since Xen 4.2; xen-bootloader-protocol.md §4.4), to check our bytes against the reader that
/// will actually consume them rather than against our own writer.
module LibxlSimple0Reader

open System.Text

/// libxl reads each item into a PATH_MAX*2 buffer, NUL included: items of 8192 bytes or more are
/// skipped with "bootloader output contained overly long item".
[<Literal>]
let BufferBytes = 8192

/// What libxl ends up with, and what it would have warned about.
type Read =
    {
        Kernel: string option
        Ramdisk: string option
        Args: string option
        /// Non-empty items that match no key: "unexpected output from bootloader".
        Unexpected: string list
        /// Items skipped for their length.
        OverlyLong: int
        /// Keys seen more than once (libxl keeps the first kernel/ramdisk mapping; emit each once).
        Repeated: string list
    }

/// C's isspace in the C locale.
let private isCSpace (b: byte) = b = 0x20uy || (b >= 0x09uy && b <= 0x0duy)

/// The value when the item is KEY followed by at least one whitespace character: all whitespace
/// after the key is skipped and the rest, trailing whitespace included, is the value.
let private valueOf (key: string) (item: byte array) =
    let k = Encoding.ASCII.GetBytes key
    if item.Length > k.Length && item.[.. k.Length - 1] = k && isCSpace item.[k.Length] then
        let mutable at = k.Length
        while at < item.Length && isCSpace item.[at] do
            at <- at + 1
        Some(Encoding.UTF8.GetString(item, at, item.Length - at))
    else
        None

/// Items are the bytes between NULs; a last item without its NUL is still read at EOF.
let private items (bytes: byte array) =
    let items = ResizeArray<byte array>()
    let mutable start = 0
    for i in 0 .. bytes.Length - 1 do
        if bytes.[i] = 0uy then
            items.Add bytes.[start .. i - 1]
            start <- i + 1
    if start < bytes.Length then items.Add bytes.[start..]
    List.ofSeq items

let read (bytes: byte array) : Read =
    let empty = { Kernel = None; Ramdisk = None; Args = None; Unexpected = []; OverlyLong = 0; Repeated = [] }
    let take key (current: string option) value read =
        let read = if current.IsSome then { read with Repeated = read.Repeated @ [ key ] } else read
        read, Some value
    items bytes
    |> List.fold
        (fun read item ->
            if item.Length >= BufferBytes then
                { read with OverlyLong = read.OverlyLong + 1 }
            elif item.Length = 0 then
                read
            else
                match valueOf "kernel" item, valueOf "ramdisk" item, valueOf "args" item with
                | Some v, _, _ -> let read, now = take "kernel" read.Kernel v read in { read with Kernel = now }
                | _, Some v, _ -> let read, now = take "ramdisk" read.Ramdisk v read in { read with Ramdisk = now }
                | _, _, Some v -> let read, now = take "args" read.Args v read in { read with Args = now }
                | None, None, None -> { read with Unexpected = read.Unexpected @ [ Encoding.UTF8.GetString item ] })
        empty
