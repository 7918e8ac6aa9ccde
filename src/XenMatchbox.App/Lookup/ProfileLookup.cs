using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// What the lookup found: the labels it used, those the args expand with, the route, the profile,
/// the key whose signature vouched for it and how old that signature was (HTTP-only under
/// --lookup-key; else null).
/// </summary>
internal sealed record LookupResult(
    Labels.Labels Labels, Labels.Labels Expansion, Boot.LookupRoute Route, Profile.UnvalidatedProfile Profile, Trust.Signer? Signer, Trust.Age? Age);

/// <summary>
/// Looks the profile up by the route the Domain names (gRPC with a client certificate, else
/// /ipxe), from each --server in turn until one answers (notes on the way through say), each try
/// within its share of the time left (<paramref name="millisecondsLeft"/>, the run's deadline), with
/// the domain's own uuid and name when a label or the args need them. <c>labelled</c> hears the
/// labels before the first server is asked.
/// </summary>
internal static class ProfileLookup
{
    public static async Task<LookupResult> SelectAsync(
        CommandLine.Settings settings, TlsMaterial tls, KeyRing? keys, XenstoreIdentity? identity, AssetHttp http, Func<long?> millisecondsLeft,
        Action<string> say, CancellationToken cancel, Action<Labels.Labels>? labelled = null)
    {
        // The domain's identity, read now if not yet (a restricted boot read it before the drop:
        // it could not now), for the label that needs it.
        async Task<XenstoreIdentity> RequireAsync(IEnumerable<string> keys)
        {
            identity ??= await XenstoreIdentity.ReadAsync(settings, cancel);
            return identity.Identity is null ? throw identity.Unavailable(keys) : identity;
        }

        if (!settings.Lookup.FromDomain.IsEmpty)
        {
            await RequireAsync(settings.Lookup.FromDomain);
        }
        var labels = Labels.complete(settings.Lookup, ListModule.OfSeq(identity?.Labels ?? []), identity?.Failure ?? "").OrFail();
        labelled?.Invoke(labels);
        // Each --server in turn, as the Domain's Failover orders the tries; the route that answered
        // is kept, since relative asset paths resolve against its host (and /ipxe.sig comes from it).
        async Task<(Boot.LookupRoute, Profile.UnvalidatedProfile, Trust.Signer?, Trust.Age?)> AskAsync(Boot.LookupRoute route, Limits.TryTime time)
        {
            switch (route)
            {
                case Boot.LookupRoute.Grpc grpc:
                    return (route, await MatchboxLookup.SelectProfileAsync(grpc.endpoint, tls, labels, time, cancel), null, null);
                case Boot.LookupRoute.Ipxe ipxe:
                    var (found, signer, age) = await IpxeLookup.SelectProfileAsync(
                        http, ipxe, keys, settings.Trust.LookupMaxAgeSeconds, labels, time, cancel);
                    return (route, found, signer, age);
                default:
                    throw new InvalidOperationException("unknown lookup route");
            }
        }
        var (route, profile, signer, age) = await Retries.AcrossServersAsync(
            Boot.routes(settings.Server, labels), settings.Limits, millisecondsLeft, AskAsync, say, cancel);
        var expansion = Boot.missingDomainLabel(labels, profile).ValueOrNull() is { } missing
            ? Labels.extend(labels, ListModule.OfSeq((await RequireAsync([missing])).Labels))
            : labels;
        return new LookupResult(labels, expansion, route, profile, signer, age);
    }
}
