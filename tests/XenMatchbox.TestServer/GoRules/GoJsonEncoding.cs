using System.Globalization;
using System.Text;
using System.Text.Json;

namespace XenMatchbox.TestServer;

/// <summary>
/// Go's json.Marshal of a value that json.Unmarshal decoded into interface{}: what matchbox stores as
/// a group's metadata bytes. Compact; object keys sorted by UTF-8 bytes (a later duplicate key wins);
/// numbers are float64, printed as Go prints them; strings escaped as Go escapes them (HTML
/// characters, U+2028/U+2029 and control characters).
/// </summary>
internal static class GoJsonEncoding
{
    public static string Marshal(JsonElement value)
    {
        var output = new StringBuilder();
        Write(value, output);
        return output.ToString();
    }

    private static void Write(JsonElement value, StringBuilder output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    members[property.Name] = property.Value;
                }
                output.Append('{');
                var first = true;
                foreach (var key in members.Keys.Order(Utf8Ordinal.Comparer))
                {
                    output.Append(first ? "" : ",");
                    first = false;
                    WriteString(key, output);
                    output.Append(':');
                    Write(members[key], output);
                }
                output.Append('}');
                break;
            case JsonValueKind.Array:
                output.Append('[');
                var index = 0;
                foreach (var element in value.EnumerateArray())
                {
                    output.Append(index++ == 0 ? "" : ",");
                    Write(element, output);
                }
                output.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(value.GetString()!, output);
                break;
            case JsonValueKind.Number:
                output.Append(GoFloat(value.GetDouble()));
                break;
            default:
                output.Append(value.GetRawText()); // true, false, null
                break;
        }
    }

    private static void WriteString(string text, StringBuilder output)
    {
        output.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
                    {
                        output.Append("\\ufffd"); // Go writes invalid UTF-8 as the replacement character
                    }
                    else
                    {
                        output.Append(c);
                        if (char.IsHighSurrogate(c))
                        {
                            output.Append(text[++i]);
                        }
                    }
                    break;
            }
        }
        output.Append('"');
    }

    /// <summary>
    /// Go's float encoder: shortest digits that round-trip, positional notation unless the magnitude
    /// is below 1e-6 or at least 1e21, and then exponent form with "e-07" shortened to "e-7".
    /// </summary>
    private static string GoFloat(double number)
    {
        if (!double.IsFinite(number))
        {
            throw new GoJsonTypeException("number out of range for float64");
        }
        var (negative, digits, point) = ShortestDigits(number);
        var sign = negative ? "-" : "";
        var magnitude = Math.Abs(number);
        if (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21))
        {
            var exponent = point - 1;
            var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
            var exponentText = Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
            if (exponent >= 0 && exponentText.Length < 2)
            {
                exponentText = "0" + exponentText; // Go prints at least two exponent digits, and keeps them for e+
            }
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{exponentText}";
        }
        if (digits == "0")
        {
            return sign + "0";
        }
        if (point <= 0)
        {
            return $"{sign}0.{new string('0', -point)}{digits}";
        }
        return point >= digits.Length
            ? sign + digits + new string('0', point - digits.Length)
            : $"{sign}{digits[..point]}.{digits[point..]}";
    }

    // The shortest round-trip decimal digits (no leading or trailing zeros, "0" for zero) and the
    // position of the decimal point relative to them: value = 0.digits × 10^point.
    private static (bool Negative, string Digits, int Point) ShortestDigits(double number)
    {
        var text = number.ToString("R", CultureInfo.InvariantCulture);
        var negative = text.StartsWith('-');
        text = text.TrimStart('-');
        var exponent = 0;
        if (text.IndexOfAny(['E', 'e']) is var e and >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var dot = text.IndexOf('.');
        var point = (dot >= 0 ? dot : text.Length) + exponent;
        var digits = text.Replace(".", "", StringComparison.Ordinal);
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        return digits.Length == 0 ? (negative, "0", 1) : (negative, digits, point - leadingZeros);
    }
}
