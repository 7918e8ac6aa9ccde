namespace XenMatchbox.TestServer;

/// <summary>A matchbox profile: how a matched machine boots.</summary>
public sealed record MatchboxProfile
{
    /// <summary>Profile id; a profile with an empty id is treated as missing, as matchbox does.</summary>
    public string Id { get; init; } = "";

    /// <summary>Human-readable name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Name of an Ignition template (returned, never rendered, by this server).</summary>
    public string IgnitionId { get; init; } = "";

    /// <summary>Name of a cloud-config template (returned, never rendered, by this server).</summary>
    public string CloudId { get; init; } = "";

    /// <summary>Name of a generic template (returned, never rendered, by this server).</summary>
    public string GenericId { get; init; } = "";

    /// <summary>Network boot settings; null when the profile has none (then <c>/ipxe</c> is a 404).</summary>
    public MatchboxBoot? Boot { get; init; }
}
