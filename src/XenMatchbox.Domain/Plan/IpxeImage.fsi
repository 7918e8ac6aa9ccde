/// iPXE's image options (imgfetch, kernel, initrd: "--name main", "-n main", "--timeout 5",
/// "--autofree", "--replace", …) in front of an image reference, as matchbox profiles and /ipxe
/// scripts write them. One parser for the profile's references and the script's lines.
module internal XenMatchbox.Domain.IpxeImage

/// Splits off one image from tokens: the options in front of it are dropped; the reference and
/// the tokens after it. An option iPXE does not know, a value missing, or no image at all is an
/// error saying so, naming the image as what ("URL", "initrd image").
val take: what: string -> tokens: string list -> Result<string * string list, string>
