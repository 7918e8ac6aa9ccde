using System.Security.Cryptography;
using XenMatchbox.TestServer;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// One matchbox-compatible server for a test collection: random asset files under /assets/, and
/// one group per scenario, selected by the label "case" (plus a MAC where the scenario needs one).
/// </summary>
public sealed class MatchboxFixture : IAsyncLifetime
{
    public const string Mac = "52:54:00:aa:bb:cc";

    private readonly string assets = Directory.CreateTempSubdirectory("xmb-assets-").FullName;
    private readonly Dictionary<string, MatchboxProfile> profiles = [];
    private readonly List<MatchboxGroup> groups = [];

    public MatchboxTestServer Server { get; private set; } = null!;

    /// <summary>The directory served as /assets/ (for another server serving the same files).</summary>
    public string AssetsPath => assets;

    public byte[] Kernel { get; } = RandomNumberGenerator.GetBytes(1 << 20);
    public byte[] InitrdA { get; } = RandomNumberGenerator.GetBytes(300_000);
    public byte[] InitrdB { get; } = RandomNumberGenerator.GetBytes(70_001);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(assets, "os"));
        await File.WriteAllBytesAsync(Path.Combine(assets, "os", "vmlinuz"), Kernel);
        await File.WriteAllBytesAsync(Path.Combine(assets, "os", "initrd-a.img"), InitrdA);
        await File.WriteAllBytesAsync(Path.Combine(assets, "os", "initrd-b.img"), InitrdB);
        Server = await MatchboxTestServer.StartAsync(new MatchboxTestServerOptions
        {
            Store = new EmptyStore(),
            AssetsPath = assets,
            RecordClientUids = true,   // RestrictedModeTests checks which uid connected
        });
    }

    /// <summary>The selector of a scenario: the label "case" with the scenario's name.</summary>
    public static Dictionary<string, string> Case(string name) => new() { ["case"] = name };

    /// <summary>Adds a group selecting <paramref name="selector"/> that boots <paramref name="boot"/>.</summary>
    public void AddScenario(string name, MatchboxBoot? boot, IReadOnlyDictionary<string, string> selector, bool profileExists = true)
    {
        lock (groups)
        {
            groups.Add(new MatchboxGroup { Id = name, Profile = name, Selector = selector });
            if (profileExists)
            {
                profiles[name] = new MatchboxProfile { Id = name, Boot = boot };
            }
            Server.Store = new FixedStore(groups, profiles.Values);
        }
    }

    /// <summary>Serves the kernel's bytes at another /assets/ path too (for a fault on that path alone).</summary>
    public void ServeKernelAt(string urlPath)
    {
        var file = Path.Combine(assets, urlPath["/assets/".Length..]);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, Kernel);
    }

    /// <summary>Serves <paramref name="bytes"/> at an /assets/ path (an empty file, say).</summary>
    public void ServeAt(string urlPath, byte[] bytes)
    {
        var file = Path.Combine(assets, urlPath["/assets/".Length..]);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>bootloader_args with mutual TLS files of the server's own PKI.</summary>
    public List<string> BootloaderArgs(params string[] lookups)
    {
        var files = Server.CertificateFiles!;
        var args = new List<string>
        {
            "--server", "127.0.0.1",
            "--httpport", Server.HttpPort.ToString(),
            "--grpcport", Server.GrpcPort.ToString(),
            "--ca", files.CaFile,
            "--cert", files.ClientCertFile,
            "--key", files.ClientKeyFile,
        };
        foreach (var lookup in lookups)
        {
            args.Add("--lookup");
            args.Add(lookup);
        }
        return args;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(assets, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class MatchboxCollection : ICollectionFixture<MatchboxFixture>
{
    public const string Name = "matchbox";
}
