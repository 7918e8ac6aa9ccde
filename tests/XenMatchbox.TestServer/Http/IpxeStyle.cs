namespace XenMatchbox.TestServer;

/// <summary>Which matchbox release's <c>/ipxe</c> script shape to render.</summary>
public enum IpxeStyle
{
    /// <summary>matchbox v0.7.0 and later: one <c>initrd &lt;element&gt;</c> line per initrd, none when there are none.</summary>
    Current,

    /// <summary>matchbox v0.6.1 and earlier: one <c>initrd </c> line with every element followed by a space.</summary>
    LegacyV061,
}
