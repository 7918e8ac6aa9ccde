using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace XenMatchbox.TestServer;

/// <summary>
/// A profile file: <c>id</c>, <c>name</c>, <c>ignition_id</c>, <c>cloud_id</c>, <c>generic_id</c> and
/// <c>boot</c> {<c>kernel</c>, <c>initrd</c>[], <c>args</c>[]}. A profile without an id is unreadable.
/// </summary>
internal static class ProfileJson
{
    public static bool TryParse(byte[] json, [NotNullWhen(true)] out MatchboxProfile? profile)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            profile = Decode(document.RootElement);
        }
        catch (Exception e) when (StoreJson.IsUnreadable(e))
        {
            profile = null;
        }
        return profile is { Id.Length: > 0 };
    }

    private static MatchboxProfile Decode(JsonElement root)
    {
        var profile = new MatchboxProfile();
        foreach (var (field, value) in GoJsonDecoding.Fields(root, "id", "name", "ignition_id", "cloud_id", "generic_id", "boot"))
        {
            profile = field switch
            {
                "id" => profile with { Id = GoJsonDecoding.String(value, profile.Id) },
                "name" => profile with { Name = GoJsonDecoding.String(value, profile.Name) },
                "ignition_id" => profile with { IgnitionId = GoJsonDecoding.String(value, profile.IgnitionId) },
                "cloud_id" => profile with { CloudId = GoJsonDecoding.String(value, profile.CloudId) },
                "generic_id" => profile with { GenericId = GoJsonDecoding.String(value, profile.GenericId) },
                _ => profile with { Boot = Boot(value, profile.Boot) },
            };
        }
        return profile;
    }

    // Go decodes into the boot struct already there (a repeated "boot" key merges); null removes it.
    private static MatchboxBoot? Boot(JsonElement value, MatchboxBoot? current)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var boot = current ?? new MatchboxBoot();
        foreach (var (field, element) in GoJsonDecoding.Fields(value, "kernel", "initrd", "args"))
        {
            boot = field switch
            {
                "kernel" => boot with { Kernel = GoJsonDecoding.String(element, boot.Kernel) },
                "initrd" => boot with { Initrd = GoJsonDecoding.StringList(element) },
                _ => boot with { Args = GoJsonDecoding.StringList(element) },
            };
        }
        return boot;
    }
}
