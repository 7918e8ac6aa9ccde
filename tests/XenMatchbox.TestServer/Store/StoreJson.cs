using System.Text.Json;

namespace XenMatchbox.TestServer;

/// <summary>What makes a stored JSON file unreadable (it is then skipped, as matchbox skips it).</summary>
internal static class StoreJson
{
    public static bool IsUnreadable(Exception e) =>
        e is JsonException or GoJsonTypeException or FormatException or InvalidOperationException or ArgumentException;
}
