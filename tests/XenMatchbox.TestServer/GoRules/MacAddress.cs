using System.Diagnostics.CodeAnalysis;

namespace XenMatchbox.TestServer;

/// <summary>
/// Go's net.ParseMAC, which matchbox uses on selector and query MACs: 6, 8 or 20 octets written as
/// <c>xx:xx:…</c> or <c>xx-xx-…</c> (two hex digits per octet, one separator throughout) or
/// <c>xxxx.xxxx.…</c> (four per group), hex in any case. The canonical form is lowercase and
/// colon-separated.
/// </summary>
internal static class MacAddress
{
    public static bool TryNormalize(string text, [NotNullWhen(true)] out string? canonical)
    {
        canonical = null;
        if (text.Length < 14)
        {
            return false;
        }
        var octets = text[2] is ':' or '-' ? Separated(text, text[2])
            : text[4] == '.' ? Dotted(text)
            : null;
        if (octets is null)
        {
            return false;
        }
        canonical = string.Join(':', octets.Select(o => o.ToString("x2")));
        return true;
    }

    private static bool IsOctetCount(int count) => count is 6 or 8 or 20;

    // "xx" + separator, repeated; the last octet has no separator after it.
    private static byte[]? Separated(string text, char separator)
    {
        if ((text.Length + 1) % 3 != 0 || !IsOctetCount((text.Length + 1) / 3))
        {
            return null;
        }
        var octets = new byte[(text.Length + 1) / 3];
        for (int i = 0, at = 0; i < octets.Length; i++, at += 3)
        {
            if (!TryOctet(text, at, out octets[i]) || (at + 2 < text.Length && text[at + 2] != separator))
            {
                return null;
            }
        }
        return octets;
    }

    // "xxxx" + ".", repeated; the last group has no dot after it.
    private static byte[]? Dotted(string text)
    {
        if ((text.Length + 1) % 5 != 0 || !IsOctetCount(2 * (text.Length + 1) / 5))
        {
            return null;
        }
        var octets = new byte[2 * (text.Length + 1) / 5];
        for (int i = 0, at = 0; i < octets.Length; i += 2, at += 5)
        {
            if (!TryOctet(text, at, out octets[i]) || !TryOctet(text, at + 2, out octets[i + 1])
                || (at + 4 < text.Length && text[at + 4] != '.'))
            {
                return null;
            }
        }
        return octets;
    }

    private static bool TryOctet(string text, int at, out byte octet)
    {
        octet = 0;
        if (!char.IsAsciiHexDigit(text[at]) || !char.IsAsciiHexDigit(text[at + 1]))
        {
            return false;
        }
        octet = Convert.ToByte(text.Substring(at, 2), 16);
        return true;
    }
}
