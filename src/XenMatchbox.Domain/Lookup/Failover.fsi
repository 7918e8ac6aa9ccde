/// Failover across several --server hosts: which failure of one server is an answer that ends
/// the lookup and which moves it on to the next, and the order of the tries. Each round asks the
/// servers still in the running in order, once each; a server that could not answer now
/// (refused, reset, 502/503/504, gRPC Unavailable) is asked again in the next round, after
/// Transfer.backoffMilliseconds; one that timed out or failed with another 5xx is not (it would
/// only spend the deadline again); at most Transfer.MaxAttempts rounds. With one server this is
/// the retry rule every request follows. Each try may take --connect-timeout (plus --read-timeout
/// for the answer) but never more than its share of the time left before the deadline (tryTime),
/// so that a hung server cannot use up the deadline before the last one is asked. The shell only
/// carries the steps out.
module internal XenMatchbox.Domain.Failover

open XenMatchbox.Domain.Boot
open XenMatchbox.Domain.CommandLine
open XenMatchbox.Domain.Errors

/// What one server's failed lookup means for the lookup as a whole.
type Verdict =
    /// The server's own answer, which another server would not change or which the operator must
    /// see: no matching group or profile, a 4xx, a gRPC status other than Unavailable, a script
    /// that is not matchbox's, a certificate or TLS file refused, a profile that cannot boot.
    /// The lookup ends with it.
    | Answered
    /// The server could not answer now (Transfer.isTransient): the next server, and this one
    /// again in the next round.
    | TryLater
    /// The server timed out or failed with a 5xx other than 502/503/504: the next server, and not
    /// this one again.
    | NotAgain

/// The verdict on one server's failure.
val judge: error: BootError -> Verdict

/// The tries of a lookup across servers between two of them: the round, the servers still to ask
/// in it, those to ask again in the next, and each server's last failure. (Not the Progress
/// module's lines: nothing here is shown as it goes.)
[<Sealed>]
type Tries

/// One try to make.
type Attempt =
    {
        /// The server to ask, by its route.
        Route: LookupRoute
        /// Milliseconds to wait first: the backoff at the start of a later round, else 0.
        DelayMilliseconds: int
        /// A line to say before the try, with several servers: which server failed and how, and
        /// which is asked now.
        Note: string option
        /// The tries the time left is shared among: this one and those still to make in this round
        /// after it (share).
        Sharers: int
        /// The tries made and still to make, for failed.
        Tries: Tries
    }

/// What to do next.
type Step =
    /// Make this try; on failure, pass it and its error to failed.
    | Ask of Attempt
    /// The lookup has failed with the failed try's own error, as it is: an answer that ends the
    /// lookup, or with one server its last failure. The shell lets that failure go on unchanged.
    | Stop
    /// The lookup has failed with an error of its own: with several servers, NoServerAnswered
    /// (XMB-213) naming each server's last failure; Unexpected when there is no route to try.
    | Fail of BootError

/// The first try: the first route (routes, as Boot.routes gives them, are not empty).
val start: routes: LookupRoute list -> Step

/// The step after the attempt failed with the error.
val failed: attempt: Attempt -> error: BootError -> Step

/// A try's share of the time left before the deadline, among sharers tries (this one and those
/// still to make in its round): the time left divided equally, in whole milliseconds, and at least
/// 1 ms (with nothing left, the deadline has already ended the run). For any time left of 1 ms or
/// more, a share never exceeds it; if every try of a round takes its whole share, the round's shares
/// differ by 1 ms at most, and the last try still gets one; a try that ends sooner leaves more to
/// the tries after it.
val share: leftMilliseconds: int64 -> sharers: int -> int64

/// The time the attempt may take: Limits.tryTime of --connect-timeout and --read-timeout, cut to
/// its share of the time left (leftMilliseconds, None when there is no deadline). The one place a
/// lookup's per-try time is decided: gRPC's connect timeout and deadline, and /ipxe's answer time.
val tryTime: limits: BootLimits -> leftMilliseconds: int64 option -> attempt: Attempt -> Limits.TryTime
