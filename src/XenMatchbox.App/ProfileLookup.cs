using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>What the lookup found: the labels it used, those the args expand with, the route and the profile.</summary>
internal sealed record LookupResult(Labels.Labels Labels, Labels.Labels Expansion, Boot.LookupRoute Route, Plan.UnvalidatedProfile Profile);

/// <summary>
/// Looks the profile up by the route the Domain names (gRPC with a client certificate, else
/// /ipxe), from each --server in turn until one answers (notes on the way through say), with the domain's own uuid and name when a label or the args need them.
/// </summary>
internal static class ProfileLookup
{
    public static async Task<LookupResult> SelectAsync(
        CommandLine.Settings settings, TlsMaterial tls, XenstoreIdentity? identity, HttpClient http, Action<string> say, CancellationToken cancel)
    {
        // The domain's identity, read now if not yet (a restricted boot read it before the drop:
        // it could not now), for the label that needs it.
        async Task<XenstoreIdentity> RequireAsync(string key)
        {
            identity ??= await XenstoreIdentity.ReadAsync(settings, cancel);
            return identity.Identity is null ? throw identity.Unavailable(key) : identity;
        }

        if (!settings.Lookup.FromDomain.IsEmpty)
        {
            await RequireAsync(settings.Lookup.FromDomain.Head);
        }
        var labels = Labels.complete(settings.Lookup, ListModule.OfSeq(identity?.Labels ?? []), identity?.Failure ?? "").OrFail();
        // Each --server in turn, as the Domain's Failover orders the tries; the route that answered
        // is kept, since relative asset paths resolve against its host.
        var (route, profile) = await Retries.AcrossServersAsync(Boot.routes(settings.Server, labels), async (route, lastTry) => (route, route switch
        {
            Boot.LookupRoute.Grpc grpc => await MatchboxLookup.SelectProfileAsync(grpc.endpoint, tls, labels, settings.Limits, lastTry, cancel),
            Boot.LookupRoute.Ipxe ipxe => await IpxeLookup.SelectProfileAsync(http, ipxe.endpoint, ipxe.url, labels, settings.Limits, cancel),
            _ => throw new InvalidOperationException("unknown lookup route"),
        }), say, cancel);
        var expansion = Boot.missingDomainLabel(labels, profile).ValueOrNull() is { } missing
            ? Labels.extend(labels, ListModule.OfSeq((await RequireAsync(missing)).Labels))
            : labels;
        return new LookupResult(labels, expansion, route, profile);
    }
}
