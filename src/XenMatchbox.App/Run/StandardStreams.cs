using System.Runtime.InteropServices;
using System.Text;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Standard output and error as plain file descriptors, written with write(2). libxl gives a
/// bootloader a pty for its standard streams, and .NET's console layer, on its first write to a
/// terminal, sends terminal set-up strings (keypad mode) into the guest's console; writing to fd 1
/// and 2 directly sends only our own bytes. write(2), not a FileStream: with both streams sent to
/// one file (`> log 2>&1`) they share the file offset, and a FileStream would keep its own and
/// write over the other's lines. UTF-8 without a byte order mark; every write goes out at once.
/// </summary>
internal static partial class StandardStreams
{
    private const int EINTR = 4;
    private const int EPIPE = 32;

    private static readonly Lazy<TextWriter> output = new(() => Open(1, Failure.Report));
    private static readonly Lazy<TextWriter> error = new(() => Open(2, Failure.Drop));

    /// <summary>What a failed write does: report it (as XMB-505), or drop the text (the error stream: nowhere left to say it).</summary>
    private enum Failure
    {
        Report,
        Drop,
    }

    public static TextWriter Out => output.Value;

    public static TextWriter Error => error.Value;

    /// <summary>A raw stream on standard output, for bytes written as they are (libxl's result without --output).</summary>
    public static Stream OpenOutput() => new DescriptorStream(1, Failure.Report, dropWhenReaderGone: false);

    /// <summary>
    /// Text for people: when its reader has gone (`xenmatchbox show | head -1`), the rest is dropped
    /// rather than failing the run.
    /// </summary>
    private static TextWriter Open(int descriptor, Failure failure) =>
        TextWriter.Synchronized(new StreamWriter(new DescriptorStream(descriptor, failure, dropWhenReaderGone: true), new UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true });

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int descriptor, byte* buffer, nuint count);

    /// <summary>A write-only stream on a descriptor this process does not own (never closed here).</summary>
    private sealed class DescriptorStream(int descriptor, Failure failure, bool dropWhenReaderGone) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override unsafe void Write(ReadOnlySpan<byte> buffer)
        {
            fixed (byte* start = buffer)
            {
                var done = 0;
                while (done < buffer.Length)
                {
                    var written = StandardStreams.Write(descriptor, start + done, (nuint)(buffer.Length - done));
                    if (written < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == EINTR)
                        {
                            continue;
                        }
                        if (failure == Failure.Drop || errno == EPIPE && dropWhenReaderGone)
                        {
                            return;
                        }
                        var name = descriptor == 1 ? "standard output" : "standard error";
                        throw new BootFailure(OutputError.NewOutputWriteFailed(name, Marshal.GetPInvokeErrorMessage(errno)));
                    }
                    done += (int)written;
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
