namespace XenMatchbox.Domain

/// What an error says to the operator, written once per case beside the case's code: the stable
/// code (XMB-nnn), what went wrong and what to do about it.
type Explanation =
    {
        /// The stable code, e.g. "XMB-201".
        Code: string
        /// What went wrong, in the operator's words.
        Cause: string
        /// What to do about it.
        Fix: string
    }
