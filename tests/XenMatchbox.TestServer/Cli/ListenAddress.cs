using System.Net;

namespace XenMatchbox.TestServer;

/// <summary>
/// A listen address as matchbox's flags take it: <c>ipv4:port</c>, <c>[ipv6]:port</c>,
/// <c>localhost:port</c> (loopback) or <c>:port</c> (all interfaces). Port 0 picks a free port.
/// </summary>
internal static class ListenAddress
{
    public static IPEndPoint Parse(string flag, string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon >= 0 ? text[..colon] : "";
        if (colon < 0 || !ushort.TryParse(text[(colon + 1)..], out var port))
        {
            throw new UsageException($"--{flag}: '{text}' is not HOST:PORT");
        }
        IPAddress? address = host switch
        {
            "" => IPAddress.Any,
            _ when host.Equals("localhost", StringComparison.OrdinalIgnoreCase) => IPAddress.Loopback,
            ['[', .. var v6, ']'] when IPAddress.TryParse(v6, out var parsed) => parsed,
            _ when !host.Contains(':') && IPAddress.TryParse(host, out var parsed) => parsed,
            _ => null,
        };
        return address is not null
            ? new IPEndPoint(address, port)
            : throw new UsageException($"--{flag}: '{host}' is not an IP address");
    }
}
