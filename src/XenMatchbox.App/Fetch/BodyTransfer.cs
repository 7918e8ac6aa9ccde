using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// One GET of an asset into a file at an offset: never whole in memory; the size cap, the declared
/// Content-Length and the free space checked; a stall ended by the read timeout and the boot's
/// deadline, even mid-read; transient failures retried from where the asset began.
/// </summary>
internal sealed class BodyTransfer(AssetHttp http, CommandLine.BootLimits limits, ProgressDisplay? progress)
{
    private const int BufferSize = HashingPipe.BufferBytes;

    /// <summary>
    /// What the final response of a GET said: its status (200, or 304 to a conditional request),
    /// validators and declared length, where its bytes ended in the file, what verified them
    /// (Trust.record; null without a signature check), and the digest of their pieces (null unless
    /// asked for).
    /// </summary>
    public sealed record Fetched(
        int Status, long End, string? ETag, string? LastModified, long? Declared, string? Verified = null, FSharpList<string>? Pieces = null);

    /// <summary>
    /// GETs <paramref name="url"/> (conditionally, with <paramref name="conditions"/>) into
    /// <paramref name="output"/> at <paramref name="start"/>; the file named <paramref name="finalPath"/>
    /// in errors may reach <paramref name="limit"/> bytes. With <paramref name="check"/>, every byte
    /// of a 200 answer goes through it as it is written, and the signature must match before this
    /// returns (else XMB-706, and the caller never renames the file into place). With
    /// <paramref name="pieces"/>, they also go through it, for the cache's digest (Fetched.Pieces).
    /// </summary>
    public Task<Fetched> FetchAsync(
        Profile.AssetUrl url, IReadOnlyList<Tuple<string, string>> conditions, FileStream output, long start, string finalPath, string role, long limit,
        SignatureCheck? check, PieceDigest.Writer? pieces, CancellationToken cancel) =>
        Retries.RunAsync(() => FetchOnceAsync(url, conditions, output, start, finalPath, role, limit, check, pieces, cancel), cancel, () =>
        {
            // Start this asset again from where it began in the file.
            output.SetLength(start);
            output.Position = start;
        });

    private async Task<Fetched> FetchOnceAsync(
        Profile.AssetUrl url, IReadOnlyList<Tuple<string, string>> conditions, FileStream output, long start, string finalPath, string role, long limit,
        SignatureCheck? check, PieceDigest.Writer? pieces, CancellationToken cancel)
    {
        check?.Restart();
        pieces?.Restart();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var readTimeout = TimeSpan.FromSeconds(limits.ReadSeconds);
        using var response = await http.SendAsync(HttpMethod.Get, url, conditions, idle, readTimeout, cancel);
        var source = response.RequestMessage?.RequestUri?.AbsoluteUri ?? url.Shown;
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new Fetched(304, start, response.Headers.ETag?.ToString(), AssetHttp.LastModified(response), null);
        }
        var expected = AssetHttp.DeclaredLength(response);
        if (expected is { } declared)
        {
            // Saturated: a hostile Content-Length near long.MaxValue must not wrap past the limit.
            Transfer.checkSize(source, role, limit, Transfer.addSizes(start, declared)).OrFail();
            DiskSpace.EnsureRoom(finalPath, declared);
        }
        long received = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
            // The copy runs on a thread of its own with blocking reads and writes: no wake-up of the
            // thread pool per chunk, which on a small dom0 costs more than the copying. A stalled
            // read is ended by closing the body when the idle timer (or the boot) cancels; and this
            // method stops waiting for the copy at that moment, since a read blocked on a socket may
            // only notice the close when the next byte comes (a body dripping past the deadline).
            using var stall = idle.Token.Register(body.Dispose);
            received = await Task.Factory.StartNew(() =>
            {
                // Bytes to verify are hashed on a thread of their own, beside the next read.
                using var hashing = check is null && pieces is null ? null : new HashingPipe(check, pieces);
                var single = hashing is null ? new byte[BufferSize] : null;
                long done = 0;
                while (true)
                {
                    var buffer = hashing?.Rent() ?? single!;
                    idle.CancelAfter(readTimeout);
                    var read = body.Read(buffer);
                    if (read == 0)
                    {
                        hashing?.Hand(buffer, 0);
                        hashing?.Finish();
                        return done;
                    }
                    idle.Token.ThrowIfCancellationRequested();
                    done += read;
                    received = done;
                    Transfer.checkSize(source, role, limit, start + done).OrFail();
                    Write(output, buffer.AsSpan(0, read), finalPath);
                    hashing?.Hand(buffer, read);
                    progress?.Report(role, start + done, expected is { } total ? Transfer.addSizes(start, total) : null);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(idle.Token);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or HttpRequestException or OperationCanceledException && idle.IsCancellationRequested)
        {
            cancel.ThrowIfCancellationRequested();
            throw new BootFailure(DownloadError.NewAssetTimedOut(source, $"no data for {limits.ReadSeconds} s after {received} bytes"));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new BootFailure(expected is { } length
                ? DownloadError.NewAssetTruncated(source, length, received)
                : DownloadError.NewAssetUnreachable(source, $"the body broke off after {received} bytes: {e.Message}"), e);
        }
        if (expected is { } total && total != received)
        {
            throw new BootFailure(DownloadError.NewAssetTruncated(source, total, received));
        }
        // The last byte is in: the signature must match before anyone renames the file into place.
        check?.Finish();
        return new Fetched(200, start + received, response.Headers.ETag?.ToString(), AssetHttp.LastModified(response), expected, check?.Record, pieces?.Finish());
    }

    private static void Write(FileStream output, ReadOnlySpan<byte> data, string finalPath)
    {
        try
        {
            output.Write(data);
        }
        catch (IOException e)
        {
            throw DiskSpace.WriteFailure(finalPath, e);
        }
    }

}
