/// The HTTP-only lookup: matchbox's read-only, unauthenticated /ipxe endpoint selects the profile
/// by the labels in its query string and answers with an iPXE script of the profile's boot
/// settings (matchbox-api.md §4.2, §4.5). This module builds that query and reads the script back
/// into a profile; it runs nothing from the script.
module XenMatchbox.Domain.Ipxe

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Labels

/// The most lines a script may have; matchbox writes a handful (header, kernel, initrds, boot).
[<Literal>]
val MaxLines: int = 4096

/// The most UTF-8 bytes one line may have, its line end excluded.
[<Literal>]
val MaxLineBytes: int = 65536

/// The most bytes of an /ipxe answer that are read; a longer one is refused. matchbox's scripts
/// are a few hundred bytes.
[<Literal>]
val MaxAnswerBytes: int = 1048576

/// The query string (without '?') that /ipxe selects by: "key=value" per label, in the labels'
/// order, joined by '&'; keys and values percent-encoded as RFC 3986 data (Uri.EscapeDataString),
/// so a value holding '&', '=', '#' or a space arrives as it was given.
val query: labels: Labels -> string

/// Reads the script matchbox's /ipxe answered with into the profile it renders. source
/// names where the script came from (e.g. "/ipxe?mac=52:54:00:aa:bb:cc"): it becomes the
/// profile's Id, because the script carries none, and it is named in errors.
///
/// The script is read as matchbox writes it, and nothing else is accepted:
/// - line 1 is exactly "#!ipxe";
/// - then "kernel REF ARG…" exactly once: the first token that is not an iPXE image option is the
///   kernel reference; the options before it ("--name X", "-n X", "--name=X", "--timeout X",
///   "-t X", "--timeout=X", "--autofree", "-a", "--replace", "-r") are dropped; every token after
///   it is an arg, in order. The args get Profile.checkProfileArgs, as a profile from gRPC does: over
///   Limits.MaxProfileArgs args or Limits.MaxProfileArgsBytes bytes is ProfileArgsTooLarge, a
///   control character ArgsControlCharacter. This line alone is not held to MaxLineBytes;
/// - then zero or more "initrd …" lines, in order. A line that does not end in a space (matchbox
///   v0.7.0 and later, one element per line) names exactly one image, options in front dropped.
///   A line that ends in a space (v0.6.1 and older: every element on one line, each followed by a
///   space) names any number of images, each with its options dropped, and is the only initrd
///   line; "initrd " alone names none;
/// - then "boot", as the last line; only blank lines may follow it.
/// Tokens are separated by spaces; runs of spaces count as one. When line 1 ends in CR LF (a proxy
/// may convert), one CR before each LF is dropped; in an LF script a CR is part of its line.
///
/// The script is read whole before a line between the kernel line and the final "boot" is judged.
/// matchbox writes args verbatim, so an arg holding a newline writes lines of its own there; when
/// the script is matchbox's frame (header, kernel line, "boot" last), the first line there that
/// matchbox does not write (a blank line, another command, a second kernel line, a malformed initrd
/// line, a "boot" followed by more, a second initrd line beside a v0.6.1 one) is
/// ArgsControlCharacter naming it and a newline: the verdict gRPC gives that profile. Anything else
/// out of shape (no "#!ipxe", no kernel line, a line before the kernel line, no final "boot", more
/// than MaxLines lines, a line other than the kernel line over MaxLineBytes) is IpxeScriptRejected
/// with the line's number and what was wrong with it. Nothing is thrown.
///
/// An arg's newline followed by nothing but well-formed v0.7.0 initrd lines gives the very bytes
/// matchbox writes for the profile with those initrds, and is read as that profile.
///
/// matchbox joins a profile's args with single spaces, so an arg that itself holds a space comes
/// back as several args (the gRPC lookup returns it whole); for the kernel command line, which
/// joins them with spaces again, that makes no difference unless the arg had runs of spaces. The
/// args are returned as written: ${…} variables are left for Profile.create to expand.
val parse: source: string -> script: string -> Result<Profile.UnvalidatedProfile, BootError>

/// Reads an /ipxe answer as received, its bytes: they must be UTF-8, as every script matchbox writes
/// is (its profiles are JSON, and Go's decoder has already replaced any byte that was not), and as
/// a gRPC answer's strings must be. The first byte that is not UTF-8 is IpxeScriptRejected naming
/// its line and the byte, whatever follows; nothing is replaced, since a U+FFFD would reach the
/// guest's command line as something the profile never held. Then parse.
val read: source: string -> answer: byte array -> Result<Profile.UnvalidatedProfile, BootError>

/// Whether an /ipxe answer with this status is matchbox's script: 200 alone (anything else is
/// statusError's).
val isScript: status: int -> bool

/// What an /ipxe answer with a status other than 200 means. 404 is NoMatchingGroup: matchbox
/// answers 404 when no group matches the labels, and also when the group's profile is missing,
/// which HTTP cannot tell apart. A redirect (Transfer.isRedirect) with a Location is never followed:
/// Transfer.lookupRedirect names it. Any other status is LookupFailed at Endpoint.Ipxe endpoint, with
/// LookupStatus.Http status and the first line of the body (control characters shown as '?', cut
/// at 200 characters; "(no body)" when that is blank).
val statusError:
    endpoint: string -> labels: Labels -> status: int -> location: string option -> body: string -> BootError
