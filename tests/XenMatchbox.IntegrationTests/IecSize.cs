using System.Globalization;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The sizes check and show print, written from the rule README's Flags section documents (IEC
/// units; exact below 1 KiB; one decimal below 100 of a unit, none from 100; the largest unit
/// whose rounded value is below 1024), not from the program's code: what a test expects.
/// </summary>
internal static class IecSize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Of(long bytes)
    {
        if (bytes < 1024)
        {
            return $"{Math.Max(0, bytes)} B";
        }
        var scale = 1024m;
        foreach (var unit in Units)
        {
            var value = bytes / scale;
            var tenths = Math.Round(value, 1, MidpointRounding.AwayFromZero);
            if (tenths < 100m)
            {
                return tenths.ToString("0.0", CultureInfo.InvariantCulture) + " " + unit;
            }
            var whole = Math.Round(value, 0, MidpointRounding.AwayFromZero);
            if (whole < 1024m || unit == Units[^1])
            {
                return whole.ToString("0", CultureInfo.InvariantCulture) + " " + unit;
            }
            scale *= 1024m;
        }
        throw new InvalidOperationException("unreachable");
    }
}
