using System.Text;

namespace XenMatchbox.TestServer;

/// <summary>
/// Go compares and sorts strings by their UTF-8 bytes; UTF-16 ordinal order differs from that for
/// characters above U+FFFF, so orderings that must match matchbox use this comparer.
/// </summary>
internal sealed class Utf8Ordinal : IComparer<string>
{
    public static readonly Utf8Ordinal Comparer = new();

    public int Compare(string? x, string? y) =>
        Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
}
