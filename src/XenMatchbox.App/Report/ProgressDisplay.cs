using System.Diagnostics;
using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Progress of the downloads, drawn as the Domain words it: on a terminal (libxl runs bootloaders on
/// a pty, which `xl create -c` shows) one line per asset, redrawn at most ten times a second; else one
/// summary line per asset on standard error; nothing under --quiet.
/// </summary>
internal sealed class ProgressDisplay
{
    private const long RedrawTicks = TimeSpan.TicksPerSecond / Limits.ProgressRedrawsPerSecond;

    private readonly Lock gate = new();
    private readonly bool terminal;
    private readonly List<Asset> assets = [];
    private int drawnLines;
    private long lastDraw;

    private ProgressDisplay(bool terminal) => this.terminal = terminal;

    /// <summary>The display for the mode Boot.prepare chose; null when silent.</summary>
    public static ProgressDisplay? For(Boot.ProgressMode mode) =>
        mode.IsSilent ? null : new ProgressDisplay(mode.IsRedrawn);

    private sealed class Asset(string name)
    {
        public string Name { get; } = name;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public long Received;
        public long? Total;
        public bool Downloaded;
        public string? Final;
    }

    /// <summary>Starts the clock of one asset (kernel, ramdisk).</summary>
    public void Start(string name)
    {
        lock (gate)
        {
            Find(name);
        }
    }

    /// <summary>Bytes of <paramref name="name"/> so far, and the total when known; from the copying thread.</summary>
    public void Report(string name, long received, long? total)
    {
        lock (gate)
        {
            var asset = Find(name);
            asset.Received = received;
            asset.Total = total;
            asset.Downloaded = true;
            var now = Stopwatch.GetTimestamp();
            if (terminal && now - lastDraw >= RedrawTicks * Stopwatch.Frequency / TimeSpan.TicksPerSecond)
            {
                lastDraw = now;
                Draw();
            }
        }
    }

    /// <summary>The asset is complete at <paramref name="bytes"/>; nothing downloaded means the cache had it.</summary>
    public void Finish(string name, long bytes, IEnumerable<Trust.Signer> signers)
    {
        lock (gate)
        {
            var asset = Find(name);
            asset.Final = Progress.verified(
                Progress.summary(name, bytes, asset.Clock.Elapsed.TotalSeconds, !asset.Downloaded), ListModule.OfSeq(signers));
            if (terminal)
            {
                Draw();
            }
            else
            {
                StandardStreams.Error.WriteLine($"xenmatchbox: {asset.Final}");
            }
        }
    }

    private Asset Find(string name)
    {
        var asset = assets.FirstOrDefault(a => a.Name == name);
        if (asset is null)
        {
            asset = new Asset(name);
            assets.Add(asset);
        }
        return asset;
    }

    /// <summary>Moves up over the lines drawn before and draws every asset's line again.</summary>
    private void Draw()
    {
        var text = new System.Text.StringBuilder();
        if (drawnLines > 0)
        {
            text.Append($"\x1b[{drawnLines}A");
        }
        foreach (var asset in assets)
        {
            var line = asset.Final ?? Progress.line(asset.Name, asset.Received, asset.Total.AsOption(), asset.Clock.Elapsed.TotalSeconds);
            text.Append('\r').Append(line).Append("\x1b[K\n");
        }
        drawnLines = assets.Count;
        StandardStreams.Out.Write(text.ToString());
        StandardStreams.Out.Flush();
    }
}
