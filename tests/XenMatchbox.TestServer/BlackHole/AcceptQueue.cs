using System.Buffers.Binary;
using System.Net.Sockets;

namespace XenMatchbox.TestServer;

/// <summary>
/// The state of a Linux listening socket's accept queue, from getsockopt(TCP_INFO). For a socket in
/// LISTEN state the kernel reuses two fields of struct tcp_info: <c>tcpi_unacked</c> is the number
/// of connections waiting for accept() (sk_ack_backlog) and <c>tcpi_sacked</c> the backlog given to
/// listen() (sk_max_ack_backlog).
/// </summary>
internal static class AcceptQueue
{
    private const int IpProtoTcp = 6;
    private const int TcpInfo = 11;

    // struct tcp_info starts with eight single bytes, then __u32 rto, ato, snd_mss, rcv_mss, unacked, sacked.
    private const int UnackedOffset = 24;
    private const int SackedOffset = 28;

    /// <summary>
    /// Whether the kernel now drops SYNs for this listener: the test is sk_acceptq_is_full, which
    /// is "waiting &gt; backlog" (so with backlog 0, one waiting connection fills it).
    /// </summary>
    public static bool IsFull(Socket listener)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the accept-queue black hole relies on Linux TCP behaviour");
        }
        Span<byte> info = stackalloc byte[256];
        var length = listener.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
        if (length < SackedOffset + 4)
        {
            throw new PlatformNotSupportedException($"TCP_INFO returned {length} bytes");
        }
        // Fields are in host byte order.
        var waiting = BitConverter.IsLittleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(info[UnackedOffset..])
            : BinaryPrimitives.ReadUInt32BigEndian(info[UnackedOffset..]);
        var backlog = BitConverter.IsLittleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(info[SackedOffset..])
            : BinaryPrimitives.ReadUInt32BigEndian(info[SackedOffset..]);
        return waiting > backlog;
    }
}
