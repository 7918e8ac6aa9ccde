/// The bounds a boot runs within: sizes, time and the profile's args. A bootloader runs as root
/// in dom0 and reads what a network server sends, so nothing it takes in is unbounded.
module internal XenMatchbox.Domain.Limits

open XenMatchbox.Domain.Errors

/// Default cap on the kernel file: 128 MiB.
[<Literal>]
val DefaultMaxKernelBytes: int64 = 134217728L

/// Default cap on the ramdisk (all initrds together): 1 GiB, what Xen's domain builder accepts.
[<Literal>]
val DefaultMaxRamdiskBytes: int64 = 1073741824L

/// The whole boot's default deadline, inside libxl's 120 s kill in restricted mode.
[<Literal>]
val DefaultDeadlineSeconds: int = 110

/// How far under LIBXL_BOOTLOADER_TIMEOUT the deadline stays, to fail cleanly before libxl kills.
[<Literal>]
val LibxlMarginSeconds: int = 10

/// Default time to establish a TCP connection, TLS included.
[<Literal>]
val DefaultConnectSeconds: int = 10

/// Default time to wait for the first or the next bytes of any answer.
[<Literal>]
val DefaultReadSeconds: int = 30

/// The most args a profile may have before expansion, counted as words between spaces
/// (Profile.argWords), so that gRPC and /ipxe count alike.
[<Literal>]
val MaxProfileArgs: int = 1024

/// The most bytes all of a profile's args together may have before expansion (the words' bytes,
/// without the spaces between them).
[<Literal>]
val MaxProfileArgsBytes: int = 65536

/// The most bytes of one gRPC answer held in memory: a hostile server cannot make us hold more.
[<Literal>]
val MaxGrpcAnswerBytes: int = 1048576

/// The most bytes of an error answer's body read, for the first line an error message shows.
[<Literal>]
val MaxErrorBodyBytes: int = 4096

/// The most bytes of a TLS file (--ca, --cert, --key) read: PEM files are a few KiB, and a wrong
/// path such as /dev/zero must fail at once.
[<Literal>]
val MaxTlsFileBytes: int = 1048576

/// The most bytes of matchbox's / answer check reads: it answers "matchbox" and a newline, so a
/// few KiB are more than enough to tell it from another server.
[<Literal>]
val MaxRootAnswerBytes: int = 4096

/// The most bytes a cache's metadata or recent file is read with (1 MiB; a 4 GiB entry's metadata
/// is about 70 KiB): a larger one is no file the cache wrote, so no entry and no guess.
[<Literal>]
val MaxCacheFileBytes: int = 1048576

/// The most of a connection's first bytes kept for TlsFailure, to tell an answer that is not TLS
/// by its first line (TlsFailure.answered shows at most 60 characters of it).
[<Literal>]
val FirstBytesKept: int = 64

/// How long a run waits for the root janitor to finish its work when it ends, before leaving it
/// to finish alone.
[<Literal>]
val JanitorWaitSeconds: int = 5

/// How long a killed helper (xenstore-read) is waited for, to be reaped.
[<Literal>]
val ReapWaitSeconds: int = 1

/// The nice level of the threads that hash a verified cache entry ahead of the plan: below the
/// boot's own work, which they must not slow down.
[<Literal>]
val AheadHashingNice: int = 10

/// How often, at most, the progress lines are redrawn on a terminal.
[<Literal>]
val ProgressRedrawsPerSecond: int = 10

/// Default --lookup-max-age: a signed /ipxe answer is taken up to 5 minutes after matchbox signed
/// it (Trust.ClockSkewSeconds more, for clocks that drift). matchbox signs each answer as it renders
/// it, so an honest answer is seconds old.
[<Literal>]
val DefaultLookupMaxAgeSeconds: int = 300

/// The least --lookup-max-age: 1 s. There is no 0 that turns the check off.
[<Literal>]
val MinLookupMaxAgeSeconds: int = 1

/// The most --lookup-max-age: a day. An answer signed longer ago is a replay whatever the clocks
/// say, and the place to mend clocks that far apart is NTP, not this flag.
[<Literal>]
val MaxLookupMaxAgeSeconds: int = 86400

/// Parses --lookup-max-age: whole seconds from MinLookupMaxAgeSeconds to MaxLookupMaxAgeSeconds;
/// anything else is InvalidMaxAge naming the source (the flag, its variable or its config line).
val parseMaxAge: source: string -> text: string -> Result<int, BootError>

/// Parses a size: bytes, or a number with K, M or G (powers of 1024, an optional trailing "iB"
/// or "B"). Zero is not a size.
val parseSize: flag: string -> text: string -> Result<int64, BootError>

/// The most seconds any timeout may be: the runtime's timers hold at most int.MaxValue
/// milliseconds (2147483 s, about 24.8 days). A lookup's answer time, --connect-timeout plus
/// --read-timeout, must fit too.
[<Literal>]
val MaxTimeoutSeconds: int = 2147483

/// Parses whole seconds from 0 to MaxTimeoutSeconds; 0 means "no limit" (None). Anything else
/// (more, however many digits, or not a number) is InvalidDuration naming the source.
val parseSeconds: source: string -> text: string -> Result<int option, BootError>

/// Checks that a lookup's answer time, connect plus read seconds, fits MaxTimeoutSeconds; if not,
/// InvalidDuration names both sources ("--connect-timeout plus --read-timeout") and the sum.
/// Returns readSeconds.
val checkAnswerTime:
    connectSource: string -> connectSeconds: int -> readSource: string -> readSeconds: int -> Result<int, BootError>

/// The time one try at one server may take (a lookup's; Failover.tryTime gives it, cut to the
/// try's share of the time left before the deadline).
type TryTime =
    {
        /// To connect, TLS included: --connect-timeout, or the share when that is less.
        ConnectMilliseconds: int
        /// For the whole answer, connecting included: --connect-timeout plus --read-timeout, or the
        /// share when that is less.
        AnswerMilliseconds: int
        /// The try's share of the time left before the deadline; None when there is no deadline.
        ShareMilliseconds: int option
    }

/// The time of a try bounded by connectSeconds (--connect-timeout) and readSeconds
/// (--read-timeout) and, when given, by its share of the time left: each bound is the lesser, and
/// at least 1 ms.
val tryTime: connectSeconds: int -> readSeconds: int -> shareMilliseconds: int64 option -> TryTime

/// The time of one request to an asset server (a GET, a HEAD, a .sig, check's probe): connecting
/// within connectSeconds (--connect-timeout), and the answer's headers within readSeconds
/// (--read-timeout) of sending it, connecting included; no share, since an asset request is no
/// lookup's try (the run's deadline ends it).
val requestTime: connectSeconds: int -> readSeconds: int -> TryTime

/// One of the try's bounds (its ConnectMilliseconds or AnswerMilliseconds) as a message says it:
/// "10 s", "2.5 s", "400 ms", and when the share set it, "18.3 s, this server's share of the time left before
/// the deadline".
val within: time: TryTime -> milliseconds: int -> string

/// The boot's deadline in seconds (None: none), from --timeout (named in errors as timeoutSource:
/// the flag, its variable or its config line) and libxl's LIBXL_BOOTLOADER_TIMEOUT.
/// When the variable is set, the deadline is 10 s before it (0 there means libxl has none) and
/// --timeout can only shorten that; when it is not, --timeout decides, 110 s by default.
val deadline:
    timeoutSource: string -> timeoutFlag: string option -> libxlTimeout: string option -> Result<int option, BootError>
