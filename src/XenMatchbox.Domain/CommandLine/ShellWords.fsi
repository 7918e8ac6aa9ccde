/// A POSIX shell's word splitting, without any expansion: what libvirt's single <bootloader_args>
/// string needs to become xl's list of arguments. Blanks (space, tab, newline) outside quotes end a
/// word; 'single quotes' keep everything up to the next single quote; "double quotes" keep
/// everything but a backslash before $, `, ", \ or a newline, which escapes it (a backslash and a
/// newline go away); outside quotes a backslash escapes the next character (and with a newline goes
/// away). $, `, *, ?, ~ and # are plain characters: nothing is expanded, substituted or globbed, and
/// there are no comments.
module internal XenMatchbox.Domain.ShellWords

/// Why a text cannot be split: a quote or a backslash that is not closed.
type Unbalanced =
    /// A single quote that opens and is never closed.
    | OpenSingleQuote
    /// A double quote that opens and is never closed.
    | OpenDoubleQuote
    /// A backslash at the very end: it escapes nothing.
    | TrailingBackslash

/// Whether the text holds a blank (space, tab or newline) that may separate words.
val hasBlank: text: string -> bool

/// The words of the text, as a POSIX shell splits it without expanding anything ("" quoted gives
/// an empty word; blanks alone give none).
val split: text: string -> Result<string list, Unbalanced>

/// The word as a POSIX shell reads back one word: as it is when it holds nothing the shell would
/// read otherwise, else in single quotes (a single quote in it as '\''); '' for the empty word.
val quote: word: string -> string
