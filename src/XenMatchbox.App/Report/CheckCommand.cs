using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The check command: the Domain lists the checks for the settings (Check.items); for each, the
/// shell finds what there is (reads the files, connects, asks HEAD) with the pieces a boot uses,
/// and the Domain judges it into lines, printed as they come. A check that fails does not stop the
/// others; one that depends on a failed one is not tried (Check.blocked). The whole stays inside
/// the --timeout deadline of <see cref="RunGuard"/>.
/// </summary>
internal static class CheckCommand
{
    public static async Task<int> RunAsync(RunGuard guard, CommandLine.Settings settings, FSharpList<CommandLine.RootFile> rootFiles, string? configFile)
    {
        guard.StartDeadline(settings.Limits.DeadlineSeconds.AsNullable());
        var cancel = guard.Token;
        var lines = new List<Check.Line>();
        TlsMaterial? tls = null;
        foreach (var item in Check.items(configFile.AsOption(), rootFiles, settings))
        {
            var finding = Check.blocked(ListModule.OfSeq(lines), item).ValueOrNull() is { } reason
                ? Check.Finding.NewNotTried(reason)
                : await FindAsync(item, settings, tls, found => tls = found, guard.MillisecondsLeft, cancel);
            foreach (var line in Check.judge(DateTimeOffset.UtcNow, item, finding))
            {
                lines.Add(line);
                await StandardStreams.Out.WriteAsync(Check.renderLine(line));
            }
        }
        await StandardStreams.Out.WriteAsync(Check.summary(ListModule.OfSeq(lines)));
        await StandardStreams.Out.FlushAsync(cancel);
        return Check.exitStatus(ListModule.OfSeq(lines));
    }

    private static async Task<Check.Finding> FindAsync(
        Check.Item item, CommandLine.Settings settings, TlsMaterial? tls, Action<TlsMaterial> loaded, Func<long?> millisecondsLeft, CancellationToken cancel)
    {
        // What a boot would end with, as the finding's error; anything else is the guard's.
        static async Task<FSharpResult<T, Errors.BootError>> Try<T>(Func<Task<T>> find, CancellationToken cancel)
        {
            try
            {
                return FSharpResult<T, Errors.BootError>.NewOk(await find());
            }
            catch (BootFailure failure) when (!cancel.IsCancellationRequested)
            {
                return FSharpResult<T, Errors.BootError>.NewError(failure.Error);
            }
        }
        var withoutClient = tls ?? new TlsMaterial([], [], null);
        switch (item)
        {
            case var _ when item.IsTlsFiles:
                return Check.Finding.NewTlsRead(await Try(() => Task.Run(() =>
                {
                    var material = TlsMaterial.Load(settings.Server);
                    loaded(material);
                    return new Check.TlsFound(ListModule.OfSeq(material.Described(settings.Server)), Chain(material));
                }, cancel).WaitAsync(cancel), cancel));
            case Check.Item.KeyFile key:
                return Check.Finding.NewKeysRead(await Try(() => Task.Run(() => Trust.keys(DateTimeOffset.UtcNow, KeyRing.Load(key.flag, [key.path]).Keys), cancel).WaitAsync(cancel), cancel));
            case Check.Item.Lookup { route: Boot.LookupRoute.Grpc grpc }:
                return Check.Finding.NewAnswered(await Try(async () =>
                {
                    await MatchboxLookup.SelectProfileAsync(
                        grpc.endpoint, withoutClient, Check.probeLabels, Limits.tryTime(settings.Limits.ConnectSeconds, settings.Limits.ReadSeconds, null), cancel);
                    return default(Unit)!;
                }, cancel));
            case Check.Item.HttpRoot root:
                return Check.Finding.NewRootSaid(await Try(async () =>
                {
                    using var http = new AssetHttp(withoutClient, settings.Limits, Transfer.redirectRule(settings.Server.WebSsl));
                    // Judged on its start, however long the answer: a web page is not matchbox.
                    var body = await http.GetStartAsync(root.url, RootAnswerBytes, cancel);
                    return Encoding.UTF8.GetString(body).Split('\n')[0];
                }, cancel));
            case Check.Item.CacheDirectory cache:
                return Check.Finding.NewCacheProbed(await Task.Run(() => ProbeCache(cache.cache.Directory), cancel).WaitAsync(cancel));
            case Check.Item.DomainIdentity identity:
                var read = await XenstoreIdentity.ReadAsync(settings, cancel);
                return Check.Finding.NewIdentityRead(read.Identity is null
                    ? FSharpResult<FSharpList<Tuple<string, string>>, Errors.BootError>.NewError(read.Unavailable(identity.keys).Error)
                    : FSharpResult<FSharpList<Tuple<string, string>>, Errors.BootError>.NewOk(ListModule.OfSeq(read.Labels)));
            case Check.Item.Profile:
                return Check.Finding.NewProfileFound(await Try(() => ProbeProfileAsync(settings, withoutClient, millisecondsLeft, cancel), cancel));
            default:
                return Check.Finding.Parsed;
        }
    }

    /// <summary>matchbox's / answers "matchbox" and a newline; a few KiB are more than enough to tell.</summary>
    private const int RootAnswerBytes = Limits.MaxRootAnswerBytes;

    /// <summary>Whether the client certificate chains to --ca alone, as matchbox's check of it does.</summary>
    private static FSharpOption<FSharpResult<Unit, string>> Chain(TlsMaterial tls)
    {
        if (tls.ClientCertificate is not { } client)
        {
            return FSharpOption<FSharpResult<Unit, string>>.None;
        }
        // Expiry has its own line: the chain is judged as of the certificate's own validity.
        using var chain = new X509Chain { ChainPolicy = CustomRoots.Policy(tls.Authorities, ignoreDates: true) };
        var built = chain.Build(client);
        var status = string.Join(", ", CustomRoots.Status(chain));
        return FSharpOption<FSharpResult<Unit, string>>.Some(built
            ? FSharpResult<Unit, string>.NewOk(null!)
            : FSharpResult<Unit, string>.NewError(status.Length > 0 ? status : "no chain"));
    }

    /// <summary>
    /// What stands at the cache directory's path, and whether a boot could store there: asked of
    /// the kernel (access(2): write and search), so that check writes nothing and makes no
    /// directory. A missing directory is judged by the nearest one above it, where a boot makes it.
    /// </summary>
    private static Check.CacheFound ProbeCache(string directory)
    {
        static FSharpResult<Unit, string> Writable(string path) =>
            Posix.Access(path, Posix.W_OK | Posix.X_OK) is { } why
                ? FSharpResult<Unit, string>.NewError(why)
                : FSharpResult<Unit, string>.NewOk(null!);
        static FSharpOption<long> Free(string path)
        {
            try
            {
                return FSharpOption<long>.Some(new DriveInfo(path).AvailableFreeSpace);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return FSharpOption<long>.None;
            }
        }
        for (var path = directory; ; path = Path.GetDirectoryName(path) ?? "/")
        {
            if (Directory.Exists(path))
            {
                return path == directory
                    ? Check.CacheFound.NewPresent(Writable(path), Free(path))
                    : Check.CacheFound.NewMissing(path, Writable(path), Free(path));
            }
            if (File.Exists(path) || path == "/")
            {
                return Check.CacheFound.NewUnusable(path == directory ? "it is not a directory" : $"{path} is not a directory");
            }
        }
    }

    /// <summary>The lookup and the HEAD probes of show, for the report the Domain judges asset by asset.</summary>
    private static async Task<DryRun.Report> ProbeProfileAsync(CommandLine.Settings settings, TlsMaterial tls, Func<long?> millisecondsLeft, CancellationToken cancel)
    {
        var prepared = Boot.prepare(settings, standardOutputIsTerminal: false);
        var keys = await Task.Run(() => TrustKeys.Load(prepared), cancel).WaitAsync(cancel);
        using var downloader = new AssetDownloader(
            tls, OutputFiles.Unrestricted(linkCachedFiles: false), settings.Limits, Transfer.redirectRule(settings.Server.WebSsl), null, null, keys.Assets);
        var (found, run) = await PlanWork.LookUpAndPlanAsync(settings, tls, keys, null, downloader, millisecondsLeft, _ => { }, null, cancel);
        // check's settings are those of a dry run of the same flags (CommandLine.Invocation.Check).
        var probes = run.Work is Boot.Work.Show show ? show.probes : FSharpList<Boot.Probe>.Empty;
        return await PlanWork.ReportAsync(downloader, settings, run, found, probes, cancel);
    }
}
