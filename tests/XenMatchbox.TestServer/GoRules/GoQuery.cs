using System.Text;

namespace XenMatchbox.TestServer;

/// <summary>
/// Go's url.ParseQuery as net/http's Request.URL.Query() applies it: pairs split on '&amp;', a pair
/// containing ';' is dropped, a pair without '=' has the value "", '+' is a space, a pair with a bad
/// %-escape is dropped, keys are case-sensitive and keep every value in order.
/// </summary>
internal static class GoQuery
{
    public static Dictionary<string, List<string>> Parse(string rawQuery)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in rawQuery.Split('&'))
        {
            if (pair.Length == 0 || pair.Contains(';'))
            {
                continue;
            }
            var equals = pair.IndexOf('=');
            var (rawKey, rawValue) = equals >= 0 ? (pair[..equals], pair[(equals + 1)..]) : (pair, "");
            if (TryUnescape(rawKey, out var key) && TryUnescape(rawValue, out var value))
            {
                if (!values.TryGetValue(key, out var list))
                {
                    values[key] = list = [];
                }
                list.Add(value);
            }
        }
        return values;
    }

    // Works on the UTF-8 bytes, as Go does; the result is decoded as UTF-8 (bad sequences become U+FFFD).
    private static bool TryUnescape(string text, out string unescaped)
    {
        unescaped = "";
        var input = Encoding.UTF8.GetBytes(text);
        var output = new List<byte>(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            switch (input[i])
            {
                case (byte)'%' when i + 2 < input.Length && IsHex(input[i + 1]) && IsHex(input[i + 2]):
                    output.Add(Convert.ToByte(Encoding.ASCII.GetString(input, i + 1, 2), 16));
                    i += 2;
                    break;
                case (byte)'%':
                    return false;
                case (byte)'+':
                    output.Add((byte)' ');
                    break;
                default:
                    output.Add(input[i]);
                    break;
            }
        }
        unescaped = Encoding.UTF8.GetString([.. output]);
        return true;
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);
}
