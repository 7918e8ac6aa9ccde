using System.Text;
using Microsoft.Win32.SafeHandles;

namespace XenMatchbox.App;

/// <summary>
/// Standard output and error as plain file descriptors. libxl gives a bootloader a pty for its
/// standard streams, and .NET's console layer, on its first write to a terminal, sends the terminal
/// set-up strings (keypad mode) into the guest's console; writing to fd 1 and 2 directly sends
/// only our own bytes. UTF-8 without a byte order mark; every write goes out at once.
/// </summary>
internal static class StandardStreams
{
    private static readonly Lazy<TextWriter> output = new(() => Open(1));
    private static readonly Lazy<TextWriter> error = new(() => Open(2));

    public static TextWriter Out => output.Value;

    public static TextWriter Error => error.Value;

    /// <summary>A raw stream on standard output, for bytes written as they are (libxl's result without --output).</summary>
    public static Stream OpenOutput() => new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    /// <summary>A writer on the descriptor; one that drops everything when the descriptor is closed.</summary>
    private static TextWriter Open(int descriptor)
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(descriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            return TextWriter.Synchronized(new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true });
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return TextWriter.Null;
        }
    }
}
