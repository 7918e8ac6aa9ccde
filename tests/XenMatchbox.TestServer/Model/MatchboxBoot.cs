namespace XenMatchbox.TestServer;

/// <summary>A profile's network boot settings, written for iPXE and returned verbatim.</summary>
public sealed record MatchboxBoot
{
    /// <summary>Kernel reference: a server-relative path, an absolute URL, or GRUB device syntax.</summary>
    public string Kernel { get; init; } = "";

    /// <summary>Initrd references in boot order; an element may carry iPXE options (<c>--name main /assets/x</c>).</summary>
    public IReadOnlyList<string> Initrd { get; init; } = [];

    /// <summary>Kernel arguments, one per element.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];
}
