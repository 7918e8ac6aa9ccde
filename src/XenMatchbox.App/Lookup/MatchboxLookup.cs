using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;
using XenMatchbox.Matchbox.Rpc;
using XenMatchbox.Matchbox.Server;

namespace XenMatchbox.App;

/// <summary>Asks matchbox's rpcpb.Select service for the profile matching the labels, over mutual TLS.</summary>
internal static class MatchboxLookup
{

    /// <summary>
    /// Asks matchbox at <paramref name="endpoint"/> (host:port, see Boot.route) for the labels'
    /// profile, once, within <paramref name="time"/> (connecting, then the whole answer; see
    /// Failover.tryTime): Retries.AcrossServersAsync owns the retries and the move to the next server.
    /// </summary>
    public static async Task<Profile.UnvalidatedProfile> SelectProfileAsync(
        string endpoint, TlsMaterial tls, Labels.Labels labels, Limits.TryTime time, CancellationToken cancel)
    {
        // The anchors the Domain trusts for gRPC (--ca alone, never the system store); the platform
        // judges the chain by them. The host name check stays on.
        var anchors = TlsFailure.trustedAnchors(TlsFailure.Connection.Grpc, tls.AuthoritiesFile.AsOption(), FSharpOption<string>.None).Single();
        var request = new SelectProfileRequest();
        foreach (var (key, value) in Labels.toPairs(labels))
        {
            request.Labels[key] = value;
        }
        // A channel per try: a gRPC channel whose connection failed backs off on its own and
        // fails the calls meanwhile with the old error, so a retry on it would never see a
        // matchbox that has come back (restarted) in between. Retries.AcrossServersAsync owns the backoff.
        var witness = new TlsWitness();
        var host = new Uri($"https://{endpoint}").Host;
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(time.ConnectMilliseconds),
            // Its connections keep the first bytes the server sends: an answer that is not TLS is named.
            ConnectCallback = witness.ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
                // matchbox accepts any certificate its CA signed; ours is always presented.
                ClientCertificates = [tls.ClientCertificate!],
                CertificateChainPolicy = CustomRoots.Policy(tls.Anchors(anchors)),
                // The platform judges by the policy; a certificate it refuses is noted with that
                // chain's status, for TlsFailure to name why.
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (errors != SslPolicyErrors.None)
                    {
                        witness.Refused(host, certificate, errors, chain is null || !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors)
                            ? []
                            : [new TlsFailure.Chain(TlsFailure.anchorsName(anchors), CustomRoots.Status(chain))]);
                    }
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        using var channel = GrpcChannel.ForAddress($"https://{endpoint}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = Limits.MaxGrpcAnswerBytes,
        });
        var client = new Select.SelectClient(channel);
        try
        {
            // matchbox sets no deadline of its own: connecting and answering are bounded here.
            var deadline = DateTime.UtcNow.AddMilliseconds(time.AnswerMilliseconds);
            var reply = await client.SelectProfileAsync(request, deadline: deadline, cancellationToken: cancel);
            return ToUnvalidated(reply.Profile, labels);
        }
        catch (RpcException e) when (!cancel.IsCancellationRequested)
        {
            throw new BootFailure(Classify(e, endpoint, labels, time, witness.Facts(host)), e);
        }
    }

    private static Profile.UnvalidatedProfile ToUnvalidated(XenMatchbox.Matchbox.Storage.Profile? profile, Labels.Labels labels)
    {
        if (profile is null)
        {
            throw new BootFailure(LookupError.NewNoMatchingProfile(Labels.display(labels)));
        }
        var boot = profile.Boot;
        return new Profile.UnvalidatedProfile(
            profile.Id,
            boot?.Kernel ?? "",
            Microsoft.FSharp.Collections.ListModule.OfSeq(boot?.Initrd ?? Enumerable.Empty<string>()),
            Microsoft.FSharp.Collections.ListModule.OfSeq(boot?.Args ?? Enumerable.Empty<string>()));
    }

    /// <summary>
    /// Names what went wrong from what the gRPC stack reports (the status, its detail and the
    /// exception chain) and what the client saw of the server's TLS, judged by <see cref="GrpcFailure.classify"/>.
    /// </summary>
    private static Errors.BootError Classify(RpcException e, string endpoint, Labels.Labels labels, Limits.TryTime time, TlsFailure.Facts? tls)
    {
        var facts = new GrpcFailure.Facts(e.StatusCode.ToString(), e.Status.Detail, ExceptionChain.Causes(e.Status.DebugException), tls.AsOption());
        return GrpcFailure.classify(endpoint, Labels.display(labels), time, facts);
    }
}
