using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace XenMatchbox.TestServer;

/// <summary>
/// Looks up who owns a TCP socket of this network namespace in Linux's <c>/proc/net/tcp</c> (IPv4)
/// and <c>/proc/net/tcp6</c> (IPv6, including IPv4-mapped addresses of dual-mode sockets).
/// </summary>
/// <remarks>
/// Each line after the header is one socket:
/// <c>sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …</c>.
/// An address is <c>HEXIP:HEXPORT</c>: the kernel prints an IPv4 address as one 32-bit word and an
/// IPv6 address as four, each word in host byte order (127.0.0.1 is <c>0100007F</c> on x86), and
/// the port as plain hex. The uid is the socket's owner, set to the creating process's fsuid at
/// socket(2): a process that connects after dropping privileges shows its new uid, one that opened
/// the socket before dropping them still shows the old one.
/// </remarks>
internal static class ProcNetTcp
{
    private static readonly string[] Tables = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <summary>
    /// The uid of the open socket whose local end is <paramref name="local"/> and remote end
    /// <paramref name="remote"/>; null when there is none (or no /proc/net/tcp at all).
    /// </summary>
    public static int? OwnerUid(IPEndPoint local, IPEndPoint remote)
    {
        local = Normalize(local);
        remote = Normalize(remote);
        foreach (var table in Tables)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // not Linux, or IPv6 disabled: tcp6 does not exist
            }
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // Inode 0 means no open file holds the socket: TIME_WAIT entries (which always show
                // uid 0) and sockets the client already closed. Their uid proves nothing, so skip them.
                if (fields.Length < 10 || fields[9] == "0"
                    || !local.Equals(ParseEndPoint(fields[1])) || !remote.Equals(ParseEndPoint(fields[2])))
                {
                    continue;
                }
                return int.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid : null;
            }
        }
        return null;
    }

    /// <summary>Parses <c>0100007F:1F90</c> (or the 32-digit IPv6 form) as the kernel wrote it.</summary>
    public static IPEndPoint? ParseEndPoint(string field)
    {
        var colon = field.IndexOf(':');
        var hexAddress = field.AsSpan(0, Math.Max(colon, 0));
        if (colon < 0 || hexAddress.Length is not (8 or 32)
            || !ushort.TryParse(field.AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port))
        {
            return null;
        }
        Span<byte> bytes = stackalloc byte[hexAddress.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            if (!uint.TryParse(hexAddress.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }
            // Put the word back as it was in the kernel's memory: network byte order overall.
            var target = bytes.Slice(word * 4, 4);
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(target, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(target, value);
            }
        }
        return Normalize(new IPEndPoint(new IPAddress(bytes), port));
    }

    // A dual-mode client socket appears in tcp6 as ::ffff:127.0.0.1 while the server side, on an
    // IPv4 listener, sees 127.0.0.1 (and the reverse for a dual-mode listener): compare as IPv4.
    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
