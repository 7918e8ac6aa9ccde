using System.Text;

namespace XenMatchbox.TestServer;

/// <summary>
/// matchbox's <c>/ipxe</c> body for a profile's boot settings. Lines end in LF; the kernel line is
/// <c>kernel &lt;kernel&gt;</c> followed by " &lt;arg&gt;" per argument; strings are inserted verbatim
/// (<c>${…}</c> is left for the client to expand).
/// </summary>
internal static class IpxeScript
{
    /// <summary>The script, or null when the profile has no boot settings (matchbox then answers 404).</summary>
    public static string? Render(MatchboxBoot? boot, IpxeStyle style)
    {
        if (boot is null)
        {
            return null;
        }
        var script = new StringBuilder("#!ipxe\n");
        script.Append("kernel ").Append(boot.Kernel);
        foreach (var arg in boot.Args)
        {
            script.Append(' ').Append(arg);
        }
        script.Append('\n');
        if (style == IpxeStyle.LegacyV061)
        {
            script.Append("initrd ");
            foreach (var initrd in boot.Initrd)
            {
                script.Append(initrd).Append(' ');
            }
            script.Append('\n');
        }
        else
        {
            foreach (var initrd in boot.Initrd)
            {
                script.Append("initrd ").Append(initrd).Append('\n');
            }
        }
        return script.Append("boot\n").ToString();
    }
}
