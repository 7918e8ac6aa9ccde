using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Console;

namespace XenMatchbox.TestServer;

/// <summary>
/// <c>serve</c>: run the server on a data directory with matchbox's flag names until SIGTERM or SIGINT.
/// Like matchbox, the data directory must exist, and gRPC needs all three TLS files to exist.
/// </summary>
internal static class ServeCommand
{
    public static readonly IReadOnlySet<string> ValueFlags = new HashSet<string>
    {
        "data-path", "assets-path", "address", "rpc-address", "ca-file", "cert-file", "key-file", "ipxe-style", "counters-file", "key-ring-path",
    };

    public static readonly IReadOnlySet<string> Switches = new HashSet<string> { "verbose" };

    public static async Task<int> RunAsync(Flags flags)
    {
        var options = Options(flags);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        MatchboxTestServer server;
        try
        {
            server = await MatchboxTestServer.StartAsync(options);
        }
        catch (Exception e)
        {
            // A port in use, unreadable PEM files, a key that does not fit its certificate: say which.
            await Console.Error.WriteLineAsync($"xenmatchbox-testserver: cannot start: {e.Message}");
            return (int)ExitCode.Failed;
        }
        await using (server)
        {
            var grpc = server.GrpcEndPoint?.ToString() ?? "off";
            Console.Out.WriteLine($"ready http={server.HttpEndPoint} grpc={grpc}");
            Console.Out.Flush();
            if (flags.Value("counters-file") is { Length: > 0 } countersFile)
            {
                await Task.WhenAny(stop.Task, KeepWritingCountersAsync(server.Counters, countersFile, stop.Task));
            }
            await stop.Task;
        }
        return (int)ExitCode.Ok;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // stop cleanly instead of the runtime's default termination
            stop.TrySetResult();
        }
    }

    /// <summary>
    /// --counters-file: "PATH REQUESTS BODY-BYTES" per path served so far, rewritten (atomically)
    /// within 50 ms of any change, for benchmarks that count what the server sent.
    /// </summary>
    private static async Task KeepWritingCountersAsync(RequestCounters counters, string path, Task stopped)
    {
        var last = "";
        while (!stopped.IsCompleted)
        {
            var text = string.Concat(counters.Snapshot().OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key} {p.Value.Requests} {p.Value.BodyBytes}\n"));
            if (text != last)
            {
                await File.WriteAllTextAsync(path + ".new", text);
                File.Move(path + ".new", path, overwrite: true);
                last = text;
            }
            await Task.WhenAny(stopped, Task.Delay(50));
        }
    }

    private static MatchboxTestServerOptions Options(Flags flags)
    {
        var dataPath = flags.Required("data-path");
        if (!Directory.Exists(dataPath))
        {
            throw new UsageException($"--data-path: directory '{dataPath}' does not exist");
        }
        var rpcAddress = flags.Value("rpc-address") is { Length: > 0 } rpc ? ListenAddress.Parse("rpc-address", rpc) : null;
        return new MatchboxTestServerOptions
        {
            Store = new FileStore(dataPath),
            AssetsPath = flags.Value("assets-path") is { Length: > 0 } assets ? assets : null,
            HttpEndPoint = ListenAddress.Parse("address", flags.Value("address") ?? "127.0.0.1:8080"),
            GrpcEndPoint = rpcAddress,
            TlsFiles = rpcAddress is null ? null : new ServerTlsFiles(ExistingFile(flags, "ca-file"), ExistingFile(flags, "cert-file"), ExistingFile(flags, "key-file")),
            IpxeStyle = flags.Value("ipxe-style") switch
            {
                null or "current" => IpxeStyle.Current,
                "v0.6.1" => IpxeStyle.LegacyV061,
                var other => throw new UsageException($"--ipxe-style: '{other}' is not current or v0.6.1"),
            },
            ConfigureLogging = flags.Switch("verbose") ? LogToStandardError : null,
            IpxeSigner = flags.Value("key-ring-path") is { Length: > 0 } ? new KeyRingSigner(ExistingFile(flags, "key-ring-path")) : null,
        };
    }

    private static string ExistingFile(Flags flags, string name)
    {
        var file = flags.Required(name);
        return File.Exists(file) ? file : throw new UsageException($"--{name}: file '{file}' does not exist");
    }

    // stdout carries only the ready line, so scripts can read it.
    private static void LogToStandardError(ILoggingBuilder logging) =>
        logging
            .AddSimpleConsole(format => format.SingleLine = true)
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            .Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
}
