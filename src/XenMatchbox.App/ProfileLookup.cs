using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// What the lookup found: the labels it used, those the args expand with, the route, the profile,
/// and the key whose signature vouched for it (HTTP-only under --lookup-key; else null).
/// </summary>
internal sealed record LookupResult(
    Labels.Labels Labels, Labels.Labels Expansion, Boot.LookupRoute Route, Plan.UnvalidatedProfile Profile, Trust.Signer? Signer);

/// <summary>
/// Looks the profile up by the route the Domain names (gRPC with a client certificate, else
/// /ipxe), with the domain's own uuid and name when a label or the args need them.
/// </summary>
internal static class ProfileLookup
{
    public static async Task<LookupResult> SelectAsync(
        CommandLine.Settings settings, TlsMaterial tls, KeyRing? keys, XenstoreIdentity? identity, AssetHttp http, CancellationToken cancel)
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
        var route = Boot.route(settings.Server, labels);
        var (profile, signer) = route switch
        {
            Boot.LookupRoute.Grpc grpc => (await MatchboxLookup.SelectProfileAsync(grpc.endpoint, tls, labels, settings.Limits, cancel), null),
            Boot.LookupRoute.Ipxe ipxe => await IpxeLookup.SelectProfileAsync(http, ipxe, keys, labels, settings.Limits, cancel),
            _ => throw new InvalidOperationException("unknown lookup route"),
        };
        var expansion = Boot.missingDomainLabel(labels, profile).ValueOrNull() is { } missing
            ? Labels.extend(labels, ListModule.OfSeq((await RequireAsync(missing)).Labels))
            : labels;
        return new LookupResult(labels, expansion, route, profile, signer);
    }
}
