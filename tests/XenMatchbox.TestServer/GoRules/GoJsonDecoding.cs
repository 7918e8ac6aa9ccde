using System.Text.Json;

namespace XenMatchbox.TestServer;

/// <summary>
/// The rules of Go's encoding/json that matchbox's files are decoded with: a key names a field
/// case-insensitively, unknown keys are ignored, a later duplicate key wins, <c>null</c> leaves a
/// field as it was, and a value of the wrong JSON type makes the whole document unreadable.
/// </summary>
internal static class GoJsonDecoding
{
    /// <summary>
    /// The members of a JSON object that name one of <paramref name="fields"/>, in document order, each
    /// with the field's own spelling. <c>null</c> in place of the object has no members.
    /// </summary>
    public static IEnumerable<(string Field, JsonElement Value)> Fields(JsonElement element, params string[] fields)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new GoJsonTypeException($"cannot decode {element.ValueKind} into an object");
        }
        foreach (var property in element.EnumerateObject())
        {
            var field = Array.Find(fields, f => string.Equals(f, property.Name, StringComparison.OrdinalIgnoreCase));
            if (field is not null)
            {
                yield return (field, property.Value);
            }
        }
    }

    public static string String(JsonElement value, string current) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => current,
        _ => throw new GoJsonTypeException($"cannot decode {value.ValueKind} into a string"),
    };

    /// <summary>A JSON array replaces the list; <c>null</c> empties it; a <c>null</c> element is "".</summary>
    public static List<string> StringList(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => [.. value.EnumerateArray().Select(e => String(e, ""))],
        JsonValueKind.Null => [],
        _ => throw new GoJsonTypeException($"cannot decode {value.ValueKind} into a list of strings"),
    };

    /// <summary>Go keeps the entries of an existing map and adds to it; <c>null</c> empties it.</summary>
    public static void MergeStringMap(JsonElement value, Dictionary<string, string> into)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    into[property.Name] = String(property.Value, "");
                }
                break;
            case JsonValueKind.Null:
                into.Clear();
                break;
            default:
                throw new GoJsonTypeException($"cannot decode {value.ValueKind} into a map of strings");
        }
    }
}

/// <summary>A JSON value of a type the Go field cannot hold; the document is unreadable.</summary>
internal sealed class GoJsonTypeException(string message) : Exception(message);
