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
///   it is an arg, in order;
/// - then zero or more "initrd …" lines, in order. A line that does not end in a space (matchbox
///   v0.7.0 and later, one element per line) names exactly one image, options in front dropped.
///   A line that ends in a space (v0.6.1 and older: every element on one line, each followed by a
///   space) names any number of images, each with its options dropped; "initrd " alone names none;
/// - then "boot" exactly once, as the last line; only blank lines may follow it.
/// Tokens are separated by spaces; runs of spaces count as one. A CR before a line's LF is
/// tolerated (matchbox writes LF only, but a proxy may not), so CRLF scripts read the same.
///
/// Any other line (a blank one before "boot", "chain …", "echo …", an HTML error page), a second
/// kernel line, an initrd line before the kernel, a script without kernel or boot, more than
/// MaxLines lines or a line over MaxLineBytes is IpxeScriptRejected with the line's number and
/// what was wrong with it. Nothing is thrown.
///
/// matchbox joins a profile's args with single spaces, so an arg that itself holds a space comes
/// back as several args (the gRPC lookup returns it whole); for the kernel command line, which
/// joins them with spaces again, that makes no difference unless the arg had runs of spaces. The
/// args are returned as written: ${…} variables are left for Plan.create to expand, and control
/// characters for it to refuse.
val parse: source: string -> script: string -> Result<Plan.UnvalidatedProfile, BootError>

/// What an /ipxe answer with a status other than 200 means. 404 is NoMatchingGroup: matchbox
/// answers 404 when no group matches the labels, and also when the group's profile is missing,
/// which HTTP cannot tell apart. Any other status is LookupFailed with "HTTP nnn" and the first
/// line of the body (control characters shown as '?', cut at 200 characters; "(no body)" when
/// that is blank).
val statusError: endpoint: string -> labels: Labels -> status: int -> body: string -> BootError
