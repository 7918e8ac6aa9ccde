namespace XenMatchbox.TestServer;

/// <summary>What both listeners share and tests may change while the server runs.</summary>
internal sealed class ServerState(IMatchboxStore store, string? assetsPath, IpxeStyle ipxeStyle, bool recordClientUids)
{
    private volatile IMatchboxStore store = store;
    private volatile IpxeStyle ipxeStyle = ipxeStyle;

    public IMatchboxStore Store
    {
        get => store;
        set => store = value ?? throw new ArgumentNullException(nameof(value));
    }

    public IpxeStyle IpxeStyle
    {
        get => ipxeStyle;
        set => ipxeStyle = value;
    }

    /// <summary>Signs /ipxe for /ipxe.sig and /ipxe.asc; null answers those with 404, as matchbox without -key-ring-path.</summary>
    public IDetachedSigner? IpxeSigner
    {
        get => Volatile.Read(ref ipxeSigner);
        set => Volatile.Write(ref ipxeSigner, value);
    }

    private IDetachedSigner? ipxeSigner;

    /// <summary>The assets directory, or null when <c>/assets/</c> is disabled.</summary>
    public string? AssetsPath { get; } = assetsPath is null ? null : Path.GetFullPath(assetsPath);

    public RequestCounters Counters { get; } = new();

    public AssetFaults Faults { get; } = new();

    /// <summary>When set, the status every rpcpb.Select call answers instead of selecting.</summary>
    public Grpc.Core.Status? SelectAnswer { get; set; }

    /// <summary>Whether each connection's client uid is looked up (in /proc/net/tcp; ~6 ms a connection).</summary>
    public bool RecordClientUids { get; } = recordClientUids;

    /// <summary>Every accepted connection on either listener, with the client socket's uid when recorded.</summary>
    public RecordLog<ClientConnection> Connections { get; } = new();

    /// <summary>The labels of every SelectGroup/SelectProfile call, copied as received.</summary>
    public RecordLog<IReadOnlyDictionary<string, string>> Labels { get; } = new();
}
