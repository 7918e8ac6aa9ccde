using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using XenMatchbox.Domain;
using XenMatchbox.Matchbox.Rpc;
using XenMatchbox.Matchbox.Server;

namespace XenMatchbox.App;

/// <summary>Asks matchbox's rpcpb.Select service for the profile matching the labels, over mutual TLS.</summary>
internal static class MatchboxLookup
{
    /// <summary>A hostile server cannot make us hold more than this of one answer in memory.</summary>
    private const int MaxReplyBytes = 1 << 20;

    public static async Task<Plan.UnvalidatedProfile> SelectProfileAsync(
        CommandLine.ServerSettings server, TlsMaterial tls, Labels.Labels labels, CommandLine.BootLimits limits, CancellationToken cancel)
    {
        var endpoint = $"{HostForUrl(server.Host)}:{server.GrpcPort}";
        // Trust only the CA given with --ca, never the system store. The host name check stays on.
        var trust = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        trust.CustomTrustStore.AddRange(tls.Authorities);
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(limits.ConnectSeconds),
            SslOptions = new SslClientAuthenticationOptions
            {
                // matchbox accepts any certificate its CA signed; ours is always presented.
                ClientCertificates = [tls.ClientCertificate!],
                CertificateChainPolicy = trust,
            },
        };
        using var channel = GrpcChannel.ForAddress($"https://{endpoint}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReplyBytes,
        });
        var request = new SelectProfileRequest();
        foreach (var (key, value) in Labels.toPairs(labels))
        {
            request.Labels[key] = value;
        }
        var client = new Select.SelectClient(channel);
        return await Retries.RunAsync(async () =>
        {
            try
            {
                // matchbox sets no deadline of its own: connecting and answering are bounded here.
                var deadline = DateTime.UtcNow.AddSeconds(limits.ConnectSeconds + limits.ReadSeconds);
                var reply = await client.SelectProfileAsync(request, deadline: deadline, cancellationToken: cancel);
                return ToUnvalidated(reply.Profile, labels);
            }
            catch (RpcException e) when (!cancel.IsCancellationRequested)
            {
                throw new BootFailure(Classify(e, endpoint, labels, limits), e);
            }
        }, cancel);
    }

    private static Plan.UnvalidatedProfile ToUnvalidated(XenMatchbox.Matchbox.Storage.Profile? profile, Labels.Labels labels)
    {
        if (profile is null)
        {
            throw new BootFailure(Errors.BootError.NewNoMatchingProfile(Labels.display(labels)));
        }
        var boot = profile.Boot;
        return new Plan.UnvalidatedProfile(
            profile.Id,
            boot?.Kernel ?? "",
            Microsoft.FSharp.Collections.ListModule.OfSeq(boot?.Initrd ?? Enumerable.Empty<string>()),
            Microsoft.FSharp.Collections.ListModule.OfSeq(boot?.Args ?? Enumerable.Empty<string>()));
    }

    /// <summary>Names what went wrong from what the gRPC stack reports.</summary>
    private static Errors.BootError Classify(RpcException e, string endpoint, Labels.Labels labels, CommandLine.BootLimits limits)
    {
        if (e.StatusCode == StatusCode.NotFound)
        {
            return e.Status.Detail.Contains("Profile", StringComparison.Ordinal)
                ? Errors.BootError.NewNoMatchingProfile(Labels.display(labels))
                : Errors.BootError.NewNoMatchingGroup(Labels.display(labels));
        }
        if (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return Errors.BootError.NewServerTimedOut(endpoint, $"no answer within {limits.ConnectSeconds + limits.ReadSeconds} s");
        }
        var chain = Causes(e.Status.DebugException).ToList();
        var text = string.Join(" ", chain.Select(x => x.Message));
        if (chain.Any(x => x is TimeoutException or OperationCanceledException))
        {
            return Errors.BootError.NewServerTimedOut(endpoint, $"no connection within {limits.ConnectSeconds} s");
        }
        if (text.Contains("frame size", StringComparison.Ordinal) || text.Contains("corrupted frame", StringComparison.Ordinal))
        {
            return Errors.BootError.NewLookupFailed(endpoint, "no TLS",
                "the port does not speak TLS; is --grpcport matchbox's gRPC port and not its HTTP port?");
        }
        if (text.Contains("RemoteCertificateNameMismatch", StringComparison.Ordinal))
        {
            return Errors.BootError.NewServerNameMismatch(endpoint, "RemoteCertificateNameMismatch");
        }
        if (text.Contains("RemoteCertificateChainErrors", StringComparison.Ordinal)
            || text.Contains("PartialChain", StringComparison.Ordinal)
            || text.Contains("UntrustedRoot", StringComparison.Ordinal))
        {
            return Errors.BootError.NewServerNotTrusted(endpoint, "the chain does not lead to the --ca certificate");
        }
        if (chain.OfType<SocketException>().FirstOrDefault() is { } socket)
        {
            return Errors.BootError.NewServerUnreachable(endpoint, socket.Message);
        }
        if (chain.Any(x => x is AuthenticationException) || text.Contains("HTTP/2", StringComparison.Ordinal)
            && e.StatusCode == StatusCode.Unavailable)
        {
            return Errors.BootError.NewClientCertificateRefused(endpoint, FirstLine(e.Status.Detail));
        }
        if (e.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Unavailable)
        {
            return Errors.BootError.NewServerUnreachable(endpoint, FirstLine(e.Status.Detail));
        }
        return Errors.BootError.NewLookupFailed(endpoint, e.StatusCode.ToString(), FirstLine(e.Status.Detail));
    }

    private static IEnumerable<Exception> Causes(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];

    internal static string HostForUrl(string host) => host.Contains(':') ? $"[{host}]" : host;
}
