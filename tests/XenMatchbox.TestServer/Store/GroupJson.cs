using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace XenMatchbox.TestServer;

/// <summary>
/// A group file: <c>id</c>, <c>name</c>, <c>profile</c>, <c>selector</c> (object of strings) and
/// <c>metadata</c> (a JSON object, kept as Go re-encodes it; absent or null means no metadata).
/// </summary>
internal static class GroupJson
{
    public static bool TryParse(byte[] json, [NotNullWhen(true)] out MatchboxGroup? group)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            group = Decode(document.RootElement);
            return true;
        }
        catch (Exception e) when (StoreJson.IsUnreadable(e))
        {
            group = null;
            return false;
        }
    }

    private static MatchboxGroup Decode(JsonElement root)
    {
        string id = "", name = "", profile = "", metadata = "";
        var selector = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in GoJsonDecoding.Fields(root, "id", "name", "profile", "selector", "metadata"))
        {
            switch (field)
            {
                case "id": id = GoJsonDecoding.String(value, id); break;
                case "name": name = GoJsonDecoding.String(value, name); break;
                case "profile": profile = GoJsonDecoding.String(value, profile); break;
                case "selector": GoJsonDecoding.MergeStringMap(value, selector); break;
                case "metadata": metadata = Metadata(value); break;
            }
        }
        return new MatchboxGroup { Id = id, Name = name, Profile = profile, Selector = selector, Metadata = metadata };
    }

    // matchbox decodes metadata into a Go map and marshals it again; a nil map becomes no bytes at all.
    private static string Metadata(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => GoJsonEncoding.Marshal(value),
        JsonValueKind.Null => "",
        _ => throw new GoJsonTypeException($"cannot decode {value.ValueKind} into group metadata"),
    };
}
