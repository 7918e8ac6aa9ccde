using System.Collections.Concurrent;

namespace XenMatchbox.App;

/// <summary>
/// A transfer's bytes handed to a thread of their own for hashing (the signature's digest, the
/// cache's pieces), so that the hash of one buffer runs beside the read of the next instead of
/// after it: on a dom0 of two cores a verified download then costs little more wall time than an
/// unverified one. The buffers go round a small ring: the reader waits for a free one when the hash
/// falls behind, so memory stays at <see cref="Buffers"/> × <see cref="BufferBytes"/>.
/// </summary>
internal sealed class HashingPipe : IDisposable
{
    private const int Buffers = 4;
    public const int BufferBytes = 256 << 10;

    private readonly SignatureCheck? check;
    private readonly PieceDigest.Writer? pieces;
    private readonly BlockingCollection<(byte[] Buffer, int Length)> full = new(Buffers);
    private readonly BlockingCollection<byte[]> free = new(Buffers);
    private readonly Task hashing;

    public HashingPipe(SignatureCheck? check, PieceDigest.Writer? pieces)
    {
        this.check = check;
        this.pieces = pieces;
        for (var i = 0; i < Buffers; i++)
        {
            free.Add(new byte[BufferBytes]);
        }
        hashing = Task.Factory.StartNew(Hash, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>A buffer to read into: waits while every buffer is still being hashed; the hash's own failure, if it failed.</summary>
    public byte[] Rent()
    {
        while (true)
        {
            if (free.TryTake(out var buffer, 50))
            {
                return buffer;
            }
            if (hashing.IsCompleted)
            {
                hashing.GetAwaiter().GetResult();
                throw new InvalidOperationException("the hashing thread ended before the transfer did");
            }
        }
    }

    /// <summary>Hands the first <paramref name="length"/> bytes of a rented buffer over to be hashed, in order.</summary>
    public void Hand(byte[] buffer, int length) => full.Add((buffer, length));

    /// <summary>Waits until every byte handed over is hashed; the hash's failure, if any.</summary>
    public void Finish()
    {
        full.CompleteAdding();
        hashing.GetAwaiter().GetResult();
    }

    private void Hash()
    {
        foreach (var (buffer, length) in full.GetConsumingEnumerable())
        {
            check?.Update(buffer.AsSpan(0, length));
            pieces?.Update(buffer.AsSpan(0, length));
            free.Add(buffer);
        }
    }

    /// <summary>Stops taking bytes and waits for the thread (a failed transfer's leftovers are hashed and dropped).</summary>
    public void Dispose()
    {
        if (!full.IsAddingCompleted)
        {
            full.CompleteAdding();
        }
        try
        {
            hashing.Wait();
        }
        catch (AggregateException) { }   // reported by Finish or Rent, or the transfer failed first
        full.Dispose();
        free.Dispose();
    }
}
