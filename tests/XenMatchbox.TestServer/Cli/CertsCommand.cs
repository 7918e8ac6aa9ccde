namespace XenMatchbox.TestServer;

/// <summary><c>certs</c>: write a test PKI (CA, server and client certificates and keys) as PEM files.</summary>
internal static class CertsCommand
{
    public static readonly IReadOnlySet<string> ValueFlags = new HashSet<string> { "out", "san", "key-type" };

    public static readonly IReadOnlySet<string> Switches = new HashSet<string> { "server-expired" };

    public static int Run(Flags flags)
    {
        var directory = flags.Required("out");
        var names = (flags.Value("san") ?? string.Join(',', TestCertificates.LoopbackNames))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            throw new UsageException("--san: give at least one DNS name or IP address");
        }
        var algorithm = flags.Value("key-type") switch
        {
            null or "ecdsa" => KeyAlgorithm.Ecdsa,
            "rsa" => KeyAlgorithm.Rsa,
            var other => throw new UsageException($"--key-type: '{other}' is not ecdsa or rsa"),
        };
        using var certificates = TestCertificates.Create(names, algorithm);
        var files = certificates.WriteTo(directory);
        if (flags.Switch("server-expired"))
        {
            // The same names and CA, but a server certificate that expired yesterday.
            using var expired = certificates.IssueExpiredServer(names);
            TestCertificates.WritePem(expired, files.ServerCertFile, files.ServerKeyFile);
        }
        Console.Out.WriteLine($"wrote {files.CaFile} {files.ServerCertFile} {files.ServerKeyFile} {files.ClientCertFile} {files.ClientKeyFile}");
        return (int)ExitCode.Ok;
    }
}
