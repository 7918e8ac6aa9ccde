/// Whether a file that root is about to read is root's alone, as sshd's StrictModes judges a user's
/// files: run as root (libxl runs bootloaders as root), xenmatchbox trusts a configuration, key or
/// TLS file only when neither it nor any directory on the way to it, up to /, is owned by another
/// user than root or writable by group or others. Whoever may change such a file, or rename or
/// replace an entry in such a directory, chooses what root reads: the server to trust, the keys
/// that vouch for a kernel. A world-writable directory is unsafe even with its sticky bit (/tmp):
/// anyone may create the names that are not there yet. The shell only examines one path at a time
/// with lstat(2) (and readlink(2)); the path is walked here, as the kernel resolves it.
module XenMatchbox.Domain.Ownership

/// The uid the files must belong to: root.
[<Literal>]
val Root: int = 0

/// The mode bits that let group or others write (chmod go-w clears them): 0o022.
[<Literal>]
val WritableByOthers: int = 0o022

/// The most symbolic links one path may pass through before it is given up on, as Linux gives up
/// (MAXSYMLINKS, ELOOP).
[<Literal>]
val MaxLinks: int = 40

/// What lstat(2) says of one absolute path, without following a symbolic link there.
type Entry =
    /// A directory: its owner's uid and its mode (st_mode's permission bits, 0o7777).
    | Directory of owner: int * mode: int
    /// A regular file, a FIFO or a socket: its owner's uid and its mode.
    | File of owner: int * mode: int
    /// A character or block device: its owner's uid. Its mode says who may use the device, not who
    /// decides what reading it returns (/dev/null is mode 0666), so it is not judged.
    | Device of owner: int
    /// A symbolic link and what it holds (readlink(2)), an absolute or a relative path.
    | Link of target: string
    /// Nothing is there (ENOENT), or an entry on the way is not a directory (ENOTDIR).
    | Missing
    /// lstat(2) failed otherwise: the C library's words.
    | Unexaminable of reason: string

/// Reads the facts of one absolute path, and the working directory a relative path starts from.
type Examiner =
    {
        /// lstat(2) (and readlink(2) for a link) of an absolute path.
        Examine: string -> Entry
        /// The working directory, absolute, as getcwd(3) gives it (no symbolic links).
        WorkingDirectory: string
    }

/// What makes one entry on the way unsafe.
type Fault =
    /// Owned by another user than root, or writable by group or others: the entry (an absolute
    /// path, symbolic links resolved up to it), whether it is a directory, its owner and its mode
    /// (None for a device, whose mode is not judged).
    | Unsafe of path: string * directory: bool * owner: int * mode: int option
    /// lstat(2) failed otherwise than "no such file": root cannot tell who may change it.
    | Unexamined of path: string * reason: string

/// The judgement of one path.
type Verdict =
    /// It leads to an entry that root alone can change, through directories only root can change.
    | Safe
    /// It leads nowhere (a missing entry, an entry on the way that is not a directory, more than
    /// MaxLinks links) and nothing on the way before that was unsafe: nothing will be read, and the
    /// read says why. No one but root can make it lead somewhere in between.
    | Unresolved
    /// These entries make it unsafe, in the order the path passes them (each once). Once one is
    /// found, whatever follows is not trusted to tell where the path leads: a verdict never turns
    /// back to Unresolved.
    | Faulty of faults: Fault list

/// Judges a path as the kernel resolves it: from / (or the working directory, for a relative
/// path), every directory it enters (including those a ".." leaves again, and those a symbolic
/// link's target passes through) and the entry it ends at must be owned by root and not writable by
/// group or others; a device at the end only owned by root. A symbolic link is followed (its own
/// owner and mode cannot change where it points: only whoever may write its directory can replace
/// it, and that directory is judged), so a link never leads the check around an unsafe directory.
val internal judge: examiner: Examiner -> path: string -> Verdict

/// Whether a mode lets group or others write: mode &&& WritableByOthers <> 0.
val internal writableByOthers: mode: int -> bool

/// Whether a directory is shared by design: writable by others with the sticky bit (/tmp). A file
/// that root trusts belongs elsewhere, rather than the directory being closed.
val internal shared: mode: int -> bool

/// What is wrong with an entry, in the operator's words, e.g. "the directory /tmp is writable by
/// group and others (mode 1777)" or "the file /etc/xen/k.gpg is owned by uid 1000".
val internal describe: fault: Fault -> string

/// The command that mends an entry: "chown root PATH", "chmod go-w PATH" (both, joined with
/// " && "), or for a shared directory moving the file out of it.
val internal mend: fault: Fault -> string
