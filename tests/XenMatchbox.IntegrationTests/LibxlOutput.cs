using System.Text;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// What libxl takes from a simple0 result, read by libxl's rules: items end at NUL; an item is
/// used only when a known key is followed by whitespace, all of which is skipped; items of 8192
/// bytes or more are dropped; anything else is ignored.
/// </summary>
public sealed record LibxlOutput(string? Kernel, string? Ramdisk, string? Args, IReadOnlyList<string> Ignored)
{
    private const int ItemBuffer = 8192;

    public static LibxlOutput Read(byte[] bytes)
    {
        string? kernel = null, ramdisk = null, args = null;
        var ignored = new List<string>();
        var start = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)0, start);
            if (end < 0)
            {
                end = bytes.Length;
            }
            var length = end - start;
            if (length > 0 && length < ItemBuffer)
            {
                var item = Encoding.UTF8.GetString(bytes, start, length);
                if (Value(item, "kernel") is { } k) kernel = k;
                else if (Value(item, "ramdisk") is { } r) ramdisk = r;
                else if (Value(item, "args") is { } a) args = a;
                else ignored.Add(item);
            }
            start = end + 1;
        }
        return new LibxlOutput(kernel, ramdisk, args, ignored);
    }

    private static string? Value(string item, string key)
    {
        if (!item.StartsWith(key, StringComparison.Ordinal) || item.Length == key.Length || !char.IsWhiteSpace(item[key.Length]))
        {
            return null;
        }
        return item[key.Length..].TrimStart();
    }
}
