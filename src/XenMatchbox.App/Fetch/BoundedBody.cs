namespace XenMatchbox.App;

/// <summary>
/// Reads an HTTP answer's body into memory, never more than a cap: the one reader of small bodies
/// (a detached signature, the start of a root answer, matchbox's /ipxe script, an error answer's
/// first line). Its buffer starts at the declared length and grows as bytes come, so neither a
/// small answer nor a lying Content-Length costs the whole cap up front.
/// </summary>
internal static class BoundedBody
{
    /// <summary>
    /// The body's bytes, at most <paramref name="cap"/>. With <paramref name="whole"/>, the whole
    /// body or null when it holds more than the cap (one byte more is read to tell); without, its
    /// first bytes up to the cap, the rest unread. <paramref name="beforeRead"/> runs before each
    /// read (to re-arm an idle timer); <paramref name="received"/> hears the count as it grows (for
    /// a message about a body that broke off).
    /// </summary>
    public static async Task<byte[]?> ReadAsync(
        Stream body, int cap, bool whole, long? declared, CancellationToken token, Action? beforeRead = null, Action<int>? received = null)
    {
        var limit = whole ? cap + 1 : cap;
        var buffer = new byte[(int)Math.Min(Math.Max(declared ?? 0, 0) + 1, limit)];
        var count = 0;
        while (true)
        {
            if (count == buffer.Length)
            {
                if (buffer.Length == limit)
                {
                    return whole ? null : buffer;
                }
                Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, 16384), limit));
            }
            beforeRead?.Invoke();
            var read = await body.ReadAsync(buffer.AsMemory(count), token);
            if (read == 0)
            {
                return buffer[..count];
            }
            count += read;
            received?.Invoke(count);
        }
    }
}
