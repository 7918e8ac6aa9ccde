using System.Security.Cryptography;
using Microsoft.FSharp.Collections;
using Microsoft.Win32.SafeHandles;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The SHA-256 of each <see cref="Cache.DigestPieceBytes"/> piece of an asset (Cache.Verification):
/// taken as a download writes the bytes (<see cref="Writer"/>), or of a cached file before a
/// verified boot uses it (<see cref="OfFileAsync"/>), the pieces on every core at once. The platform's
/// SHA-256 (OpenSSL) uses the CPU's SHA instructions where there are any. What the pieces must be
/// is the Domain's (Cache.examine).
/// </summary>
internal static class PieceDigest
{
    /// <summary>What each hashing thread reads at a time: small enough to stay in the CPU's cache between the read and the hash.</summary>
    private const int ReadBytes = 256 << 10;

    /// <summary>The pieces of the bytes fed to it, in order, fed as they are written.</summary>
    internal sealed class Writer : IDisposable
    {
        private readonly List<string> pieces = [];
        private IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long inPiece;

        /// <summary>Forgets the bytes fed so far: a download that starts again.</summary>
        public void Restart()
        {
            hash.Dispose();
            hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            pieces.Clear();
            inPiece = 0;
        }

        /// <summary>Feeds the next bytes.</summary>
        public void Update(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                var take = (int)Math.Min(bytes.Length, Cache.DigestPieceBytes - inPiece);
                hash.AppendData(bytes[..take]);
                inPiece += take;
                bytes = bytes[take..];
                if (inPiece == Cache.DigestPieceBytes)
                {
                    pieces.Add(Hex(hash.GetHashAndReset()));
                    inPiece = 0;
                }
            }
        }

        /// <summary>The pieces of everything fed: the last one shorter, or one empty piece for no bytes.</summary>
        public FSharpList<string> Finish()
        {
            if (inPiece > 0 || pieces.Count == 0)
            {
                pieces.Add(Hex(hash.GetHashAndReset()));
                inPiece = 0;
            }
            return ListModule.OfSeq(pieces);
        }

        public void Dispose() => hash.Dispose();
    }

    /// <summary>
    /// The pieces of the first <paramref name="length"/> bytes of the file at <paramref name="path"/>,
    /// hashed on as many threads as there are cores. A file that cannot be read (or is shorter) is
    /// <see cref="CacheUnusable"/>: the cache's trouble, not the boot's.
    /// </summary>
    public static async Task<FSharpList<string>> OfFileAsync(string path, long length, CancellationToken cancel)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnusable($"its file {path} cannot be read ({e.Message})", e);
        }
        using (file)
        {
            using var hashing = Hashing.Start(file, path, length, background: false, cancel);
            return await hashing.Finished;
        }
    }

    /// <summary>
    /// One file's pieces being hashed by threads of their own (the thread pool's are few, and the
    /// boot's network continuations need them), each taking the next piece nobody has taken. Threads
    /// started in the background run at a lower priority (nice 10), so that a guess never slows the
    /// boot it runs beside; <see cref="Join"/> adds threads at the boot's own priority once the
    /// pieces are needed. Disposing stops the threads and waits for them, so none reads the file
    /// after its handle is closed.
    /// </summary>
    internal sealed class Hashing : IDisposable
    {
        private const int BackgroundNice = Limits.AheadHashingNice;
        private readonly SafeFileHandle file;
        private readonly string path;
        private readonly long length;
        private readonly string?[] pieces;
        private readonly CancellationTokenSource stop;
        private readonly TaskCompletionSource<FSharpList<string>> finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<Task> workers = [];
        private int next = -1;
        private int done;

        private Hashing(SafeFileHandle file, string path, long length, CancellationToken cancel)
        {
            this.file = file;
            this.path = path;
            this.length = length;
            pieces = new string?[Cache.pieceCount(length)];
            stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            stop.Token.Register(() => finished.TrySetCanceled(stop.Token));
        }

        /// <summary>The pieces, in order, once every one is hashed; CacheUnusable when the file cannot be read.</summary>
        public Task<FSharpList<string>> Finished => finished.Task;

        public static Hashing Start(SafeFileHandle file, string path, long length, bool background, CancellationToken cancel)
        {
            var hashing = new Hashing(file, path, length, cancel);
            hashing.Join(background);
            return hashing;
        }

        /// <summary>Adds a thread per core (none beyond the pieces still to take) at the boot's priority, or in the background.</summary>
        public void Join(bool background = false)
        {
            lock (workers)
            {
                var untaken = pieces.Length - Math.Max(0, Volatile.Read(ref next) + 1);
                for (var i = 0; i < Math.Min(Environment.ProcessorCount, untaken); i++)
                {
                    workers.Add(Task.Factory.StartNew(() => Work(background), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }
            }
        }

        private void Work(bool background)
        {
            if (background)
            {
                Posix.LowerThisThreadsPriority(BackgroundNice);
            }
            try
            {
                var buffer = new byte[ReadBytes];
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (var piece = Interlocked.Increment(ref next); piece < pieces.Length && !stop.IsCancellationRequested; piece = Interlocked.Increment(ref next))
                {
                    pieces[piece] = Hex(HashPiece(file, hash, buffer, (long)piece * Cache.DigestPieceBytes, length));
                    if (Interlocked.Increment(ref done) == pieces.Length)
                    {
                        finished.TrySetResult(ListModule.OfSeq(pieces.Select(piece => piece!)));
                    }
                }
            }
            catch (Exception e)
            {
                finished.TrySetException(e is IOException or UnauthorizedAccessException ? new CacheUnusable($"its file {path} cannot be read ({e.Message})", e) : e);
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            Task[] all;
            lock (workers)
            {
                all = [.. workers];
            }
            try
            {
                Task.WaitAll(all);
            }
            catch (AggregateException) { }   // workers stopped before they started
            stop.Dispose();
        }
    }

    /// <summary>
    /// A verified entry's pieces hashed ahead, before the plan names the entry (the cache's recent
    /// guess): the file stays open, and what it was when the hashing began is kept, so that the
    /// pieces are handed over only for that very file, unchanged since.
    /// </summary>
    internal sealed class Ahead : IDisposable
    {
        private readonly SafeFileHandle file;
        private readonly Hashing hashing;
        private readonly FileIdentity before;
        private readonly long length;

        private Ahead(SafeFileHandle file, FileIdentity before, long length)
        {
            this.file = file;
            this.before = before;
            this.length = length;
            hashing = Hashing.Start(file, "", length, background: true, CancellationToken.None);
        }

        /// <summary>Starts hashing the file at <paramref name="path"/> in the background; null when it cannot be opened or is not of this length.</summary>
        public static Ahead? Start(string path, long length)
        {
            SafeFileHandle? file = null;
            try
            {
                file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (FileIdentity.Of(file) is { } identity && identity.Size == length)
                {
                    return new Ahead(file, identity, length);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            file?.Dispose();
            return null;
        }

        /// <summary>
        /// The pieces, when the file now at <paramref name="path"/> is the one hashed, of this
        /// length, and unchanged while hashed (its inode, size, modification and change times);
        /// null otherwise, or when the hashing failed: the caller then hashes the file itself.
        /// </summary>
        public async Task<FSharpList<string>?> ClaimAsync(string path, long length, CancellationToken cancel)
        {
            if (length != this.length)
            {
                return null;
            }
            hashing.Join();
            FSharpList<string> pieces;
            try
            {
                pieces = await hashing.Finished.WaitAsync(cancel);
            }
            catch (CacheUnusable)
            {
                return null;
            }
            return FileIdentity.Of(file) == before && FileIdentity.Of(path) == before ? pieces : null;
        }

        public void Dispose()
        {
            hashing.Dispose();
            file.Dispose();
        }
    }

    private static byte[] HashPiece(SafeFileHandle file, IncrementalHash hash, byte[] buffer, long start, long length)
    {
        var end = Math.Min(length, start + Cache.DigestPieceBytes);
        for (var at = start; at < end;)
        {
            var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - at)), at);
            if (read == 0)
            {
                throw new IOException($"it ends at byte {at}, before the {length} bytes of its entry");
            }
            hash.AppendData(buffer.AsSpan(0, read));
            at += read;
        }
        return hash.GetHashAndReset();
    }

    private static string Hex(byte[] digest) => Convert.ToHexStringLower(digest);
}
