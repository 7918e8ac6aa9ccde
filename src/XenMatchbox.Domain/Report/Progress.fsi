/// The text of the download progress display: one line per asset, rewritten in place while
/// standard output is a terminal (the console `xl create -c` shows), and one plain summary line
/// otherwise. Pure formatting: numbers always in the invariant culture, never the machine's
/// locale, and no input (zero, negative, NaN, infinite, huge) ever shows as NaN, ∞ or a negative.
module internal XenMatchbox.Domain.Progress

/// The width of the name column; longer names widen their line.
[<Literal>]
val NameWidth: int = 8

/// The length of every progress line whose name fits NameWidth (sizes are ByteSize.iec, at most 8
/// characters): successive lines of one download overwrite each other without debris.
[<Literal>]
val LineWidth: int = 60

/// One progress line of LineWidth characters (no carriage return or newline):
/// "kernel     12.0 MiB /   64.0 MiB     187 MiB/s  ETA 0.3 s    ", sizes as ByteSize.iec. The total, the rate and the
/// ETA are blank when unknown: the total when None or negative, the rate when no time has
/// elapsed, the ETA when the total or a non-zero rate is missing or more than the total arrived.
/// The ETA is "N.N s" under a minute, "M:SS" or "H:MM:SS" under 100 hours, ">99 h" beyond.
val line: name: string -> received: int64 -> total: int64 option -> elapsedSeconds: float -> string

/// The line written when a download ends, or when standard output is not a terminal:
/// "kernel 8.0 MiB in 0.05 s (160 MiB/s)", without the rate when no time elapsed and without
/// the time when it is unknown (negative, NaN, infinite); "kernel 8.0 MiB from the cache (not
/// modified)" when the file came from the cache.
val summary: name: string -> bytes: int64 -> elapsedSeconds: float -> fromCache: bool -> string

/// A summary line with the keys that verified the asset's bytes: ", verified (KEYID)" appended
/// (Trust.verifiedNote); the line as it is when nothing was verified.
val verified: summary: string -> signers: Trust.Signer list -> string
