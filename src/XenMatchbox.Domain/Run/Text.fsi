/// Small rules for text the Domain quotes back to an operator, and for results of many items.
module internal XenMatchbox.Domain.Text

/// The text with every control character as '?', so a quoted value never moves the terminal's
/// cursor or breaks a one-line message.
val printable: text: string -> string

/// The text as a message quotes it: printable, and cut to maxChars with "…" when longer.
val shown: maxChars: int -> text: string -> string

/// Applies f to each item in order; the first error, or all the results in order.
val traverse: f: ('a -> Result<'b, 'e>) -> items: 'a list -> Result<'b list, 'e>
