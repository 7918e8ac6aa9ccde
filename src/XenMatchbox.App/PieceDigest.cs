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
    /// hashed on as many threads as there are cores (each its own pieces). A file that cannot be read
    /// (or is shorter) is <see cref="CacheUnusable"/>: the cache's trouble, not the boot's.
    /// </summary>
    public static async Task<FSharpList<string>> OfFileAsync(string path, long length, CancellationToken cancel)
    {
        var count = (int)Cache.pieceCount(length);
        var pieces = new string[count];
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var next = -1;
            void Work()
            {
                var buffer = new byte[ReadBytes];
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (var piece = Interlocked.Increment(ref next); piece < count; piece = Interlocked.Increment(ref next))
                {
                    cancel.ThrowIfCancellationRequested();
                    pieces[piece] = Hex(HashPiece(file, hash, buffer, (long)piece * Cache.DigestPieceBytes, length));
                }
            }
            // Threads of their own: the thread pool's are few, and the boot's network continuations need them.
            var workers = Enumerable.Range(0, Math.Min(Environment.ProcessorCount, count))
                .Select(_ => Task.Factory.StartNew(Work, cancel, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
            await Task.WhenAll(workers);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CacheUnusable($"its file {path} cannot be read ({e.Message})", e);
        }
        return ListModule.OfArray(pieces);
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
